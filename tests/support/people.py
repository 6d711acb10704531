"""Unique sign-in details for tests whose keys outlive a test (the sign-in throttle keeps its
counts in Redis): a fresh address and e-mail each time."""

import ipaddress
import uuid


def unique_email() -> str:
    return f"{uuid.uuid4().hex[:10]}@example.test"


def unique_address() -> str:
    """An IPv6 address of the documentation range, written as Django stores it."""
    return str(ipaddress.ip_address(f"2001:db8::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"))
