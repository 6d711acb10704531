"""Every write of customer development: scripts, interviews with their quotes and tags,
insights, the business's insight threshold."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CharField, Value
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracking.access import ensure_can
from tracking.models import Company, Membership
from tracking.roles import Permission
from tracking.services.fields import assign
from tracking.weeks import local_today

from . import selectors
from .access import ensure_can_edit_interview
from .models import CustdevSettings, Highlight, Insight, Interview, Script, Tag
from .purposes import Purposes, attach

SCRIPT_FIELDS = ("title", "kind", "goal", "segment", "questions", "constraint")
INTERVIEW_FIELDS = (
    "held_on",
    "kind",
    "script",
    "interviewee_name",
    "segment",
    "interviewee_role",
    "interviewer",
    "consent",
    "story",
    "current_solution",
    "tried",
    "decision",
    "commitment",
    "commitment_note",
)
TAG_MAX_LENGTH = 60
CONSENT_NEEDED = gettext_lazy(
    "Ask for consent before saving notes: tick it once they agreed, or keep only who and when."
)


class StaleInterview(ValidationError):
    """Someone saved the interview after this form was opened; `current` is their version."""

    def __init__(self, current: Interview):
        super().__init__(
            _(
                "Someone saved this interview after you opened it. What you typed is kept below: "
                "open the interview in another tab to see their changes, then save again to keep yours."
            ),
            code="stale",
        )
        self.current = current


@dataclass(frozen=True)
class HighlightInput:
    quote: str
    tags: Sequence[str] = field(default_factory=tuple)


def _check_company(obj, company_id: int, name: str, message: str) -> None:
    related = getattr(obj, name)
    if related is not None and related.company_id != company_id:
        raise ValidationError({name: message})


# --- Scripts ------------------------------------------------------------------------------------


def _save_script(script: Script) -> Script:
    _check_company(script, script.company_id, "constraint", _("Pick a constraint of this business."))
    script.full_clean()
    script.save()
    return script


@transaction.atomic
def script_create(
    *, by: Membership, purpose_ids: dict[str, int] | None = None, purposes: Purposes = (), **fields
) -> Script:
    """`purpose_ids`: what the script is written for in an app above, e.g. {"hypothesis": 7},
    among the `purposes` the caller knows (purposes.py)."""
    ensure_can(by, Permission.EDIT_PLANNING)
    values = {k: v for k, v in fields.items() if k in SCRIPT_FIELDS}
    script = _save_script(Script(company=by.company, author=by.user, **values))
    attach(script, purpose_ids or {}, purposes)
    return script


@transaction.atomic
def script_update(*, script: Script, by: Membership, **fields) -> Script:
    ensure_can(by, Permission.EDIT_PLANNING)
    assign(script, fields, SCRIPT_FIELDS)
    return _save_script(script)


# --- Tags -----------------------------------------------------------------------------------------


def tag_names(text: str) -> list[str]:
    """“measure same day, price ; Price” → ["measure same day", "price"]: split on commas or
    semicolons, trimmed, the first spelling of each name kept."""
    names: dict[str, str] = {}
    for part in text.replace(";", ",").split(","):
        name = " ".join(part.split())[:TAG_MAX_LENGTH]
        if name:
            names.setdefault(name.lower(), name)
    return list(names.values())


def _lowered_by_database(company, names: Sequence[str]) -> dict[str, str]:
    """Each name as the database lowers it: the tags' unique index is on its Lower(name), which
    differs from Python's str.lower for some letters (a final sigma, a dotted capital I), so
    Python cannot tell which names the index takes for one. One query, whatever the names."""
    expressions = {f"n{i}": Lower(Value(name, output_field=CharField())) for i, name in enumerate(names)}
    lowered = Company.objects.filter(pk=company.pk).values(**expressions).get()
    return {name: lowered[f"n{i}"] for i, name in enumerate(names)}


def tags_ensure(company, names: Sequence[str]) -> dict[str, Tag]:
    """The business's tags for `names` (each name given → its tag), created for the names it
    does not have yet. Names the database takes for one (“Speed”, “speed”) are one tag, the
    first spelling kept."""
    names = list(dict.fromkeys(names))
    if not names:
        return {}
    lowered = _lowered_by_database(company, names)
    existing = {
        tag.lowered: tag
        for tag in Tag.objects.annotate(lowered=Lower("name")).filter(
            company=company, lowered__in=set(lowered.values())
        )
    }
    for name in names:
        if lowered[name] not in existing:
            tag = Tag(company=company, name=name)
            tag.full_clean(validate_constraints=False)
            try:
                with transaction.atomic():  # someone saving the same new tag at this moment
                    tag.save()
            except IntegrityError:
                tag = Tag.objects.annotate(lowered=Lower("name")).get(company=company, lowered=lowered[name])
            existing[lowered[name]] = tag
    return {name: existing[lowered[name]] for name in names}


# --- Interviews -----------------------------------------------------------------------------------


def _has_notes(interview: Interview, highlights: Sequence[HighlightInput]) -> bool:
    return any(getattr(interview, name).strip() for name in Interview.NOTE_FIELDS) or any(
        h.quote.strip() for h in highlights
    )


def _check_interview(interview: Interview, highlights: Sequence[HighlightInput]) -> None:
    if not interview.consent and _has_notes(interview, highlights):
        raise ValidationError({"consent": CONSENT_NEEDED})
    # Logged after the call: a day ahead of the business's today at most (the interviewer may
    # be a time zone ahead), so a mistyped year does not sit on top of the list for ever.
    if interview.held_on and interview.held_on > local_today(interview.company) + timedelta(days=1):
        raise ValidationError({"held_on": _("An interview is logged after it happened: pick today or an earlier day.")})
    company_id = interview.company_id
    _check_company(interview, company_id, "script", _("Pick a script of this business."))
    _check_company(interview, company_id, "interviewer", _("Pick a member of this business."))


def _save_highlights(interview: Interview, highlights: Sequence[HighlightInput]) -> None:
    """The quotes in their order: kept rows are updated (insights keep their links), new ones
    added, removed ones deleted."""
    kept = [h for h in highlights if h.quote.strip()]
    current = list(interview.highlights.order_by("position", "pk"))
    tags = tags_ensure(interview.company, [name for h in kept for name in h.tags])
    for position, given in enumerate(kept):
        row = current[position] if position < len(current) else Highlight(interview=interview)
        row.position, row.quote = position, given.quote.strip()
        row.full_clean(exclude=["interview"])
        row.save()
        row.tags.set([tags[name] for name in given.tags])
    Highlight.objects.filter(pk__in=[row.pk for row in current[len(kept) :]]).delete()


def _save_interview(interview: Interview, highlights: Sequence[HighlightInput]) -> Interview:
    _check_interview(interview, highlights)
    # The submission token's uniqueness is the database's to tell (interview_create).
    interview.full_clean(exclude=["submission"])
    interview.save()
    _save_highlights(interview, highlights)
    return interview


def _already_saved(company: Company, submission: UUID | None) -> Interview | None:
    if submission is None:
        return None
    interview = Interview.objects.filter(company=company, submission=submission).first()
    if interview is not None:
        interview.already_saved = True
    return interview


@transaction.atomic
def interview_create(
    *,
    by: Membership,
    highlights: Sequence[HighlightInput] = (),
    submission: UUID | None = None,
    **fields,
) -> Interview:
    """Every member may log an interview. `submission`: the new-interview form's
    token; a form sent again with it (a double tap, a re-send after the connection dropped
    while the server had saved) gives back the interview it made, marked `already_saved`,
    rather than a second one. Tokens are per business: another business's never matches."""
    same = _already_saved(by.company, submission)
    if same is not None:
        return same
    values = {k: v for k, v in fields.items() if k in INTERVIEW_FIELDS}
    interview = Interview(company=by.company, author=by.user, submission=submission, **values)
    try:
        with transaction.atomic():  # the same form sent twice at once: the second waits, then finds the first
            return _save_interview(interview, highlights)
    except IntegrityError:
        same = _already_saved(by.company, submission)
        if same is None:
            raise
        return same


@transaction.atomic
def interview_update(
    *,
    interview: Interview,
    by: Membership,
    highlights: Sequence[HighlightInput] = (),
    expected_version: int | None = None,
    **fields,
) -> Interview:
    """Its author, the tracker and the entrepreneur may edit an interview. With
    `expected_version` (the version the form opened with), a save made meanwhile by someone
    else is refused rather than silently overwritten (their quotes and notes would be lost)."""
    ensure_can_edit_interview(by, interview)
    current = Interview.objects.select_for_update().get(pk=interview.pk)
    if expected_version is not None and expected_version != current.version:
        raise StaleInterview(current)
    assign(interview, fields, INTERVIEW_FIELDS)
    interview.version = current.version + 1
    return _save_interview(interview, highlights)


# --- Synthesis ------------------------------------------------------------------------------------


@transaction.atomic
def threshold_set(*, by: Membership, value: int) -> CustdevSettings:
    ensure_can(by, Permission.EDIT_PLANNING)
    settings, _created = CustdevSettings.objects.get_or_create(company=by.company)
    settings.insight_threshold = value
    settings.full_clean()
    settings.save()
    return settings


@transaction.atomic
def insight_create(*, by: Membership, tag: Tag, sentence: str) -> Insight:
    """An insight from a tag heard from at least the business's threshold of people; its
    evidence is every quote under the tag. Insights follow the hypothesis rules. The same
    sentence on the same tag sent again (a double tap) gives the insight it made."""
    ensure_can(by, Permission.CREATE_HYPOTHESIS)
    Tag.objects.select_for_update().filter(pk=tag.pk).first()  # two sends at once: one after the other
    same = Insight.objects.filter(company=by.company, tag=tag, sentence=sentence.strip()).first()
    if same is not None:
        return same
    evidence = selectors.tag_evidence(tag)
    threshold = selectors.insight_threshold(by.company)
    if evidence.people < threshold:
        raise ValidationError(
            _("Heard from %(people)s of the %(threshold)s people an insight needs: talk to more customers first.")
            % {"people": evidence.people, "threshold": threshold}
        )
    insight = Insight(company=by.company, tag=tag, sentence=sentence.strip(), people=evidence.people, author=by.user)
    insight.full_clean()
    insight.save()
    insight.highlights.set(evidence.highlight_ids)
    return insight
