"""Unit economics: inputs, results in the business's currency, sensitivity, snapshots, refusals."""

import pytest
from django.urls import reverse

from tests.factories import CompanyFactory, MembershipFactory
from tracking.toolkit.models import Snapshot, UnitEconomics

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _dollars(team):
    team.company.currency = "USD"
    team.company.save()


INPUTS = {"period": "month", "ua": "1000", "c1": "5", "avg_price": "2000", "cogs": "800", "apc": "1.5", "cpa": "30"}


def _url(team, name="toolkit:unit_economics"):
    return reverse(name, args=[team.company.pk])


def _ranking(page: str) -> list[str]:
    body = page.split('id="sensitivity"')[1].split("</table>")[0]
    return [part.split('"')[0] for part in body.split('data-input="')[1:]]


def test_results_and_ranking(team, client_for):
    client = client_for(team.tracker)
    response = client.post(_url(team, "toolkit:inputs_save"), INPUTS)
    assert response.status_code == 302
    page = client.get(_url(team)).content.decode()
    # CM = 1000·(0.05·1800 − 30) = 60 000; AvPrice +10 % adds 0.1·50·1.5·2000 = 15 000.
    assert "$60,000" in page
    # By hand (B = 50, ARPPU = 1800): AvPrice 15 000; C1 0.1·50·1800 = 9 000 and APC
    # 0.1·50·1200·1.5 = 9 000 (a tie: C1 first); UA 6 000 and COGS 0.1·50·1.5·800 = 6 000; CPA 3 000.
    assert _ranking(page) == ["avg_price", "c1", "apc", "ua", "cogs", "cpa"]
    assert "Average check (AvPrice) moves income most: 10 % better adds $15,000" in page


def test_changing_c1_moves_the_ranking_htmx(team, client_for):
    client = client_for(team.tracker)
    client.post(_url(team, "toolkit:inputs_save"), INPUTS)
    # By hand: B = 200, ARPPU = 900. AvPrice 0.1·200·1·1000 = 20 000; C1 0.1·200·900 = 18 000;
    # APC 0.1·200·900·1 = 18 000 (a tie: C1 first); UA 0.1·150 000 = 15 000.
    data = {**INPUTS, "c1": "20", "apc": "1", "avg_price": "1000", "cogs": "100"}
    response = client.post(_url(team, "toolkit:inputs_save"), data, headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'id="workspace"' in response.content.decode()
    assert _ranking(response.content.decode())[:3] == ["avg_price", "c1", "apc"]


def test_money_in_russian(client_for):
    company = CompanyFactory(currency="RUB")
    tracker = MembershipFactory(company=company, role="tracker")
    client = client_for(tracker)
    client.post(reverse("toolkit:inputs_save", args=[company.pk]), INPUTS)
    client.cookies["django_language"] = "ru"
    page = client.get(reverse("toolkit:unit_economics", args=[company.pk])).content.decode()
    assert "60\xa0000\xa0₽" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("ua", "0", "Needs at least one user"),
        ("c1", "0", "C1 must be above zero"),
        ("avg_price", "-5", "Cannot be negative."),
        ("cogs", "2500", "The variable cost is above the average check"),
        ("ua", "1" + "0" * 13, "above this field"),
        ("c1", "150", "A conversion is at most 100 %."),
        ("avg_price", "lots", "Enter a number."),
        ("cpa", "", "Give CPA, or the acquisition budget"),
    ],
)
def test_bad_input_keeps_what_was_typed_and_saves_nothing(team, client_for, field, value, message):
    client = client_for(team.tracker)
    response = client.post(_url(team, "toolkit:inputs_save"), {**INPUTS, field: value})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert f'value="{value}"' in page or not value
    assert not UnitEconomics.objects.exists()


def test_cpa_from_the_budget(team, client_for):
    client_for(team.tracker).post(_url(team, "toolkit:inputs_save"), {**INPUTS, "cpa": "", "budget": "45000"})
    assert UnitEconomics.objects.get().cpa == 45


def test_snapshots_what_if_and_compare(team, client_for):
    client = client_for(team.tracker)
    client.post(_url(team, "toolkit:inputs_save"), INPUTS)
    client.post(_url(team, "toolkit:snapshot_add"), {"kind": "snapshot", "label": "November"})
    client.post(_url(team, "toolkit:snapshot_add"), {**INPUTS, "c1": "7", "kind": "what_if", "label": "C1 7 %"})
    november, what_if = Snapshot.objects.get(label="November"), Snapshot.objects.get(label="C1 7 %")
    assert november.c1 == 5 and what_if.c1 == 7 and what_if.kind == "what_if"
    assert UnitEconomics.objects.get().c1 == 5  # a what-if leaves the inputs alone
    page = client.get(_url(team, "toolkit:compare") + f"?a={november.pk}&b={what_if.pk}").content.decode()
    # C1 7 %: ARPU 126, CM = 1000·(126 − 30) = 96 000.
    assert "$60,000" in page and "$96,000" in page


def test_a_refused_what_if_keeps_what_was_typed(team, client_for):
    client = client_for(team.tracker)
    client.post(_url(team, "toolkit:inputs_save"), INPUTS)
    response = client.post(_url(team, "toolkit:snapshot_add"), {**INPUTS, "c1": "abc", "kind": "what_if"})
    assert response.status_code == 400 and 'value="abc"' in response.content.decode()
    assert not Snapshot.objects.exists()


def test_members_read(team, client_for):
    client_for(team.tracker).post(_url(team, "toolkit:inputs_save"), INPUTS)
    page = client_for(team.member).get(_url(team)).content.decode()
    assert "Recalculate" not in page and "$60,000" in page


@pytest.mark.parametrize("snapshots", [1, 20])
def test_fixed_queries(team, client_for, django_assert_num_queries, snapshots):
    client = client_for(team.tracker)
    client.post(_url(team, "toolkit:inputs_save"), INPUTS)
    for i in range(snapshots):
        client.post(_url(team, "toolkit:snapshot_add"), {"kind": "snapshot", "label": f"S{i}"})
    with django_assert_num_queries(6):
        assert client.get(_url(team)).status_code == 200
    ids = list(Snapshot.objects.values_list("pk", flat=True)[:2])
    with django_assert_num_queries(5):
        client.get(_url(team, "toolkit:compare") + f"?a={ids[0]}&b={ids[-1]}")


def test_a_what_if_by_htmx_reloads_the_page_or_shows_errors_in_place(team, client_for):
    client = client_for(team.tracker)
    client.post(_url(team, "toolkit:inputs_save"), INPUTS)
    headers = {"HX-Request": "true"}
    data = {**INPUTS, "c1": "12", "kind": "what_if", "label": "C1 at 12 %"}
    response = client.post(_url(team, "toolkit:snapshot_add"), data, headers=headers)
    assert response["HX-Redirect"] == _url(team)
    assert Snapshot.objects.get(label="C1 at 12 %").c1 == 12 and UnitEconomics.objects.get().c1 == 5
    refused = client.post(_url(team, "toolkit:snapshot_add"), {**data, "cogs": "9999"}, headers=headers)
    page = refused.content.decode()
    assert refused.status_code == 200 and 'id="workspace"' in page and "above the average check" in page
    assert 'value="C1 at 12 %"' in page and Snapshot.objects.count() == 1


def test_the_sensitivity_bars_are_drawn_in_russian_too(team, client_for):
    """SVG coordinates take a dot whatever the language: in Russian a width of "123,4" is not a
    length, and the browser drew no bar."""
    import re

    client = client_for(team.tracker)
    client.post(_url(team, "toolkit:inputs_save"), {**INPUTS, "apc": "1.37", "c1": "4.3"})
    client.cookies["django_language"] = "ru"
    page = client.get(_url(team)).content.decode()
    svg = page.split('<svg class="chart bars"')[1].split("</svg>")[0]
    numbers = re.findall(r'\b(?:x|y|x1|x2|y1|y2|width|height)="([^"]*)"', svg)
    assert numbers and any("." in n or "," in n for n in numbers), numbers  # some coordinate is fractional
    assert [n for n in numbers if not re.fullmatch(r"-?\d+(\.\d+)?", n)] == []


def test_two_first_saves_at_the_same_moment_are_no_500(team, client_for):
    """Both found no inputs and both insert the business's one row: the second is told, with
    what was typed kept, instead of a 500 from the unique index."""
    from unittest import mock

    from django.db.models import QuerySet

    first = UnitEconomics.objects.create(
        company=team.company, ua=1, c1=1, avg_price=10, cogs=1, apc=1, cpa=1
    )  # the other person's save, which this request's lookup did not see
    with mock.patch.object(QuerySet, "first", return_value=None):
        response = client_for(team.tracker).post(_url(team, "toolkit:inputs_save"), INPUTS)
    assert response.status_code == 400
    assert "Someone saved this business" in response.content.decode()
    assert response.context["form"]["avg_price"].value() == "2000"
    assert list(UnitEconomics.objects.values_list("pk", "ua")) == [(first.pk, 1)]


@pytest.mark.parametrize(("language", "apc", "period"), [("en", "1.5", "Month"), ("ru", "1,5", "Месяц")])
def test_a_member_reads_the_inputs_as_typed(team, client_for, language, apc, period):
    """A member (read-only) sees the inputs as typed and the period in words: not the stored
    1.500 (which reads as one thousand five hundred) nor the code "month"."""
    client_for(team.tracker).post(_url(team, "toolkit:inputs_save"), INPUTS)
    client = client_for(team.member)
    client.cookies["django_language"] = language
    page = client.get(_url(team)).content.decode()
    facts = page.split('id="inputs"')[1].split("</dl>")[0]
    assert f"<dd>{apc}</dd>" in facts and f"<dd>{period}</dd>" in facts, facts
    assert "1.500" not in facts and "1,500" not in facts and "<dd>month</dd>" not in facts


def test_inputs_saved_meanwhile_by_someone_else_are_not_overwritten(team, client_for):
    """The entrepreneur saves new inputs while the tracker's page is open: the tracker's save is
    refused once with what they typed kept; then (told) it goes through."""
    from django.test import Client

    client_for(team.tracker).post(_url(team, "toolkit:inputs_save"), INPUTS)
    tracker = client_for(team.tracker)
    opened = tracker.get(_url(team)).context["form"]["version"].value()
    assert opened == 1 and 'name="version" value="1"' in tracker.get(_url(team)).content.decode()
    entrepreneur = Client()
    entrepreneur.force_login(team.entrepreneur.user)
    theirs = entrepreneur.post(_url(team, "toolkit:inputs_save"), {**INPUTS, "ua": "2000", "version": opened})
    assert theirs.status_code == 302

    mine = {**INPUTS, "c1": "7", "version": opened}
    refused = tracker.post(_url(team, "toolkit:inputs_save"), mine)

    assert refused.status_code == 400
    assert "Someone saved the inputs after you opened this page" in refused.content.decode()
    assert refused.context["form"]["c1"].value() == "7"
    row = UnitEconomics.objects.get(company=team.company)
    assert (row.ua, row.c1) == (2000, 5)
    current = refused.context["form"]["version"].value()
    assert current == 2  # the entrepreneur's save: carried on once told
    again = tracker.post(_url(team, "toolkit:inputs_save"), {**mine, "version": current})
    assert again.status_code == 302
    row.refresh_from_db()
    assert (row.ua, row.c1, row.version) == (1000, 7, 3)


def test_a_junk_version_is_only_stale_never_a_hidden_error(team, client_for):
    client = client_for(team.tracker)
    client.post(_url(team, "toolkit:inputs_save"), INPUTS)
    response = client.post(_url(team, "toolkit:inputs_save"), {**INPUTS, "c1": "6", "version": "x\x00" * 50})
    assert response.status_code == 400
    assert "Someone saved the inputs" in response.content.decode()
    assert client.post(_url(team, "toolkit:inputs_save"), {**INPUTS, "c1": "6"}).status_code == 302


def test_the_metrics_mapping_is_text_until_edited(team, client_for):
    """The page says which metric feeds each input; its form (six choices of every metric)
    comes with "Edit": by htmx as the section alone, without JavaScript as the page."""
    client = client_for(team.tracker)
    client.post(_url(team, "toolkit:inputs_save"), INPUTS)
    client.post(_url(team, "toolkit:mapping_save"), {"ua_metric": team.metric.pk})
    page = client.get(_url(team)).content.decode()
    assert 'name="ua_metric"' not in page
    mapping = page.split('id="mapping-now"')[1].split("</dl>")[0]
    assert f"<dt>UA from</dt><dd>{team.metric.name}</dd>" in mapping and "<dd>typed in</dd>" in mapping
    assert 'href="?edit=mapping#mapping"' in page
    edit = client.get(_url(team) + "?edit=mapping").content.decode()
    assert edit.count('_metric" id=') == 6 and "<html" in edit
    section = client.get(_url(team) + "?edit=mapping", headers={"HX-Request": "true"}).content.decode()
    assert section.lstrip().startswith('<section class="card" id="mapping">') and section.count('_metric" id=') == 6
    assert f'<option value="{team.metric.pk}" selected>' in section
    reader = client_for(team.member).get(_url(team) + "?edit=mapping").content.decode()
    assert 'name="ua_metric"' not in reader


def test_the_snapshot_form_is_drawn_only_when_asked(team, economics, client_for):
    """A "Save a snapshot" button fetches the form alone by htmx; ?edit=snapshot draws the page
    with it without JavaScript; a refused snapshot shows it with what was typed."""
    client = client_for(team.tracker)
    page = client.get(_url(team)).content.decode()
    assert 'hx-get="?edit=snapshot"' in page and 'id="snapshot-form"' not in page
    alone = client.get(_url(team), {"edit": "snapshot"}, headers={"HX-Request": "true"}).content.decode()
    assert alone.strip().startswith('<section class="card" id="snapshot-add"') and 'id="snapshot-form"' in alone
    assert 'id="workspace"' not in alone
    assert 'id="snapshot-form"' in client.get(_url(team), {"edit": "snapshot"}).content.decode()
    refused = client.post(_url(team, "toolkit:snapshot_add"), {"kind": "snapshot", "label": "x" * 121})
    assert refused.status_code == 400 and 'id="snapshot-form"' in refused.content.decode()
    viewer = client_for(team.member).get(_url(team), {"edit": "snapshot"}).content.decode()
    assert 'id="snapshot-add"' not in viewer
