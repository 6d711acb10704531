"""A webhook on the wire: signed per Standard Webhooks, and posted only to a public address.

Signing (https://www.standardwebhooks.com): the headers `webhook-id`, `webhook-timestamp`
(Unix seconds, when this attempt is made) and `webhook-signature: v1,<base64 HMAC-SHA256 of
"{id}.{timestamp}.{body}">`, under the subscription's secret `whsec_<base64 of the key>`.

Where it may go: the URL's host is resolved here and every address it resolves to is checked;
one that is not public (loopback, private, link-local, multicast, reserved, shared, a cloud's
metadata address) refuses the delivery for good. The connection then goes to the address that
was checked, with the Host header and TLS's SNI (and certificate check) set to the URL's host,
so a name that resolves to another address a moment later (DNS rebinding) is never asked
again. WEBHOOKS_ALLOW_LOOPBACK (the tests' receiver) lets 127.0.0.1 and ::1 through, nothing else.

Time-outs are hard: WEBHOOKS_CONNECT_TIMEOUT (3 s) to connect, WEBHOOKS_TOTAL_TIMEOUT (10 s)
for the whole exchange, whatever the receiver does; its answer is read up to 64 KiB and dropped.
Redirects are not followed: a 3xx is a failure like a 5xx. 2xx is delivered; 410 Gone gives the
delivery up at once.
"""

import base64
import hashlib
import hmac
import ipaddress
import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

SECRET_PREFIX = "whsec_"
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254"))
LOOPBACK_ALLOWED = frozenset(ipaddress.ip_address(a) for a in ("127.0.0.1", "::1"))
GONE = 410  # the receiver says the endpoint is gone for good
ANSWER_READ_LIMIT = 64 * 1024
USER_AGENT = "sprint-tracker-webhooks/1"


class Refused(Exception):
    """A URL or an address a webhook may not go to: given up at once, never retried."""


@dataclass(frozen=True)
class Attempt:
    """What one POST gave: the status code (None when no answer came), the error as people read
    it ("" when delivered), how long it took, and whether trying again is pointless."""

    status: int | None
    error: str
    duration_ms: int
    permanent: bool = False

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode("ascii")


def signed_headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, message_id, timestamp, body),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }


def _loopback_allowed() -> bool:
    return getattr(settings, "WEBHOOKS_ALLOW_LOOPBACK", False)


def address_refusal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """Why a webhook may not go to this address ("" when it may)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address in LOOPBACK_ALLOWED and _loopback_allowed():
        return ""
    if address in METADATA_ADDRESSES:
        return _("%(address)s is a cloud metadata address.") % {"address": address}
    if address.is_loopback:
        return _("%(address)s is this server itself (loopback).") % {"address": address}
    if address.is_private or address.is_link_local or address.is_multicast or address.is_reserved:
        return _("%(address)s is a private, link-local, multicast or reserved address.") % {"address": address}
    if not address.is_global:
        return _("%(address)s is not a public address.") % {"address": address}
    return ""


def url_refusal(url: str) -> str:
    """Why a webhook may not go to this URL, read without resolving it ("" when it may)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return _("This is not a valid URL.")
    if parts.scheme == "http" and not _loopback_allowed():
        return _("Use an https:// URL: webhooks are not sent in the clear.")
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return _("Enter a full https:// URL, such as https://example.com/hooks.")
    if parts.username or parts.password:
        return _("Leave the user name and password out of the URL: the signature proves who sends it.")
    if port == 0:
        return _("This is not a valid URL.")
    try:
        literal = ipaddress.ip_address(parts.hostname)
    except ValueError:
        if parts.hostname.rstrip(".").lower() in ("localhost", "localhost.localdomain"):
            return address_refusal(ipaddress.ip_address("127.0.0.1"))
        return ""
    return address_refusal(literal)


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (the tests replace this function, not the socket module)."""
    return sorted({info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)})


def checked_address(url: str) -> str:
    """The address to connect to for `url`: the first it resolves to, once every one of them is
    allowed. Raises Refused otherwise (a name that also resolves to a private address is refused,
    whichever the connection would have used)."""
    if refusal := url_refusal(url):
        raise Refused(refusal)
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = [ipaddress.ip_address(a.split("%", 1)[0]) for a in resolve(parts.hostname, port)]
    except (OSError, UnicodeError, ValueError) as error:
        raise OSError(_("%(host)s does not resolve: %(error)s") % {"host": parts.hostname, "error": error}) from error
    if not addresses:
        raise OSError(_("%(host)s does not resolve.") % {"host": parts.hostname})
    for address in addresses:
        if refusal := address_refusal(address):
            raise Refused(refusal)
    return str(addresses[0])


def _request(url: str, address: str, headers: dict[str, str], body: bytes) -> httpx.Request:
    """The POST to `address` itself, naming the URL's host in Host and in TLS's SNI."""
    target = httpx.URL(url)
    host_header = target.netloc.decode("ascii")  # the host (bracketed if IPv6) and any port
    headers = headers | {"host": host_header}
    request = httpx.Request("POST", target.copy_with(host=address), headers=headers, content=body)
    if target.scheme == "https":
        request.extensions["sni_hostname"] = target.host
    return request


def _exchange(request: httpx.Request, timeout: httpx.Timeout) -> int:
    """Send the request and read the start of the answer; the answer's status code."""
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        response = client.send(request, stream=True)
        try:
            read = 0
            for chunk in response.iter_raw():
                read += len(chunk)
                if read >= ANSWER_READ_LIMIT:
                    break
        finally:
            response.close()
    return response.status_code


def webhook_post(url: str, headers: dict[str, str], body: bytes) -> Attempt:
    """POST `body` to `url` once, within the time-outs; never follows a redirect, never raises
    for what the network or the receiver does. The exchange runs in a thread of its own that is
    left behind at the total time-out: httpx's time-outs bound each read, not the sum of them
    (a receiver that drips its answer a byte at a time would hold the sender for ever)."""
    connect = float(getattr(settings, "WEBHOOKS_CONNECT_TIMEOUT", 3))
    total = float(getattr(settings, "WEBHOOKS_TOTAL_TIMEOUT", 10))
    started = time.perf_counter()

    def took() -> int:
        return int((time.perf_counter() - started) * 1000)

    try:
        address = checked_address(url)
    except Refused as refusal:
        return Attempt(None, str(refusal), took(), permanent=True)
    except OSError as error:
        return Attempt(None, str(error)[:300], took())
    timeout = httpx.Timeout(total, connect=min(connect, total), pool=min(connect, total))
    no_answer = _("No answer within %(seconds)s s.") % {"seconds": f"{total:g}"}
    outcome: list[int | Exception] = []

    def exchange() -> None:
        try:
            outcome.append(_exchange(_request(url, address, headers, body), timeout))
        except Exception as error:  # handed to the caller below
            outcome.append(error)

    worker = threading.Thread(target=exchange, name="webhook-post", daemon=True)
    worker.start()
    worker.join(max(total - (time.perf_counter() - started), 0))
    if not outcome or isinstance(outcome[0], httpx.TimeoutException):
        return Attempt(None, no_answer, took())
    if isinstance(outcome[0], httpx.HTTPError):
        return Attempt(None, (str(outcome[0]) or type(outcome[0]).__name__)[:300], took())
    if isinstance(outcome[0], Exception):
        raise outcome[0]
    status = outcome[0]
    if 200 <= status < 300:
        return Attempt(status, "", took())
    if 300 <= status < 400:
        return Attempt(status, _("A redirect, which webhooks do not follow."), took())
    return Attempt(status, "", took(), permanent=status == GONE)
