"""The toolkit's arithmetic against cases computed by hand from the unit-economics and funnel formulas."""

from datetime import date, timedelta
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from tracking.toolkit import funnel_math as fm
from tracking.toolkit import unit_economics as ue

# UA 1000, C1 5 %, AvPrice 2000, COGS 800, APC 1.5, CPA 30, FC 20 000, one-off 100.
# By hand: B = 50; CAC = 30/0.05 = 600; ARPPU = (2000−800)·1.5 − 100 = 1700;
# ARPU = 0.05·1700 = 85; CM = 1000·(85−30) = 55 000; profit = 35 000;
# LTV:CAC = 1700/600 = 2.8333…; highest CPA = 85.
CASE = ue.Inputs(
    ua=D(1000),
    c1=D("0.05"),
    avg_price=D(2000),
    cogs=D(800),
    apc=D("1.5"),
    cpa=D(30),
    fixed_costs=D(20000),
    one_off=D(100),
)


def test_outputs_by_hand():
    out = ue.compute(CASE)
    assert out.buyers == 50
    assert out.cac == 600
    assert out.arppu == 1700
    assert out.arpu == 85
    assert out.cm == 55000
    assert out.profit == 35000
    assert round(out.ltv_cac, 4) == D("2.8333")
    assert out.max_cpa == 85


def test_sensitivity_by_hand():
    # UA +10 %: CM 60 500 → +5 500.   C1 5.5 %: ARPU 93.5, CM 63 500 → +8 500.
    # AvPrice 2200: ARPPU 2000, ARPU 100, CM 70 000 → +15 000.
    # APC 1.65: ARPPU 1880, ARPU 94, CM 64 000 → +9 000.
    # COGS 720: ARPPU 1820, ARPU 91, CM 61 000 → +6 000.   CPA 27: CM 58 000 → +3 000.
    rows = ue.sensitivity(CASE)
    assert [(r.name, r.delta_cm) for r in rows] == [
        ("avg_price", 15000),
        ("apc", 9000),
        ("c1", 8500),
        ("cogs", 6000),
        ("ua", 5500),
        ("cpa", 3000),
    ]


def test_break_even_by_hand():
    # CM = 0 ⇔ ARPPU = CAC (600) ⇔ ARPU = CPA.
    assert ue.break_even(CASE, "cpa") == 85
    assert round(ue.break_even(CASE, "c1"), 6) == round(D(30) / D(1700), 6)  # 1.7647 %
    assert ue.break_even(CASE, "avg_price") == D(800) + D(700) / D("1.5")  # 1266.67
    assert ue.break_even(CASE, "apc") == D(700) / D(1200)  # 0.5833
    assert ue.break_even(CASE, "cogs") == D(2000) - D(700) / D("1.5")  # 1533.33
    assert ue.break_even(CASE, "ua") is None


def test_nothing_divides_by_zero():
    zero = CASE.with_value("c1", D(0))
    out = ue.compute(zero)
    assert out.cac is None and out.ltv_cac is None and out.cm == -30000
    assert ue.break_even(zero, "c1") is None
    assert ue.break_even(CASE.with_value("avg_price", D(800)), "apc") is None


def test_price_of_a_hypothesis_and_its_impact():
    # C1 5 % → 7 %: ARPU 119, CM 89 000: +34 000 a period, 61.8 % of CM → impact 10.
    assert ue.delta_cm_if(CASE, "c1", D("0.07")) == 34000
    assert ue.suggested_impact(D(34000), D(55000)) == 10
    # +5 500 is 10 % of CM: two full 5 % steps → 3.
    assert ue.suggested_impact(D(5500), D(55000)) == 3
    assert ue.suggested_impact(D(-1), D(55000)) == 1
    assert ue.suggested_impact(D(10), D(0)) == 5


positive = st.decimals(min_value=D("0.01"), max_value=D(100000), places=2)


def _closed_form_deltas(i: ue.Inputs, step: D = ue.STEP) -> dict[str, D]:
    """The same ΔCM from the closed forms: what the recomputation is checked against."""
    o = ue.compute(i)
    return {
        "ua": step * o.cm,
        "c1": step * o.buyers * o.arppu,
        "avg_price": step * o.buyers * i.apc * i.avg_price,
        "apc": step * o.buyers * (i.avg_price - i.cogs) * i.apc,
        "cogs": step * o.buyers * i.apc * i.cogs,
        "cpa": step * i.ua * i.cpa,
    }


@settings(max_examples=300, deadline=None)
@given(
    ua=positive,
    c1=st.decimals(min_value=D("0.001"), max_value=D(1), places=3),
    price=positive,
    cogs_share=st.decimals(min_value=D(0), max_value=D("1.5"), places=2),
    apc=st.decimals(min_value=D("0.1"), max_value=D(50), places=1),
    cpa=positive,
    one_off=st.decimals(min_value=D(0), max_value=D(1000), places=2),
)
def test_ranking_by_recomputation_equals_the_closed_forms(ua, c1, price, cogs_share, apc, cpa, one_off):
    inputs = ue.Inputs(ua=ua, c1=c1, avg_price=price, cogs=price * cogs_share, apc=apc, cpa=cpa, one_off=one_off)
    recomputed = ue.sensitivity(inputs)
    closed = _closed_form_deltas(inputs)
    by_closed_form = sorted(closed, key=lambda name: (-closed[name], ue.SENSITIVE.index(name)))
    assert [r.name for r in recomputed] == by_closed_form
    for row in recomputed:
        assert abs(row.delta_cm - closed[row.name]) <= D("1e-12") * max(1, abs(closed[row.name]))


MONDAY = date(2026, 1, 5)


def _weeks(n):
    return fm.weeks_back(MONDAY + timedelta(weeks=n - 1), n)


def _stage(name, values, target=None, weeks=None):
    weeks = weeks or _weeks(len(values))
    return fm.Stage(name, {w: D(v) for w, v in zip(weeks, values, strict=True) if v is not None}, target)


def test_funnel_by_hand():
    # One week: 200 leads → 100 qualified → 20 meetings → 10 paid.
    # c = 0.5, 0.2, 0.5; overall 10/200 = 5 %; drop-offs 100, 80, 10.
    # Targets 0.5, 0.4, 0.5: gaps 1, 2, 1 → extra paid 10·(2−1) = 10 at "meetings".
    w = _weeks(1)
    stages = [
        _stage("leads", [200]),
        _stage("qualified", [100], D("0.5")),
        _stage("meetings", [20], D("0.4")),
        _stage("paid", [10], D("0.5")),
    ]
    a = fm.analyse(stages, w, [], w)
    assert [r.conversion for r in a.rows] == [None, D("0.5"), D("0.2"), D("0.5")]
    assert [r.drop_off for r in a.rows] == [None, 100, 80, 10]
    assert a.rows[2].drop_rate == D("0.8")
    assert a.overall == D("0.05")
    assert a.rows[2].gap == 2 and a.rows[2].extra == 10
    assert a.rows[1].extra is None and a.rows[3].extra is None
    assert a.leak.name == "meetings"
    assert a.problems == []


def test_reference_is_the_best_four_weeks_and_windows_compare():
    # 8 weeks: upper 100 every week; lower 30,30,30,30 then 10,10,10,10.
    # Best 4-week conversion: 0.3. Last 4 weeks: 40/400 = 0.1 → gap 3, extra = 40·2 = 80.
    # The previous 4 weeks: 0.3 → change −0.2 absolute, −2/3 relative.
    weeks = _weeks(8)
    upper = _stage("offers", [100] * 8, weeks=weeks)
    lower = _stage("paid", [30, 30, 30, 30, 10, 10, 10, 10], weeks=weeks)
    a = fm.analyse([upper, lower], weeks[4:], weeks[:4], weeks)
    row = a.rows[1]
    assert row.conversion == D("0.1")
    assert row.reference == D("0.3") and not row.reference_is_target
    assert row.gap == 3 and row.extra == 80
    assert row.previous_conversion == D("0.3")
    assert row.change_abs == D("-0.2")
    assert round(row.change_rel, 4) == D("-0.6667")
    assert [c for _, c in row.weekly_conversions][-2:] == [D("0.1"), D("0.1")]
    assert a.leak is row


def test_bad_funnel_data_is_reported_not_raised():
    weeks = _weeks(4)
    a = fm.analyse([_stage("leads", [10, 10, 10, 10])], weeks, [], weeks)
    assert [p.code for p in a.problems] == ["too_few_stages"] and not a.usable

    stages = [
        _stage("leads", [0, 0, 0, 0], weeks=weeks),
        _stage("offers", [5, None, 0, 0], weeks=weeks),
        _stage("paid", [0, 0, 0, 0], weeks=weeks),
    ]
    a = fm.analyse(stages, weeks, [], weeks)
    codes = {(p.code, p.stage) for p in a.problems}
    assert ("zero_count", "leads") in codes and ("zero_count", "paid") in codes
    assert ("missing_week", "offers") in codes
    assert ("larger_than_previous", "offers") in codes
    assert a.rows[1].conversion is None and a.rows[2].conversion == 0
    assert a.rows[2].gap is None and a.leak is None and a.overall is None
