"""The learnings in the hypotheses app: the library across the user's businesses (with
its CSV), "tried before" as a title is typed, and a hypothesis made from an insight."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tracking.access import access_company
from tracking.custdev.access import access_insight
from tracking.dates import day_month_year
from tracking.exports import csv_lines, csv_response
from tracking.markup import esc
from tracking.models import ConstraintArea
from tracking.numbers import plain, with_unit
from tracking.paging import page_of
from tracking.query_params import int_param, text_param
from tracking.roles import Permission

from . import library as selectors
from .evidence import hypothesis_from_insight, hypothesis_of_insight
from .models import Kind, Status, Verdict
from .selectors import Row
from .views import cut

SEARCH_MAX_LENGTH = 200


def _filters(request) -> selectors.LibraryFilters:
    get = request.GET
    return selectors.LibraryFilters(
        q=text_param(get.get("q"), max_length=SEARCH_MAX_LENGTH),
        verdict=get.get("verdict") if get.get("verdict") in (*Verdict.values, selectors.DROPPED) else "",
        kind=get.get("kind") if get.get("kind") in Kind.values else "",
        area=get.get("area") if get.get("area") in ConstraintArea.values else "",
        company_id=int_param(get.get("business"), minimum=1),
    )


LIBRARY_COLUMNS = (
    "pk",
    "company_id",
    "title",
    "status",
    "verdict",
    "kind",
    "area",
    "measured_value",
    "metric_id",
    "unit",
    "ended_at",
    "drop_reason",
    "against_numbers_reason",
    "numbers_verdict",
    "learning",
)


def _library_rows(rows, companies: dict[int, str]) -> list[Row]:
    """A page of the library as its cards show it, each text made here once per row: labels
    from dictionaries made once per page, the measured value with its metric's unit, the date
    (day_month_year) and the texts cut (cut) as the template filters did."""
    labels = {
        choices: {value: str(label) for value, label in choices.choices} for choices in (Kind, Verdict, ConstraintArea)
    }
    dropped = str(Status.DROPPED.label)
    day = day_month_year()
    # The hypothesis page's URL reversed once, its two ids put in per row.
    detail = reverse("hypotheses:detail", args=[1, 2]).replace("/1/", "/{company}/", 1).replace("/2/", "/{pk}/", 1)
    words = _card_words()
    out = []
    for row in rows:
        measured = row.measured_value
        if measured is not None:
            measured = with_unit(measured, row.unit) if row.metric_id else plain(measured, localize=True)
        was_dropped = row.status == Status.DROPPED
        against = row.against_numbers_reason
        out.append(
            Row(
                url=detail.format(company=row.company_id, pk=row.pk),
                title=row.title,
                dropped=dropped if was_dropped else "",
                verdict=labels[Verdict].get(row.verdict, row.verdict),
                against=bool(against),
                business=companies[row.company_id],
                kind=labels[Kind].get(row.kind, row.kind),
                area=None if row.area is None else labels[ConstraintArea].get(row.area, ""),
                measured=measured,
                ended=day(row.ended_at) if row.ended_at else "",
                drop_reason=cut(row.drop_reason, 60) if was_dropped else "",
                numbers=labels[Verdict].get(row.numbers_verdict, row.numbers_verdict),
                against_short=cut(against, 60),
                learning=cut(row.learning, 60),
            )
        )
        out[-1]["html"] = _card_html(out[-1], words)
    return out


def _card_words() -> dict[str, str]:
    """The cards' fixed words, translated and escaped once per page."""
    return {
        key: conditional_escape(text)
        for key, text in {
            "against_badge": _("against the numbers"),
            "measured": _("measured"),
            "why_dropped": _("Why it was dropped"),
            "against": _("Against the numbers"),
            "numbers_said": _("The numbers said “%(numbers)s”; the verdict differs because: %(reason)s"),
        }.items()
    }


def _card_html(h, w) -> str:
    """A library card's <li>, made in one pass (no template nodes per card)."""
    e = esc
    badges = (
        (f'<span class="badge warn">{e(h.dropped)}</span>' if h.dropped else "")
        + (f'<span class="badge">{e(h.verdict)}</span>' if h.verdict else "")
        + (f' <span class="badge warn">{w["against_badge"]}</span>' if h.against else "")
    )
    facts = f"{e(h.business)} · {e(h.kind)}"
    if h.area is not None:
        facts += f" · {e(h.area)}"
    if h.measured is not None:
        facts += f" · {w['measured']} {e(h.measured)}"
    if h.ended:
        facts += f" · {e(h.ended)}"
    parts = [
        f'<li class="card library-item">\n      <a href="{h.url}"><strong>{e(h.title)}</strong></a>\n'
        f'      {badges}\n      <span class="muted">{facts}</span>\n'
    ]
    if h.drop_reason:
        parts.append(f"      <p><strong>{w['why_dropped']}:</strong> {e(h.drop_reason)}</p>\n")
    if h.against:
        said = w["numbers_said"] % {"numbers": e(h.numbers), "reason": e(h.against_short)}
        parts.append(f"      <p><strong>{w['against']}:</strong> {said}</p>\n")
    if h.learning:
        parts.append(f"      <p>{e(h.learning)}</p>\n")
    parts.append("    </li>")
    return mark_safe("".join(parts))


@require_GET
def library(request):
    filters = _filters(request)
    companies = selectors.library_companies(request.user)
    queryset = selectors.library(request.user, filters, companies=companies)
    # Not counted: a tracker's library holds thousands of learnings, counting them cost more
    # than the page, and "Older" needs only to know that one more row exists.
    rows = queryset.values_list(*LIBRARY_COLUMNS, named=True)
    page = page_of(rows, request.GET.get("page"), selectors.LIBRARY_PAGE_SIZE)
    context = {
        "filters": filters,
        "page": page,
        "rows": _library_rows(page.object_list, companies),
        "verdicts": [*Verdict.choices, (selectors.DROPPED, Status.DROPPED.label)],  # the outcome filter
        "kinds": Kind.choices,
        "areas": ConstraintArea.choices,
        "businesses": companies.items(),
    }
    return render(request, "hypotheses/library.html", context)


CSV_COLUMNS = [
    gettext_lazy("Business"),
    gettext_lazy("Title"),
    gettext_lazy("Kind"),
    gettext_lazy("Verdict"),
    gettext_lazy("Measured value"),
    gettext_lazy("Metric"),
    gettext_lazy("Area"),
    gettext_lazy("Decided"),
    gettext_lazy("What we learned"),
    gettext_lazy("Hypothesis"),
    gettext_lazy("Why it was dropped"),
    gettext_lazy("Against the numbers, because"),
]
CSV_FIELDS = [
    "company_id",
    "title",
    "kind",
    "verdict",
    "measured_value",
    "metric_name",
    "area",
    "ended_at",
    "learning",
    "statement",
    "status",
    "drop_reason",
    "against_numbers_reason",
]


def _csv_stream(queryset, companies: dict[int, str]):
    labels = {**dict(Kind.choices), **dict(Verdict.choices), **dict(ConstraintArea.choices)}
    labels[Status.DROPPED] = Status.DROPPED.label
    rows = queryset.values_list(*CSV_FIELDS).iterator(chunk_size=2000)
    return csv_lines(CSV_COLUMNS, (_csv_row(labels, companies[company_id], *row) for company_id, *row in rows))


def _csv_row(
    labels, business, title, kind, verdict, measured, metric, area, ended, learning, statement, status, dropped, against
) -> list:
    return [
        business,
        title,
        str(labels.get(kind, kind)),
        # A dropped idea's outcome is that it was dropped (with the verdict it had, if any).
        str(labels[status]) if status == Status.DROPPED and not verdict else str(labels.get(verdict, verdict)),
        plain(measured),  # as typed; a negative number stays a number (spreadsheet_safe)
        metric or "",
        str(labels.get(area, "")) if area else "",
        ended.date().isoformat() if ended else "",
        learning,
        statement,
        dropped if status == Status.DROPPED else "",
        against,
    ]


@require_GET
def library_csv(request):
    companies = selectors.library_companies(request.user)
    queryset = selectors.library(request.user, _filters(request), companies=companies)
    # Whole, not streamed: a library is a user's own decided hypotheses, not a table dump.
    return csv_response(_csv_stream(queryset, companies), "learnings.csv", streamed=False)


@require_GET
def tried_before(request):
    """htmx, as a hypothesis's title is typed: decided hypotheses that look alike."""
    title = text_param(request.GET.get("title"), max_length=SEARCH_MAX_LENGTH)
    exclude = int_param(request.GET.get("exclude"), minimum=1)
    alike = selectors.tried_before(request.user, title, exclude_id=exclude) if title else []
    context = {"alike": alike, "title": title, "searched": bool(title)}
    return render(request, "hypotheses/_tried_before.html#results", context)


@require_POST
def from_insight(request, company_id: int, insight_id: int):
    """Insight → hypothesis in one step; the new hypothesis opens with its evidence."""
    company, membership = access_company(request.user, company_id, action=Permission.CREATE_HYPOTHESIS)
    insight = access_insight(company, insight_id)
    if existing := hypothesis_of_insight(insight):  # sent twice: open the one it became
        messages.info(request, _("This insight is already a hypothesis: here it is."))
        return redirect("hypotheses:detail", company_id=company.pk, hypothesis_id=existing.pk)
    hypothesis = hypothesis_from_insight(insight=insight, by=membership)
    messages.success(request, _("The hypothesis is saved as an idea, with the interviews as its evidence."))
    return redirect("hypotheses:detail", company_id=company.pk, hypothesis_id=hypothesis.pk)
