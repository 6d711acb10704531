"""Random input to the hypothesis create and edit forms, through the test client.

Whatever is typed: never a 500 (only 200, 302 or 409); a refused form changes nothing in the
database; a saved one is valid (`full_clean()`) and stays inside its company. The forms are
posted as the team's tracker; another team (a second `make_team`) supplies foreign ids.

FUZZ_EXAMPLES=500 runs more examples per test, to look for rare failures.
"""

import os
from decimal import Decimal

from django.urls import reverse
from hypothesis import HealthCheck, event, example, given, note, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from hypotheses.forms import HYPOTHESIS_FORM_FIELDS, HypothesisForm
from hypotheses.models import Hypothesis, HypothesisEvent, Kind, Status
from hypotheses.services import missing_for_testing
from tests.conftest import make_team

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "80"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Stand-ins for ids only known once the test data exists (resolved in `_resolve`).
OWN, FOREIGN, CURRENT = "<own>", "<foreign>", "<current>"

# --- Text ----------------------------------------------------------------------------------

control = st.characters(codec="utf-8", categories=["Cc"])  # includes "\x00", "\r", "\x7f"
text_with_nul = st.tuples(st.text(max_size=20), st.text(max_size=20)).map("\x00".join)
long_text = st.tuples(st.text(min_size=1, max_size=5), st.integers(150, 2100)).map(lambda t: t[0] * t[1])
junk_text = st.one_of(
    st.text(max_size=60),  # any unicode, no surrogates
    st.text(control, max_size=20),
    st.text(st.characters(codec="utf-8", categories=["Cc", "Zs", "Zl", "Zp", "Mn", "Cf"]), max_size=20),
    text_with_nul,
    long_text,
)


def text_field(*valid: str):
    return st.one_of(st.sampled_from(valid), junk_text)


# --- Numbers -------------------------------------------------------------------------------

number_words = st.sampled_from(
    [
        "",
        " ",
        "0",
        "-0",
        "3",
        "2.5",
        "1,5",
        "0,0001",
        "1 000",
        "1_000",
        "1e30",
        "1e-30",
        "-1e14",
        "99999999999999",
        "99999999999999.9999",
        "100000000000000",
        "0.00001",
        "NaN",
        "nan",
        "sNaN",
        "Infinity",
        "-inf",
        "١٢٣",  # Arabic-Indic digits
        "３",  # a fullwidth digit
        "9" * 5000,  # beyond Python's int-from-string digit limit
        "1\x00",
        "\x002",
    ]
)
numbers = st.one_of(
    number_words,
    st.integers(-(10**25), 10**25).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(str),
    st.floats(-1e6, 1e6).map(lambda f: str(f).replace(".", ",")),
    st.text(max_size=8),
)
expected = st.one_of(
    numbers,
    st.tuples(st.sampled_from(["×", "x", "X", "*", " × ", "×\t", "xx", "×\x00"]), numbers).map("".join),
    st.sampled_from(["×0", "x-1", "×1.5", "x1.5", "×1,5", "× 2", "×999.999", "×1000", "×0.0001", "×1.23456"]),
)
money = st.one_of(st.sampled_from(["", "0", "50000", "1200.50"]), numbers)

# --- Dates, ICE, choices, ids ---------------------------------------------------------------

dates = st.one_of(
    st.just(""),
    st.dates().map(lambda d: d.isoformat()),  # years 1..9999
    st.tuples(st.integers(-1, 10001), st.integers(0, 13), st.integers(0, 32)).map(
        lambda t: f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}"
    ),
    st.sampled_from(["2026-02-30", "2025-02-29", "0000-01-01", "10000-01-01", "31.12.2026", "12/31/2026", "today"]),
    st.text(max_size=12),
)
ice = st.one_of(
    st.integers(-5, 20).map(str), st.sampled_from(["5.0", "1e1", "٥", " 7 ", "", "10.5"]), st.text(max_size=4)
)
kind = st.one_of(st.sampled_from(Kind.values), st.sampled_from(["", "INNOVATION", "other"]), st.text(max_size=15))
ids = st.one_of(
    st.sampled_from([OWN, FOREIGN, ""]),
    st.integers(-(2**63), 2**70).map(str),
    st.sampled_from(["0", "-1", "1.0", "1e3", "9223372036854775808", "1\x00"]),
    st.text(max_size=6),
)
version = st.one_of(
    st.just(CURRENT), st.integers(-5, 10**20).map(str), st.sampled_from(["", "1.0", "٣"]), st.text(max_size=6)
)

junk_form = st.fixed_dictionaries(
    {
        "title": text_field("Free delivery on Fridays", "Гарантия возврата денег 🍞"),
        "statement": text_field("If we deliver free on Fridays, orders grow 1.5x, because delivery is the blocker."),
        "kind": kind,
        "constraint": ids,
        "metric": ids,
        "baseline": numbers,
        "expected": expected,
        "success_criteria": text_field("", "Orders reach 30 a week"),
        "cheapest_test": text_field("", "A PDF offer by messenger"),
        "impact": ice,
        "confidence": ice,
        "ease": ice,
        "expected_return": money,
        "budget_cap": money,
        "spent": money,
        "kill_date": dates,
    }
)


def _valid_text(min_size, max_size):
    return st.text(min_size=min_size, max_size=max_size).filter(
        lambda s: "\x00" not in s and (not min_size or s.strip())
    )


def _valid_decimal(low, high, places):
    return st.decimals(min_value=low, max_value=high, places=places, allow_nan=False, allow_infinity=False)


FIELDS = HYPOTHESIS_FORM_FIELDS
valid_value = _valid_decimal(-(10**13), 10**13, 4).map(str)
# Input a person could well type, every field acceptable on its own (the baseline may be missing
# under a multiplier, which the form refuses).
valid_form = st.fixed_dictionaries(
    {
        "title": _valid_text(1, 200),
        "statement": _valid_text(1, 300),
        "kind": st.sampled_from(Kind.values),
        "constraint": st.sampled_from([OWN, ""]),
        "metric": st.sampled_from([OWN, ""]),
        "baseline": st.one_of(st.just(""), valid_value),
        "expected": st.one_of(
            st.just(""),
            valid_value,
            st.tuples(st.sampled_from(["×", "x", "X", "*"]), _valid_decimal(Decimal("0.001"), 999, 3)).map(
                lambda t: f"{t[0]}{t[1]}"
            ),
        ),
        "success_criteria": _valid_text(0, 300),
        "cheapest_test": _valid_text(0, 300),
        "impact": st.integers(1, 10).map(str),
        "confidence": st.integers(1, 10).map(str),
        "ease": st.integers(1, 10).map(str),
        "expected_return": st.one_of(st.just(""), _valid_decimal(0, 10**11, 2).map(str)),
        "budget_cap": st.one_of(st.just(""), _valid_decimal(0, 10**11, 2).map(str)),
        "spent": st.one_of(st.just(""), _valid_decimal(0, 10**11, 2).map(str)),
        "kill_date": st.one_of(st.just(""), st.dates().map(lambda d: d.isoformat())),
    }
)
# Mostly valid input with a few fields (up to all of them) replaced by junk.
form_data = st.builds(
    lambda valid, junk, spoiled: {name: junk[name] if name in spoiled else value for name, value in valid.items()},
    valid_form,
    junk_form,
    st.sets(st.sampled_from(FIELDS)),
)

# Inputs named in the brief, always tried (on top of the random ones).
VALID = {
    "title": "Free delivery on Fridays",
    "statement": "If we deliver free on Fridays, orders grow 1.5x, because delivery is the blocker.",
    "kind": "innovation",
    "constraint": OWN,
    "metric": OWN,
    "baseline": "20",
    "expected": "×1.5",
    "success_criteria": "Orders reach 30 a week",
    "cheapest_test": "A PDF offer by messenger",
    "impact": "5",
    "confidence": "5",
    "ease": "5",
    "expected_return": "50000",
    "budget_cap": "",
    "spent": "",
    "kill_date": "2026-06-30",
}
EXAMPLES_NAMED = [
    VALID,
    {**VALID, "expected": "x1.5"},
    {**VALID, "expected": "3"},
    {**VALID, "expected": "×1,5", "baseline": "", "metric": ""},
    {**VALID, "title": "Null\x00byte"},
    {**VALID, "statement": "\x00"},
    {**VALID, "cheapest_test": "PDF\x00"},
    {**VALID, "title": "\x01\x02\x1f\x7f\u200b 🍞 Ω"},
    {**VALID, "statement": "я" * 2001},
    {**VALID, "expected": "×0"},
    {**VALID, "expected": "x-1"},
    {**VALID, "expected": "1e30"},
    {**VALID, "expected": "NaN"},
    {**VALID, "baseline": "NaN"},
    {**VALID, "baseline": "1e30"},
    {**VALID, "baseline": "-1e13", "expected": "×999"},
    {**VALID, "baseline": "1,5"},
    {**VALID, "expected_return": "-1"},
    {**VALID, "kill_date": "2026-02-30"},
    {**VALID, "kill_date": "0001-01-01"},
    {**VALID, "kill_date": "9999-12-31"},
    {**VALID, "impact": "-5", "ease": "20", "confidence": "ten"},
    {**VALID, "kind": "breakthrough\x00"},
    {**VALID, "metric": FOREIGN},
    {**VALID, "constraint": FOREIGN},
    {**VALID, "metric": "9223372036854775808"},
]


def _named_examples(arguments):
    """Decorate a @given test with one explicit @example per input of EXAMPLES_NAMED."""

    def decorate(test):
        for data in reversed(EXAMPLES_NAMED):
            test = example(**arguments(data))(test)
        return test

    return decorate


def _rows():
    """Every hypothesis of both companies, as stored."""
    return {row["id"]: row for row in Hypothesis.objects.values()}


def test_the_form_shows_exactly_the_services_fields():
    # One field list: a field added to the service's list and not to the form (or the other
    # way round) fails here, not in a user's hands.
    assert tuple(HypothesisForm.base_fields) == (*HYPOTHESIS_FORM_FIELDS, "version")


class HypothesisFormFuzz(HypothesisTestCase):
    """Random input to the create and edit forms: no 500, nothing half-saved, nothing invalid saved."""

    @classmethod
    def setUpTestData(cls):
        cls.team = make_team("Fuzz Bakery")
        cls.foreign = make_team("Fuzz Foreign Ltd")

    def _resolve(self, data: dict, h: Hypothesis | None = None) -> dict:
        own = {"constraint": self.team.constraint.pk, "metric": self.team.metric.pk}
        foreign = {"constraint": self.foreign.constraint.pk, "metric": self.foreign.metric.pk}
        data = dict(data)
        for name in ("constraint", "metric"):
            data[name] = {OWN: own[name], FOREIGN: foreign[name]}.get(data[name], data[name])
        if h is not None:
            data["version"] = h.version if data["version"] == CURRENT else data["version"]
        note(f"posted: {data!r}")
        return data

    def _assert_saved_is_valid(self, h: Hypothesis, data: dict) -> None:
        h.full_clean()
        company = self.team.company
        assert h.company_id == company.pk
        assert h.metric_id is None or h.metric.company_id == company.pk
        assert h.constraint_id is None or h.constraint.company_id == company.pk
        # What was typed is what was saved (Django strips surrounding whitespace, nothing else).
        assert (h.title, h.statement, h.kind) == (data["title"].strip(), data["statement"].strip(), data["kind"])
        if h.expected_multiplier is not None:
            assert h.baseline is not None
            assert h.expected_value == (h.baseline * h.expected_multiplier).quantize(Decimal("0.0001"))

    @FUZZ
    @given(data=form_data)
    @_named_examples(lambda data: {"data": data})
    def test_create(self, data):
        self.client.force_login(self.team.tracker.user)
        plainly_valid = data == VALID
        data = self._resolve(data)
        rows, events = _rows(), HypothesisEvent.objects.count()

        response = self.client.post(reverse("hypotheses:new", args=[self.team.company.pk]), data)

        event(f"HTTP {response.status_code}")
        assert response.status_code in {200, 302}, response.status_code
        assert response.status_code == 302 or not plainly_valid  # the fuzzing is not vacuous
        if response.status_code == 200:  # refused: nothing may have changed
            assert response.context["form"].errors
            assert _rows() == rows
            assert HypothesisEvent.objects.count() == events
            return
        new = Hypothesis.objects.exclude(pk__in=rows).get()
        assert response["Location"] == reverse("hypotheses:detail", args=[self.team.company.pk, new.pk])
        assert {pk: row for pk, row in _rows().items() if pk != new.pk} == rows
        assert list(new.events.values_list("kind", flat=True)) == [HypothesisEvent.Kind.CREATED]
        assert HypothesisEvent.objects.count() == events + 1
        assert (new.status, new.version, new.author_id) == (Status.IDEA, 1, self.team.tracker.user_id)
        self._assert_saved_is_valid(new, data)

    @FUZZ
    @given(
        data=form_data,
        version=version,
        status=st.sampled_from([Status.IDEA, Status.READY, Status.TESTING, Status.CONFIRMED]),
    )
    @_named_examples(lambda data: {"data": data, "version": CURRENT, "status": Status.READY})
    @example(data=VALID, version="0", status=Status.READY)
    @example(data=VALID, version="-1", status=Status.TESTING)
    @example(data=VALID, version=str(10**20), status=Status.READY)
    @example(data=VALID, version="", status=Status.IDEA)
    @example(data=VALID, version="1\x00", status=Status.READY)
    def test_edit(self, data, version, status):
        self.client.force_login(self.team.tracker.user)
        h = self.team.hypothesis
        verdict = status if status == Status.CONFIRMED else ""
        Hypothesis.objects.filter(pk=h.pk).update(status=status, verdict=verdict)
        h.refresh_from_db()
        plainly_valid, stale = data == VALID and version == CURRENT, data == VALID and version in ("0", "-1")
        data = self._resolve({**data, "version": version}, h)
        rows, events = _rows(), HypothesisEvent.objects.count()

        response = self.client.post(reverse("hypotheses:edit", args=[self.team.company.pk, h.pk]), data)

        event(f"HTTP {response.status_code}")
        assert response.status_code in {200, 302, 409}, response.status_code
        assert response.status_code == 302 or not plainly_valid  # the fuzzing is not vacuous
        assert response.status_code == 409 or not stale  # a stale or forged version is a conflict
        if response.status_code != 302:  # refused: nothing may have changed
            assert response.context["form"].errors
            assert _rows() == rows
            assert HypothesisEvent.objects.count() == events
            if response.status_code == 409:  # only when the version posted is not the current one
                assert str(data["version"]).strip() != str(h.version)
                assert response.context["conflict"].version == h.version
            return
        assert response["Location"] == reverse("hypotheses:detail", args=[self.team.company.pk, h.pk])
        after = _rows()
        assert {pk: row for pk, row in after.items() if pk != h.pk} == {pk: r for pk, r in rows.items() if pk != h.pk}
        saved = Hypothesis.objects.get(pk=h.pk)
        changed = after[h.pk] != rows[h.pk]
        # A save that changed something bumps the version and writes exactly one "edited" event;
        # a Ready one that lost what testing needs also goes back to Idea, with that transition.
        demoted = status == Status.READY and saved.status == Status.IDEA
        assert saved.version == h.version + changed
        assert HypothesisEvent.objects.count() == events + changed + demoted
        if changed:
            edited = saved.events.filter(kind=HypothesisEvent.Kind.EDITED).latest("pk")
            assert edited.changes
        if demoted:
            assert missing_for_testing(saved)
            back = saved.events.latest("pk")
            assert (back.kind, back.from_status, back.to_status) == (
                HypothesisEvent.Kind.TRANSITION,
                Status.READY,
                Status.IDEA,
            )
        self._assert_saved_is_valid(saved, data)
