"""Unit economics: the arithmetic only (no Django), so it can be checked by hand.

Inputs for one period (a month by default):
  UA users acquired, C1 conversion to first purchase (a fraction, 0.25 = 25 %), AvPrice the
  average check, COGS the variable cost per purchase, APC purchases per buyer, CPA the cost per
  acquired user, FC fixed costs, and a one-off cost per new buyer.

Outputs: B = UA·C1, CAC = CPA/C1, ARPPU = (AvPrice−COGS)·APC − one-off, ARPU = C1·ARPPU,
CM = UA·(ARPU−CPA), profit = CM − FC, LTV:CAC = ARPPU/CAC, and the highest CPA that still
breaks even (= ARPU).
"""

from dataclasses import dataclass
from decimal import Decimal

STEP = Decimal("0.1")

# The inputs the sensitivity moves, in the order used to break ties: levers the team moves by
# work (users, conversion, repeat purchases) before price and costs. Costs move down. Note that
# ΔC1 ≤ ΔAPC ≤ ΔAvPrice always (ARPPU ≤ (AvPrice−COGS)·APC ≤ AvPrice·APC): they tie only
# with no COGS and no one-off cost.
SENSITIVE = ("ua", "c1", "apc", "avg_price", "cogs", "cpa")
COSTS = frozenset({"cogs", "cpa"})


@dataclass(frozen=True)
class Inputs:
    ua: Decimal
    c1: Decimal
    avg_price: Decimal
    cogs: Decimal
    apc: Decimal
    cpa: Decimal
    fixed_costs: Decimal = Decimal(0)
    one_off: Decimal = Decimal(0)

    def with_value(self, name: str, value: Decimal) -> "Inputs":
        return Inputs(**{**self.__dict__, name: value})  # dataclasses.replace, without its checks


@dataclass(frozen=True)
class Outputs:
    buyers: Decimal
    cac: Decimal | None
    arppu: Decimal
    arpu: Decimal
    cm: Decimal
    profit: Decimal
    ltv_cac: Decimal | None
    max_cpa: Decimal


def compute(i: Inputs) -> Outputs:
    buyers = i.ua * i.c1
    cac = i.cpa / i.c1 if i.c1 else None
    arppu = (i.avg_price - i.cogs) * i.apc - i.one_off
    arpu = i.c1 * arppu
    cm = i.ua * (arpu - i.cpa)
    ltv_cac = arppu / cac if cac else None
    return Outputs(
        buyers=buyers,
        cac=cac,
        arppu=arppu,
        arpu=arpu,
        cm=cm,
        profit=cm - i.fixed_costs,
        ltv_cac=ltv_cac,
        max_cpa=arpu,
    )


def moved(i: Inputs, name: str, step: Decimal = STEP) -> Inputs:
    """The input improved by `step`: up for a revenue driver, down for a cost."""
    value = getattr(i, name)
    factor = 1 - step if name in COSTS else 1 + step
    return i.with_value(name, value * factor)


def break_even(i: Inputs, name: str) -> Decimal | None:
    """The value of input `name` at which CM = 0, the others unchanged; None when no value
    of that input alone can bring CM to zero (UA only scales CM; a margin of zero…)."""
    if name == "cpa":
        return compute(i).arpu
    if name == "ua" or not i.c1:
        return None
    cac = i.cpa / i.c1  # break-even: ARPPU = CAC
    margin = i.avg_price - i.cogs
    if name == "c1":
        arppu = compute(i).arppu
        return i.cpa / arppu if arppu > 0 else None
    if name == "avg_price":
        return i.cogs + (cac + i.one_off) / i.apc if i.apc else None
    if name == "apc":
        return (cac + i.one_off) / margin if margin > 0 else None
    if name == "cogs":
        return i.avg_price - (cac + i.one_off) / i.apc if i.apc else None
    raise ValueError(name)


@dataclass(frozen=True)
class Sensitivity:
    name: str
    delta_cm: Decimal
    break_even: Decimal | None


def sensitivity(i: Inputs, step: Decimal = STEP) -> list[Sensitivity]:
    """Each input moved by `step` (costs down), CM recomputed; the largest gain first
    (ties keep the order of SENSITIVE)."""
    return rank([Sensitivity(name, gain, break_even(i, name)) for name, gain in gains(i, step).items()])


def gains(i: Inputs, step: Decimal = STEP, *, base: Decimal | None = None) -> dict[str, Decimal]:
    """What CM gains with each input moved by `step` (costs down), in SENSITIVE's order.
    `base`: the inputs' CM, when the caller has it."""
    base = compute(i).cm if base is None else base
    return {name: compute(moved(i, name, step)).cm - base for name in SENSITIVE}


def top_lever(i: Inputs, cm: Decimal) -> str | None:
    """The input whose move adds most to CM (`cm`, the inputs' own), or None when none adds:
    sensitivity's first, without the break-even values."""
    name, gain = max(gains(i, base=cm).items(), key=lambda item: item[1])  # the first of equal gains
    return name if gain > 0 else None


def rank(rows: list[Sensitivity]) -> list[Sensitivity]:
    return sorted(rows, key=lambda r: (-r.delta_cm, SENSITIVE.index(r.name)))


def delta_cm_if(i: Inputs, name: str, value: Decimal) -> Decimal:
    """What CM gains (or loses) per period if input `name` became `value`: the price of a
    hypothesis whose metric is that input."""
    return compute(i.with_value(name, value)).cm - compute(i).cm


def suggested_impact(delta_cm: Decimal, cm: Decimal) -> int:
    """An ICE impact score (1–10) from the money: one point per 5 % of the period's |CM|
    gained, 10 from 45 % up, 1 for no gain. With no CM to compare, any gain is a 5."""
    if delta_cm <= 0:
        return 1
    if not cm:
        return 5
    points = int(delta_cm / abs(cm) * 20) + 1
    return max(1, min(10, points))
