"""What makes a page cheaper must not change what it shows: the board's rows read
only the columns they load (a deferred column would cost a query per row), the results page's
plain inputs are what the form's widget renders, the portfolio's links equal reverse(), ids
are never localized while decimals still are, and the hypothesis card's words are there."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from hypotheses.models import Hypothesis
from sprints.forms import MeasuredForm
from sprints.models import Action
from tests import clock
from tests.factories import ActionFactory, MembershipFactory, SprintFactory
from tracking.numbers import money
from tracking.templatetags.layout import BUSINESS, business_url

pytestmark = pytest.mark.django_db


def _get(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_board_rows_cost_no_query_each_whatever_they_show(team, client):
    """Rows with an owner and without, a hypothesis, a cost, carried over from the last sprint:
    the board runs 5 queries for one row and for 40 (row_actions loads only what rows read; the
    team, with each member's past hours, comes with the access check)."""
    client.force_login(team.tracker.user)
    url = reverse("sprints:board", args=[team.company.pk, team.planned_sprint.pk])
    one, _ = _get(client, url)
    carried_from = ActionFactory(sprint=team.active_sprint, title="Left over", owner=team.member)
    owners = [*MembershipFactory.create_batch(2, company=team.company), team.member, None]
    for i in range(39):
        ActionFactory(
            sprint=team.planned_sprint,
            title=f"Row {i}",
            owner=owners[i % 4],
            estimate_hours=Decimal("1.5"),
            cost=Decimal("1234.5") if i % 5 == 0 else None,
            hypothesis=team.hypothesis if i % 3 == 0 else None,
            carried_over_from=carried_from if i == 7 else None,
        )
    forty, body = _get(client, url)
    assert one == forty == 5, (one, forty)
    assert body.count('class="action-row') == 40 and "carried over from Sprint 101" in body
    assert team.hypothesis.title in body and "no owner" in body and str(team.member.user) in body


def test_ids_are_not_localized_and_decimals_still_are(team, client):
    """{% localize off %} on rows: ids are written as they are, while hours and money keep the
    language's decimal separator (floatformat localizes on its own)."""
    action = team.planned_action
    Action.objects.filter(pk=action.pk).update(estimate_hours=Decimal("1.5"), cost=Decimal("2.5"))
    client.force_login(team.tracker.user)
    assert client.post(reverse("language_set"), {"language": "ru", "next": "/"}).status_code == 302
    _, body = _get(client, reverse("sprints:board", args=[team.company.pk, team.planned_sprint.pk]))
    assert '<html lang="ru">' in body
    row = body[body.index(f'id="action-{action.pk}"') :]
    row = row[: row.index("</li>")]
    assert "1,5" in row and "2,5" in row and "1.5" not in row
    assert f"{action.pk}/edit/" in row


def test_the_results_pages_plain_input_is_the_forms_widget(team, client):
    """The hypotheses under test get their input as plain HTML; it must stay what MeasuredForm's
    widget renders, or a save would post something else."""
    hypothesis = team.hypothesis
    Hypothesis.objects.filter(pk=hypothesis.pk).update(
        status="testing", testing_started_at=clock.now(), measured_value=Decimal("3.1000")
    )
    client.force_login(team.tracker.user)
    _, body = _get(client, reverse("sprints:results", args=[team.company.pk]))
    widget = str(MeasuredForm(prefix=f"h{hypothesis.pk}", initial={"measured": "3.1"})["measured"])
    assert widget in body, widget
    action = reverse("sprints:hypothesis_measure", args=[team.company.pk, hypothesis.pk])
    assert f'action="{action}"' in body and f'hx-post="{action}"' in body
    # Nothing measured yet: no value attribute, as the widget renders it.
    Hypothesis.objects.filter(pk=hypothesis.pk).update(measured_value=None)
    _, body = _get(client, reverse("sprints:results", args=[team.company.pk]))
    assert str(MeasuredForm(prefix=f"h{hypothesis.pk}")["measured"]) in body


def test_a_refused_measure_shows_the_form_with_what_was_typed(team, client):
    Hypothesis.objects.filter(pk=team.hypothesis.pk).update(status="testing", testing_started_at=clock.now())
    client.force_login(team.tracker.user)
    url = reverse("sprints:hypothesis_measure", args=[team.company.pk, team.hypothesis.pk])
    response = client.post(url, {f"h{team.hypothesis.pk}-measured": "lots"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and 'value="lots"' in body and 'class="error"' in body


# The business menu, in its order: each page and the words of its link.
BUSINESS_MENU = [
    ("tracking:company_detail", "Overview"),
    ("sprints:list", "Sprints"),
    ("sprints:results", "Log results"),
    ("sprints:session", "Weekly session"),
    ("hypotheses:board", "Hypotheses"),
    ("hypotheses:history", "History"),
    ("tracking:metrics", "Metrics"),
    ("toolkit:funnel", "Toolkit"),
    ("tracking:goals", "Goals"),
    ("tracking:members", "Members"),
    ("tracking:company_settings", "Settings"),
]


def _menu(body: str) -> list[tuple[str, str, str]]:
    """The business menu's links: (href, ' aria-current="page"' or "", words)."""
    menu = re.search(r'<nav class="subnav"[^>]*>(.*?)</nav>', body, re.S).group(1)
    return re.findall(r'<a href="([^"]+)"( aria-current="page")?>([^<]+)</a>', menu)


def test_the_business_menu_marks_the_page_shown_and_links_every_page(team, client):
    client.force_login(team.tracker.user)
    for page, current in BUSINESS_MENU:
        _, body = _get(client, reverse(page, args=[team.company.pk]))
        links = _menu(body)
        assert [words for _, here, words in links] == [words for _, words in BUSINESS_MENU], page
        assert [href for href, _, _ in links] == [reverse(name, args=[team.company.pk]) for name, _ in BUSINESS_MENU]
        assert [words for _, here, words in links if here] == [current], page


def test_the_business_menu_speaks_russian(team, client):
    client.force_login(team.tracker.user)
    client.cookies["django_language"] = "ru"
    _, body = _get(client, reverse("sprints:results", args=[team.company.pk]))
    words = [words for _, _, words in _menu(body)]
    assert words[:2] == ["Обзор", "Спринты"] and "Overview" not in words


def test_business_links_equal_reverse():
    for company_id in (1, 42, 9_007_199_254_740_993):
        assert business_url(company_id) == reverse("tracking:company_detail", args=[company_id])
        for key, name in BUSINESS.items():
            assert business_url(company_id, key) == reverse(name, args=[company_id]), key


def test_the_portfolio_card_links_to_the_business_pages(team, client):
    client.force_login(team.tracker.user)
    _, body = _get(client, reverse("tracking:portfolio"))
    company = team.company.pk
    for name in ("tracking:company_detail", "tracking:members", "sprints:results", "hypotheses:board"):
        assert f'href="{reverse(name, args=[company])}"' in body, name


def test_every_hypothesis_card_has_its_words(team, client):
    """The card's fixed words are translated once per column: every card still has them."""
    Hypothesis.objects.bulk_create(
        Hypothesis(company=team.company, title=f"Idea {i}", status="idea", impact=5, confidence=5, ease=5)
        for i in range(5)
    )
    client.force_login(team.tracker.user)
    _, body = _get(client, reverse("hypotheses:board", args=[team.company.pk]))
    cards = body.count('<li class="hcard')
    assert cards >= 6
    assert body.count(">Move</button>") == cards
    assert body.count('placeholder="reason, if dropping"') == cards
    assert body.count('title="ICE: impact × confidence × ease"') == cards
    assert "not on the main constraint" in body  # the ideas without a constraint say so


def test_an_old_sprint_board_shows_its_carried_rows_without_extra_queries(team, client):
    """The sprint a row was carried over from is named from the same query."""
    client.force_login(team.tracker.user)
    old = SprintFactory(
        company=team.company,
        number=90,
        status="closed",
        starts_on=clock.today() - timedelta(days=70),
        ends_on=clock.today() - timedelta(days=64),
    )
    source = ActionFactory(sprint=old, title="From long ago")
    ActionFactory(sprint=team.planned_sprint, title="Carried", carried_over_from=source)
    queries, body = _get(client, reverse("sprints:board", args=[team.company.pk, team.planned_sprint.pk]))
    assert queries == 5 and "carried over from Sprint 90" in body


def test_a_rows_status_label_is_the_same_on_the_page_and_alone(team, client):
    """The page gives its rows the status labels once (status_labels); a row answered alone
    (htmx) says its own: the same words."""
    action = team.action
    Action.objects.filter(pk=action.pk).update(status="not_done", why_not_note="Ill")
    client.force_login(team.tracker.user)
    _, page = _get(client, reverse("sprints:results", args=[team.company.pk]))
    row = client.get(
        reverse("sprints:action_log_row", args=[team.company.pk, action.pk]), headers={"HX-Request": "true"}
    )
    alone = row.content.decode()
    badge = '<span class="badge">Not done</span>'
    assert badge in alone and badge in page[page.index(f'id="log-{action.pk}"') :]
    _, board = _get(client, reverse("sprints:board", args=[team.company.pk, team.active_sprint.pk]))
    assert badge in board[board.index(f'id="action-{action.pk}"') :]


def test_choice_label_says_what_get_display_says_in_each_language(team):
    from tracking.templatetags.lookup import choice_label

    sprint = team.active_sprint
    for language in ("en", "ru"):
        with translation.override(language):
            assert choice_label(sprint, "status") == sprint.get_status_display()
            assert choice_label(team.hypothesis, "kind") == team.hypothesis.get_kind_display()
    sprint.status = "not-a-status"
    assert choice_label(sprint, "status") == "not-a-status" == sprint.get_status_display()


def test_the_sprint_list_and_the_cards_show_their_labels(team, client):
    client.force_login(team.tracker.user)
    _, body = _get(client, reverse("sprints:list", args=[team.company.pk]))
    assert '<span class="badge">Active</span>' in body and '<span class="badge">Planned</span>' in body
    _, body = _get(client, reverse("hypotheses:board", args=[team.company.pk]))
    label = team.hypothesis.get_kind_display()
    assert f'<span class="badge kind-{team.hypothesis.kind}">{label}</span>' in body


def test_the_add_forms_fields_come_once_and_follow_the_members(team, client):
    """The empty add form's fields are rendered once per business, language and owners: the
    page shows what the form renders, and a renamed or new member shows at once."""
    from sprints.forms import ActionForm
    from sprints.selectors import members
    from tracking.models import User

    client.force_login(team.tracker.user)
    url = reverse("sprints:board", args=[team.company.pk, team.planned_sprint.pk])
    form = ActionForm(company=team.company, members=members(team.company))
    for name in ("title", "owner", "estimate_hours", "cost"):
        assert str(form[name]) in _get(client, url)[1], name
    User.objects.filter(pk=team.member.user_id).update(full_name="Renamed Person")
    MembershipFactory(company=team.company, user__full_name="Newly Joined")
    body = _get(client, url)[1]
    owner = body[body.index('name="owner"') : body.index("</select>", body.index('name="owner"'))]
    assert "Renamed Person" in owner and "Newly Joined" in owner
    assert str(ActionForm(company=team.company, members=members(team.company))["owner"]) in body


def test_a_fixed_word_is_translated_once_per_language_not_once_for_all():
    """{% load words %}: a plain `{% translate %}` keeps its text per language (and escaping);
    a variable, `as`, a filter or a context are Django's own node."""
    from django.template import Context, Template
    from django.templatetags.i18n import TranslateNode

    from tracking.templatetags.words import FixedWordNode

    template = Template(
        '{% load i18n words %}{% translate "Edit" %}|{% translate word %}|{% translate "Edit" as e %}{{ e }}'
        '|{% translate "Save"|upper %}|{% autoescape off %}{% translate "Edit" %}{% endautoescape %}'
    )
    kinds = [type(n) for n in template.nodelist if isinstance(n, TranslateNode)]
    assert kinds.count(FixedWordNode) == 1 and len(kinds) == 4
    said = {}
    for language in ("en", "ru", "en"):
        with translation.override(language):
            said.setdefault(language, set()).add(template.render(Context({"word": "Delete"})))
            edit, delete, save = (translation.gettext(w) for w in ("Edit", "Delete", "Save"))
            expected = "|".join([edit, delete, edit, save.upper(), edit])
            assert template.render(Context({"word": "Delete"})) == expected
    assert said["en"] != said["ru"] and len(said["en"]) == 1 and "Edit" not in said["ru"].pop()


def test_the_empty_add_forms_picker_is_what_the_form_says_in_each_language(team, client):
    """The board shows an empty add form without building one (kept with its fields): the
    picker's field name and label are the form's, in the page's language."""
    from sprints.forms import ActionForm

    client.force_login(team.tracker.user)
    url = reverse("sprints:board", args=[team.company.pk, team.planned_sprint.pk])
    for language in ("en", "ru"):
        assert client.post(reverse("language_set"), {"language": language, "next": "/"}).status_code == 302
        _, body = _get(client, url)
        add = body[body.index('class="action-add"') :]
        with translation.override(language):
            label = str(ActionForm(company=team.company)["hypothesis"].label)
        assert f'<label for="search-hypothesis">{label}: <strong class="hyp-chosen">' in add, language
        assert 'name="hypothesis" value=""' in add and 'class="alert error"' not in add


def _li(body: str, anchor: str) -> str:
    start = body.index(f'id="{anchor}"')
    return body[body.rindex("<li", 0, start) : body.index("</li>", start)]


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_row_alone_is_the_row_on_the_page(team, client, language):
    """Rows come dressed (their words made in Python once per row): a row answered alone
    (htmx, built from an Action) is the page's row, with an owner or none, a cost, a
    hypothesis, carried over, in each language."""
    carried_from = ActionFactory(sprint=team.planned_sprint, title="Earlier", owner=team.member)
    rows = [
        ActionFactory(sprint=team.active_sprint, title="Owned <b>", owner=team.member, estimate_hours=Decimal("1.5")),
        ActionFactory(sprint=team.active_sprint, title="Nobody's", owner=None, cost=Decimal("1234.5")),
        ActionFactory(sprint=team.active_sprint, title="Tests", owner=team.tracker, hypothesis=team.hypothesis),
        ActionFactory(sprint=team.active_sprint, title="Again", owner=team.member, carried_over_from=carried_from),
    ]
    client.force_login(team.tracker.user)
    assert client.post(reverse("language_set"), {"language": language, "next": "/"}).status_code == 302
    _, board = _get(client, reverse("sprints:board", args=[team.company.pk, team.active_sprint.pk]))
    _, results = _get(client, reverse("sprints:results", args=[team.company.pk]))
    htmx = {"HX-Request": "true"}
    for action in rows:
        alone = client.get(reverse("sprints:action_row", args=[team.company.pk, action.pk]), headers=htmx)
        assert _li(alone.content.decode(), f"action-{action.pk}") == _li(board, f"action-{action.pk}")
        alone = client.get(reverse("sprints:action_log_row", args=[team.company.pk, action.pk]), headers=htmx)
        assert _li(alone.content.decode(), f"log-{action.pk}") == _li(results, f"log-{action.pk}")
    with translation.override(language):
        no_owner, hours = translation.gettext("no owner"), translation.gettext("h")
        cost = money(Decimal("1234.5"), team.company.currency)  # the one helper: «1 234,50 $», "$1,234.50"
    assert "Owned &lt;b&gt;" in board and f"{no_owner} · 2 {hours} · {cost}" in board
    assert f"1{',' if language == 'ru' else '.'}5 {hours}" in _li(results, f"log-{rows[0].pk}")


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_hypothesis_rows_label_is_the_same_on_the_page_and_alone(team, client, language):
    """The results page's hypothesis rows are light rows with their label made once (metric:
    baseline → target as typed, in the page's language); a row answered alone says the same."""
    hypothesis = team.hypothesis
    Hypothesis.objects.filter(pk=hypothesis.pk).update(
        status="testing", testing_started_at=clock.now(), baseline=Decimal("3.5000"), expected_value=Decimal("4.2500")
    )
    client.force_login(team.tracker.user)
    assert client.post(reverse("language_set"), {"language": language, "next": "/"}).status_code == 302
    comma = "," if language == "ru" else "."
    label = f'<span class="muted">· {hypothesis.metric.name}: 3{comma}5 → 4{comma}25</span>'
    _, body = _get(client, reverse("sprints:results", args=[team.company.pk]))
    assert body.count(label) == 1
    url = reverse("sprints:hypothesis_measure", args=[team.company.pk, hypothesis.pk])
    alone = client.post(url, {f"h{hypothesis.pk}-measured": "4"}, headers={"HX-Request": "true"}).content.decode()
    assert label in alone and f'action="{url}"' in alone and 'class="saved"' in alone


def test_every_cards_links_are_what_reverse_says(team, client):
    """The cards' links come made by the board's selector: each is reverse()'s."""
    client.force_login(team.tracker.user)
    _, body = _get(client, reverse("hypotheses:board", args=[team.company.pk]))
    card = _li(body, f"h-{team.hypothesis.pk}")
    detail = reverse("hypotheses:detail", args=[team.company.pk, team.hypothesis.pk])
    move = reverse("hypotheses:transition", args=[team.company.pk, team.hypothesis.pk])
    assert f'<a href="{detail}">' in card and f'action="{move}" hx-post="{move}"' in card
