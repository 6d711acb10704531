"""Each CRM's inbound payload, read and its secret checked, as the events to count.

- amoCRM posts a form (`leads[status][0][id]`, `…[status_id]`, `…[pipeline_id]`,
  `…[last_modified]`; new leads as `leads[add][0][…]`); it signs nothing, so the secret is the
  last part of the inbound URL.
- Bitrix24 posts a form per event (`event=ONCRMDEALUPDATE` or `ONCRMDEALADD`,
  `data[FIELDS][ID]`, `ts`, `auth[application_token]`); the application token is checked. It
  sends the deal's id only: a `data[FIELDS][STAGE_ID]` is used when present, and otherwise the
  event is kept for review (nothing here calls Bitrix back).
- HubSpot posts a JSON array of up to 100 events (`eventId`, `subscriptionType`, `objectId`,
  `occurredAt` in ms, and for `deal.propertyChange` of `dealstage` the new stage as
  `propertyValue`), signed with `X-HubSpot-Signature-v3`: base64 of HMAC-SHA256 under the app's
  client secret of method + URI + body + `X-HubSpot-Request-Timestamp`, refused when older than
  five minutes.

A request that is not what the CRM sends is refused whole (`Refused`: 400, or 403 for a secret
or signature that does not match) and changes nothing.
"""

import base64
import hashlib
import hmac
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ...accounts.mfa_secrets import decrypt
from .models import CrmConnection, Reason

SIGNATURE_MAX_AGE = timedelta(minutes=5)
ID_MAX_LENGTH = 64
BITRIX_DEAL_EVENTS = {"ONCRMDEALADD", "ONCRMDEALUPDATE"}
HUBSPOT_BATCH_MAX = 100
_AMO_FIELD = re.compile(r"^leads\[(status|add)\]\[(\d{1,4})\]\[(\w+)\]$")


@dataclass(frozen=True)
class IncomingEvent:
    event_id: str  # the same for a replay of the event
    deal_id: str
    occurred_at: datetime
    stage_id: str = ""
    pipeline_id: str = ""
    reason: str = ""  # a Reason already known from the payload: the event cannot count


class Refused(Exception):
    """A request refused whole: its status (400 or 403) and the reason written to the log."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _secret_matches(connection: CrmConnection, given: str) -> bool:
    return hmac.compare_digest(given.encode(), decrypt(connection.secret).encode())


def _identifier(value, what: str, *, required: bool = True) -> str:
    """A CRM's id as text: digits, letters and `:_-.` (Bitrix's "C2:WON"), at most 64 characters."""
    text = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
    if not text:
        if required:
            raise Refused(400, f"{what} is missing")
        return ""
    if len(text) > ID_MAX_LENGTH or not re.fullmatch(r"[\w:.\-]+", text):
        raise Refused(400, f"{what} is not an id: {text[:80]!r}")
    return text


def _instant(value, what: str, *, per_second: int = 1) -> datetime:
    """A Unix time (in seconds, or in ms with `per_second=1000`) as an aware instant."""
    try:
        number = int(str(value).strip())
        return datetime.fromtimestamp(number / per_second, UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise Refused(400, f"{what} is not a Unix time: {str(value)[:40]!r}") from None


def amocrm_events(connection: CrmConnection, url_secret: str, form) -> list[IncomingEvent]:
    if not _secret_matches(connection, url_secret):
        raise Refused(403, "the secret in the URL does not match")
    leads: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for name, value in form.items():
        if match := _AMO_FIELD.match(name):
            kind, index, field = match.groups()
            leads[kind, index][field] = value
    if not leads:
        raise Refused(400, "no leads[status] or leads[add] in the payload")
    events = []
    for (kind, _index), fields in sorted(leads.items()):
        lead_id = _identifier(fields.get("id"), f"leads[{kind}] id")
        modified = fields.get("last_modified") or fields.get("date_create")
        occurred_at = _instant(modified, f"leads[{kind}] last_modified")
        stage_id = _identifier(fields.get("status_id", ""), "status_id", required=False)
        pipeline_id = _identifier(fields.get("pipeline_id", ""), "pipeline_id", required=False)
        events.append(
            IncomingEvent(
                event_id=f"{kind}:{lead_id}:{stage_id}:{int(occurred_at.timestamp())}",
                deal_id=lead_id,
                occurred_at=occurred_at,
                stage_id=stage_id,
                pipeline_id=pipeline_id,
                reason="" if stage_id else Reason.NO_STAGE,
            )
        )
    return events


def bitrix24_events(connection: CrmConnection, form) -> list[IncomingEvent]:
    if not _secret_matches(connection, form.get("auth[application_token]", "")):
        raise Refused(403, "auth[application_token] does not match")
    event = form.get("event", "").strip().upper()
    if not event:
        raise Refused(400, "event is missing")
    deal_id = _identifier(form.get("data[FIELDS][ID]"), "data[FIELDS][ID]")
    occurred_at = _instant(form.get("ts"), "ts")
    stage_id = _identifier(form.get("data[FIELDS][STAGE_ID]", ""), "data[FIELDS][STAGE_ID]", required=False)
    pipeline_id = _identifier(form.get("data[FIELDS][CATEGORY_ID]", ""), "data[FIELDS][CATEGORY_ID]", required=False)
    reason = ""
    if event not in BITRIX_DEAL_EVENTS:
        reason = Reason.NOT_A_STAGE_CHANGE
    elif not stage_id:
        reason = Reason.NO_STAGE
    return [
        IncomingEvent(
            event_id=f"{event}:{deal_id}:{stage_id}:{int(occurred_at.timestamp())}",
            deal_id=deal_id,
            occurred_at=occurred_at,
            stage_id=stage_id,
            pipeline_id=pipeline_id,
            reason=reason,
        )
    ]


def hubspot_signature(secret: str, method: str, uri: str, body: bytes, timestamp: str) -> str:
    message = method.encode() + uri.encode() + body + timestamp.encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def hubspot_check(connection: CrmConnection, *, method: str, uri: str, body: bytes, headers, now: datetime) -> None:
    signature = headers.get("X-HubSpot-Signature-v3", "")
    timestamp = headers.get("X-HubSpot-Request-Timestamp", "")
    if not signature or not timestamp:
        raise Refused(403, "X-HubSpot-Signature-v3 or X-HubSpot-Request-Timestamp is missing")
    try:
        signed_at = _instant(timestamp, "X-HubSpot-Request-Timestamp", per_second=1000)
    except Refused as refused:
        raise Refused(403, refused.reason) from None
    if abs(now - signed_at) > SIGNATURE_MAX_AGE:
        raise Refused(403, f"the signature's timestamp is more than 5 minutes away ({signed_at:%Y-%m-%dT%H:%M:%SZ})")
    expected = hubspot_signature(decrypt(connection.secret), method, uri, body, timestamp)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        raise Refused(403, "X-HubSpot-Signature-v3 does not match")


def _hubspot_event(item) -> IncomingEvent:
    if not isinstance(item, dict):
        raise Refused(400, "an event of the batch is not an object")
    kind = item.get("subscriptionType")
    if not isinstance(kind, str) or not kind:
        raise Refused(400, "subscriptionType is missing")
    event_id = _identifier(item.get("eventId"), "eventId")
    deal_id = _identifier(item.get("objectId"), "objectId")
    occurred_at = _instant(item.get("occurredAt"), "occurredAt", per_second=1000)
    stage_id, reason = "", Reason.NOT_A_STAGE_CHANGE
    if kind == "deal.propertyChange" and item.get("propertyName") == "dealstage":
        stage_id = _identifier(item.get("propertyValue", ""), "propertyValue", required=False)
        reason = "" if stage_id else Reason.NO_STAGE
    elif kind == "deal.creation":
        reason = Reason.NO_STAGE
    return IncomingEvent(
        # HubSpot does not promise a unique eventId: with the type and the object it is.
        event_id=f"{kind[:60]}:{deal_id}:{event_id}",
        deal_id=deal_id,
        occurred_at=occurred_at,
        stage_id=stage_id,
        reason=reason,
    )


def hubspot_events(body: bytes) -> list[IncomingEvent]:
    try:
        batch = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise Refused(400, "the body is not JSON") from None
    if not isinstance(batch, list) or not batch:
        raise Refused(400, "the body is not a non-empty array of events")
    if len(batch) > HUBSPOT_BATCH_MAX:
        raise Refused(400, f"more than {HUBSPOT_BATCH_MAX} events in one batch")
    return [_hubspot_event(item) for item in batch]
