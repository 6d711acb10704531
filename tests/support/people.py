"""People for tests: unique sign-in details for tests whose keys outlive a test (the sign-in
throttle keeps its counts in Redis), a fresh address and e-mail each time; an invitation."""

import ipaddress
import uuid
from decimal import Decimal

from tracking import services
from tracking.models import Role


def unique_email() -> str:
    return f"{uuid.uuid4().hex[:10]}@example.test"


def unique_address() -> str:
    """An IPv6 address of the documentation range, written as Django stores it."""
    return str(ipaddress.ip_address(f"2001:db8::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"))


def invite(by, email: str, *, role=Role.MEMBER, hours=2, **fields):
    """`by` (a manager's membership) invites `email` into their business, as a member unless
    `role` says otherwise, for `hours` a week: the invitation, not yet accepted."""
    return services.membership_add(
        company=by.company,
        by=by,
        email=email,
        role=role,
        weekly_capacity_hours=Decimal(hours),
        **fields,
    )
