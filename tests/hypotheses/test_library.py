"""The learnings library: decided hypotheses of the user's businesses only, full-
text search in Russian and English (PostgreSQL), filters, "tried before" by trigram
similarity, CSV with formulas escaped."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hypotheses import library
from hypotheses.views_library import LIBRARY_COLUMNS
from tests.factories import CompanyFactory, HypothesisFactory, MembershipFactory, decided_hypothesis

pytestmark = pytest.mark.django_db


def _decided(company, title, verdict="confirmed", **fields):
    return decided_hypothesis(company, title, verdict, **{"statement": title} | fields)


@pytest.fixture
def shelves(team, foreign_team):
    """Two businesses of the same tracker, and one of somebody else."""
    dubrava = CompanyFactory(name="«Дубрава»")
    MembershipFactory(company=dubrava, user=team.tracker.user, role="tracker")
    return {
        "guarantee_ru": _decided(
            dubrava,
            "Гарантия возврата денег",
            learning="Гарантия сняла страх переплатить: конверсия выросла",
            constraint=None,
        ),
        "guarantee_en": _decided(
            team.company,
            "Money-back guarantee",
            "refuted",
            learning="Nobody asked for refunds; guarantees did not move conversion",
            constraint=team.constraint,
        ),
        "same_day": _decided(dubrava, "Замер в день звонка", learning="Клиенты выбирают тех, кто приехал первым"),
        "open": HypothesisFactory(company=team.company, title="Money-back guarantee, open"),
        "foreign": _decided(foreign_team.company, "Zeta secret money-back guarantee", learning="Zeta learned"),
    }


def _titles(user, **filters):
    return {h.title for h in library.library(user, library.LibraryFilters(**filters))}


def test_only_decided_hypotheses_of_the_users_businesses(team, shelves):
    assert _titles(team.tracker.user) == {"Гарантия возврата денег", "Money-back guarantee", "Замер в день звонка"}
    # A member of one business sees that business's only.
    assert _titles(team.member.user) == {"Money-back guarantee"}


def test_the_page_never_shows_another_companys_hypotheses(team, shelves, client_for):
    page = client_for(team.tracker).get(reverse("hypotheses:library"), {"q": "guarantee"}).content.decode()
    assert "Money-back guarantee" in page
    assert "Zeta" not in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("гарантию", {"Гарантия возврата денег"}),  # Russian morphology: another case of the word
        ("замеры", {"Замер в день звонка"}),
        ("выбирал", {"Замер в день звонка"}),
        ("guarantees", {"Money-back guarantee"}),  # English stemming
        ("refund", {"Money-back guarantee"}),
        ("guarantee -refunds", set()),  # web search syntax: a word excluded
    ],
)
def test_full_text_search_in_russian_and_english(team, shelves, query, expected):
    assert _titles(team.tracker.user, q=query) == expected


def test_search_finds_a_words_other_form_and_a_word_of_the_statement(team, shelves):
    assert "Гарантия возврата денег" in _titles(team.tracker.user, q="гарантию")
    assert _titles(team.tracker.user, q="conversion") >= {"Money-back guarantee"}


def test_filters_by_verdict_kind_area_and_business(team, shelves):
    user = team.tracker.user
    assert _titles(user, verdict="refuted") == {"Money-back guarantee"}
    assert _titles(user, area=team.constraint.area) == {"Money-back guarantee"}
    assert _titles(user, kind="breakthrough") == set()
    assert _titles(user, company_id=shelves["same_day"].company_id) == {
        "Гарантия возврата денег",
        "Замер в день звонка",
    }
    # Another company's id as a filter shows nothing of it.
    assert _titles(user, company_id=shelves["foreign"].company_id) == set()


def test_tried_before_shows_alike_decisions_across_businesses(team, shelves):
    alike = library.tried_before(team.tracker.user, "Money back guarantee for kitchens")
    assert [h.title for h in alike][:1] == ["Money-back guarantee"]
    assert "Zeta secret money-back guarantee" not in [h.title for h in alike]
    assert [h.title for h in library.tried_before(team.tracker.user, "гарантия возврата")] == [
        "Гарантия возврата денег"
    ]
    assert library.tried_before(team.tracker.user, "Hire a second baker") == []


def test_tried_before_is_trigram_similarity_with_its_index(team, shelves):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'hypothesis_title_trgm_gist'")
        assert "gist_trgm_ops" in cursor.fetchone()[0]
    # A typo still finds it: trigrams, not words.
    assert [h.title for h in library.tried_before(team.tracker.user, "Mony-back guarante")] == ["Money-back guarantee"]


def test_tried_before_endpoint_and_the_form_box(team, shelves, client_for):
    client = client_for(team.tracker)
    response = client.get(reverse("hypotheses:tried_before"), {"title": "money-back guarantee"}).content.decode()
    assert "Money-back guarantee" in response and "refuted" in response and "Nobody asked for refunds" in response
    assert "Zeta" not in response


def test_csv_export_escapes_formulas(team, shelves, client_for):
    _decided(team.company, '=HYPERLINK("http://evil")', learning="+1 for sure")
    response = client_for(team.tracker).get(reverse("hypotheses:library_csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Business", "Title", "Kind", "Verdict"]
    titles = {row[1]: row for row in rows[1:]}
    assert '\'=HYPERLINK("http://evil")' in titles
    assert titles['\'=HYPERLINK("http://evil")'][8] == "'+1 for sure"
    assert not any("Zeta" in cell for row in rows for cell in row)
    assert len(rows) == 5


def test_measured_values_show_as_typed_on_the_page_and_in_the_csv(team, shelves, client_for):
    _decided(team.company, "Courier in two hours", measured_value=Decimal("3.1000"))
    client = client_for(team.tracker)
    page = client.get(reverse("hypotheses:library")).content.decode()
    assert re.search("measured 3.1[ \xa0<]", page) and "measured 3.10" not in page
    response = client.get(reverse("hypotheses:library_csv"))
    rows = {row[1]: row for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))}
    assert rows["Courier in two hours"][4] == "3.1"


def test_the_search_uses_the_migrations_indexes(team, shelves):
    """The query's expressions are the indexed ones (hypotheses/migrations/0001_squashed_0009): PostgreSQL
    can answer from the GIN indexes instead of building every row's vector."""
    from hypotheses.models import Hypothesis

    queryset = library.search(Hypothesis.objects.only("pk"), "гарантию")
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "hypothesis_fts_ru" in plan and "hypothesis_fts_en" in plan, plan


def test_filters_that_match_nothing_say_so_rather_than_nothing_decided(team, shelves, client_for):
    """A verdict filter with no match is not 'nothing decided yet': the library has decisions."""
    client = client_for(team.member)
    page = client.get(reverse("hypotheses:library"), {"verdict": "inconclusive"}).content.decode()
    assert "Nothing decided matches" in page and "Nothing decided yet" not in page
    page = client.get(reverse("hypotheses:library"), {"kind": "breakthrough"}).content.decode()
    assert "Nothing decided matches" in page


def test_a_negative_measured_value_is_a_number_in_the_csv_and_text_still_escaped(team, shelves, client_for):
    """ "-2.5" is a number, not a formula: it is not turned into the text "'-2.5"; a title
    starting with "-" still is."""
    _decided(team.company, "-2+3+cmd|' /C calc'!A0", measured_value=Decimal("-2.5000"))
    _decided(team.company, "Fewer returns", measured_value=Decimal("-10"))
    response = client_for(team.tracker).get(reverse("hypotheses:library_csv"))
    rows = {row[1].lstrip("'"): row for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))}
    assert rows["Fewer returns"][4] == "-10"
    formula = rows["-2+3+cmd|' /C calc'!A0"]
    assert formula[1] == "'-2+3+cmd|' /C calc'!A0" and formula[4] == "-2.5"
    assert formula[9] == "'-2+3+cmd|' /C calc'!A0"  # the statement


def test_the_first_page_reads_the_librarys_index(team, shelves):
    """The order of the library comes from its partial index
    (hypotheses/migrations/0001_squashed_0009), not from every hypothesis of the user's businesses."""
    queryset = library.library(team.tracker.user, library.LibraryFilters())
    sql, params = queryset.values_list(*LIBRARY_COLUMNS)[:51].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "hypothesis_learned_ended" in plan, plan


def test_the_page_costs_four_queries_for_few_and_many(team, shelves, client_for):
    client = client_for(team.tracker)
    url = reverse("hypotheses:library")
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for i in range(60):
        _decided(team.company, f"Decided idea {i}", learning=f"Learned {i}")
    with CaptureQueriesContext(connection) as many:
        body = client.get(url).content.decode()
    # The session, the user; the page's rows (one more than shown: is there an older page?),
    # the businesses to filter by. Nothing counts the library.
    assert len(few) == len(many) == 4, [q["sql"][:80] for q in many]
    assert not any("COUNT(" in q["sql"] for q in many)
    assert 'rel="next"' in body


def test_pages_go_older_and_newer_without_a_count(team, shelves, client_for, monkeypatch):
    monkeypatch.setattr(library, "LIBRARY_PAGE_SIZE", 2)  # the shelves' few learnings make pages
    client = client_for(team.tracker)
    url = reverse("hypotheses:library")
    total = library.library(team.tracker.user, library.LibraryFilters()).count()
    last = -(-total // 2)
    assert last >= 2
    first = client.get(url).content.decode()
    assert 'rel="next"' in first and 'rel="prev"' not in first and "Page 1<" in first
    assert first.count('class="card library-item"') == 2
    end = client.get(url, {"page": last}).content.decode()
    assert 'rel="prev"' in end and 'rel="next"' not in end and f"Page {last}<" in end
    assert end.count('class="card library-item"') == total - (last - 1) * 2


@pytest.mark.parametrize("page", ["abc", "0", "-3", "99999999999999999999", ""])
def test_a_page_that_is_not_a_page_number_is_the_first(team, shelves, client_for, page):
    body = client_for(team.tracker).get(reverse("hypotheses:library"), {"page": page}).content.decode()
    assert "Money-back guarantee" in body


def test_a_page_past_the_last_says_so_and_leads_back(team, shelves, client_for):
    response = client_for(team.tracker).get(reverse("hypotheses:library"), {"page": 40, "kind": ""})
    body = response.content.decode()
    assert response.status_code == 200 and "No older learnings." in body and "Nothing decided" not in body
    assert 'href="?kind="' in body  # back to the newest, the filters kept


def test_the_filters_keep_what_was_chosen_and_escape_the_business_names(team, shelves, client_for):
    team.company.name = 'Roma <b>"&'
    team.company.save()
    dubrava = shelves["same_day"].company
    page = client_for(team.tracker).get(
        reverse("hypotheses:library"), {"verdict": "dropped", "kind": "innovation", "business": dubrava.pk}
    )
    html = page.content.decode()
    selected = re.findall(r'<option value="([^"]*)" selected>', html)
    assert selected == ["dropped", "innovation", str(dubrava.pk)]
    assert f'<option value="{team.company.pk}">Roma &lt;b&gt;&quot;&amp;</option>' in html
    assert "<b>" not in html.split('id="library-business"')[1].split("</select>")[0]
