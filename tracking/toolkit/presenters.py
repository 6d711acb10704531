"""What the toolkit's pages show, prepared once per request (templates loop over text)."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from ..dates import day_month_year
from ..markup import html_join
from . import charts, unit_economics
from .formatting import money, number, percent
from .forms import MAPPING_LABELS
from .models import MAPPABLE, SnapshotKind
from .selectors import to_inputs

INPUT_LABELS = {
    "ua": _("Users acquired (UA)"),
    "c1": _("Conversion to first purchase (C1)"),
    "avg_price": _("Average check (AvPrice)"),
    "apc": _("Purchases per buyer (APC)"),
    "cogs": _("Variable cost per purchase (COGS)"),
    "cpa": _("Cost per acquired user (CPA)"),
}
SHORT = {"ua": "UA", "c1": "C1", "avg_price": "AvPrice", "apc": "APC", "cogs": "COGS", "cpa": "CPA"}


def input_text(name: str, value: Decimal | None, currency: str) -> str:
    """An input's value as the user reads it (C1 is a fraction here)."""
    if value is None:
        return "—"
    if name == "c1":
        return percent(value)
    if name in {"avg_price", "cogs", "cpa"}:
        return money(value, currency)
    return number(value, 0 if name == "ua" else 3)


@dataclass(frozen=True)
class SensitivityRow:
    name: str
    short: str
    label: str
    delta: str
    break_even: str
    bar: charts.Bar


@dataclass(frozen=True)
class Economics:
    outputs: list[tuple[str, str]]
    cm: Decimal
    rows: list[SensitivityRow]
    chart: charts.BarChart
    top: SensitivityRow | None


def economics(row, currency: str) -> Economics:
    inputs = to_inputs(row)
    out = unit_economics.compute(inputs)
    ranked = unit_economics.sensitivity(inputs)
    chart = charts.bar_chart([(SHORT[r.name], r.delta_cm) for r in ranked])
    rows = [
        SensitivityRow(
            name=r.name,
            short=SHORT[r.name],
            label=str(INPUT_LABELS[r.name]),
            delta=money(r.delta_cm, currency),
            break_even=input_text(r.name, r.break_even, currency),
            bar=bar,
        )
        for r, bar in zip(ranked, chart.bars, strict=True)
    ]
    outputs = [
        (_("Buyers (B = UA·C1)"), number(out.buyers, 1)),
        (_("CAC (CPA / C1)"), money(out.cac, currency)),
        (_("ARPPU ((AvPrice − COGS)·APC − one-off)"), money(out.arppu, currency)),
        (_("ARPU (C1·ARPPU)"), money(out.arpu, currency)),
        (_("Contribution margin (CM = UA·(ARPU − CPA))"), money(out.cm, currency)),
        (_("Profit (CM − FC)"), money(out.profit, currency)),
        (_("LTV:CAC (ARPPU / CAC)"), number(out.ltv_cac, 2)),
        (_("Highest CPA that breaks even (= ARPU)"), money(out.max_cpa, currency)),
    ]
    top = rows[0] if rows and ranked[0].delta_cm > 0 else None
    return Economics(outputs=outputs, cm=out.cm, rows=rows, chart=chart, top=top)


def _coordinate(value) -> str:
    """An SVG coordinate as `{% localize off %}` writes it: a dot whatever the language."""
    return localize(value, use_l10n=False)


def sensitivity_bars(eco: Economics) -> SafeString:
    """The sensitivity chart's labels and bars, made in one pass (no template nodes per row)."""
    return html_join(
        "\n      ",
        '<text x="0" y="{}" font-size="20" fill="#475467">{}</text>\n        '
        '<rect x="{}" y="{}" width="{}" height="24" fill="{}"><title>{}: {}</title></rect>',
        (
            (
                int(row.bar.y) + 18,
                row.short,
                _coordinate(row.bar.x),
                _coordinate(row.bar.y),
                _coordinate(row.bar.width),
                "#2563eb" if row.bar.positive else "#d92d20",
                row.label,
                row.delta,
            )
            for row in eco.rows
        ),
    )


def sensitivity_rows(eco: Economics) -> SafeString:
    """The sensitivity table's rows, made in one pass."""
    return html_join(
        "",
        '<tr data-input="{}"><td>{}</td><td>{} <small class="muted">{}</small></td>'
        '<td class="num">{}</td><td class="num">{}</td></tr>',
        (
            (row.name, number, row.short, row.label, row.delta, row.break_even)
            for number, row in enumerate(eco.rows, start=1)
        ),
    )


@dataclass(frozen=True)
class SnapshotLine:
    cm: str
    lever: str  # the input that moves the margin most, "" when none adds to it


def snapshot_line(row, currency: str) -> SnapshotLine:
    """What the history of snapshots shows of one: its margin and first lever, without the
    rest of its economics."""
    inputs = to_inputs(row)
    cm = unit_economics.compute(inputs).cm
    lever = unit_economics.top_lever(inputs, cm)
    return SnapshotLine(cm=money(cm, currency), lever=SHORT[lever] if lever else "")


def snapshot_rows(snapshots, currency: str) -> str:
    """The history of snapshots' table rows, made in one pass (no template nodes per row): the
    date as `date:"j M Y"` writes it, the kind's label read once, the margin and first lever of
    each (snapshot_line)."""
    written = day_month_year()
    kinds = {value: conditional_escape(label) for value, label in SnapshotKind.choices}
    rows = []
    for snapshot in snapshots:
        line = snapshot_line(snapshot, currency)
        pk = snapshot.pk
        rows.append(
            f'<tr>\n      <td><input type="radio" name="a" value="{pk}" aria-label="A"> '
            f'<input type="radio" name="b" value="{pk}" aria-label="B"></td>\n'
            f"      <td>{written(snapshot.taken_on)}</td>\n"
            f"      <td>{conditional_escape(snapshot.label or '—')} "
            f'<span class="badge">{kinds.get(snapshot.kind, snapshot.kind)}</span></td>\n'
            f'      <td class="num">{conditional_escape(line.cm)}</td>\n'
            f"      <td>{conditional_escape(line.lever or '—')}</td>\n    </tr>"
        )
    return mark_safe("".join(rows))


def mapping_lines(row, metrics) -> list[tuple[str, str]]:
    """Which metric feeds each input, as read: (label, the metric's name or "typed in")."""
    names = {m.pk: m.name for m in metrics}
    typed = str(_("typed in"))
    return [(str(MAPPING_LABELS[name]), names.get(getattr(row, f"{name}_metric_id"), typed)) for name in MAPPABLE]


def funnel_rows(funnel) -> list[dict]:
    """The funnel's table, one dict of display text per stage."""
    rows = []
    for stage, row in zip(funnel.stages, funnel.analysis.rows, strict=False):
        conversions = [c for _, c in row.weekly_conversions]
        rows.append(
            {
                "stage": stage,
                "row": row,
                "count": number(row.count, 2),
                "previous_count": number(row.previous_count, 2),
                "conversion": percent(row.conversion) if row.index else "",
                "previous_conversion": percent(row.previous_conversion) if row.index else "",
                "change_abs": _signed_points(row.change_abs),
                "change_rel": _signed_percent(row.change_rel),
                "drop_off": number(row.drop_off, 2) if row.index else "",
                "drop_rate": percent(row.drop_rate) if row.index else "",
                "reference": percent(row.reference) if row.index else "",
                # People come whole: 9.1 more customers read as 9.
                "extra": number(row.extra.to_integral_value(ROUND_HALF_UP), 0) if row.extra is not None else "",
                "spark": charts.sparkline(conversions) if row.index else [],
                "conversion_metric": funnel.conversions.get(stage.pk),
                "is_leak": funnel.analysis.leak is row,
            }
        )
    return rows


def _signed_points(value: Decimal | None) -> str:
    if value is None:
        return ""
    return ("+" if value > 0 else "") + number(value * 100, 1) + " " + str(_("pp"))


def _signed_percent(value: Decimal | None) -> str:
    if value is None:
        return ""
    return ("+" if value > 0 else "") + percent(value)
