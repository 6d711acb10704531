"""An interview script may be written for a hypothesis. The link lives in the
hypotheses app (custdev does not import it); both pages show it; same business only."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hypotheses import scripts
from hypotheses.models import ScriptLink
from tests.custdev.factories import ScriptFactory
from tests.factories import HypothesisFactory
from tracking.custdev.models import Script
from tracking.custdev.purposes import links_of, requested

pytestmark = pytest.mark.django_db

PLANNERS = ("tracker", "entrepreneur", "team_lead")


def _script_data(**extra):
    return {
        "title": "Why families pick a kitchen",
        "kind": "problem",
        "goal": "What makes them choose",
        "segment": "Families",
        "questions": "Tell me about the last kitchen you ordered.",
        **extra,
    }


def _new_url(team):
    return reverse("custdev:script_new", args=[team.company.pk])


def test_the_hypothesis_page_offers_a_script_for_it(team, client_for):
    h = team.hypothesis
    page = client_for(team.tracker).get(reverse("hypotheses:detail", args=[team.company.pk, h.pk])).content.decode()
    assert "No interview script for this hypothesis yet." in page
    assert f'href="{_new_url(team)}?hypothesis={h.pk}"' in page
    assert "Write an interview script for this hypothesis" in page


def test_the_create_form_says_what_it_is_for_and_keeps_it(team, client_for):
    h = team.hypothesis
    page = client_for(team.tracker).get(f"{_new_url(team)}?hypothesis={h.pk}").content.decode()
    assert f'Written for <a href="{reverse("hypotheses:detail", args=[team.company.pk, h.pk])}">' in page
    assert f"hypothesis {h.pk}: {h.title}" in page
    assert f'type="hidden" name="hypothesis" value="{h.pk}"' in page
    # Starting from a template keeps what the script is for.
    assert f"?template=problem-en&amp;hypothesis={h.pk}" in page


@pytest.mark.parametrize("role", PLANNERS)
def test_saving_links_the_script_and_both_pages_show_it(role, team, client_for):
    h = team.hypothesis
    client = client_for(team.by_role(role))
    response = client.post(_new_url(team), _script_data(hypothesis=h.pk))
    script = Script.objects.get(company=team.company, title="Why families pick a kitchen")
    assert response.status_code == 302
    assert ScriptLink.objects.get(script=script).hypothesis == h

    script_page = client.get(reverse("custdev:script_detail", args=[team.company.pk, script.pk])).content.decode()
    assert f"hypothesis {h.pk}: {h.title}" in script_page
    assert reverse("hypotheses:detail", args=[team.company.pk, h.pk]) in script_page

    h_page = client.get(reverse("hypotheses:detail", args=[team.company.pk, h.pk])).content.decode()
    assert reverse("custdev:script_detail", args=[team.company.pk, script.pk]) in h_page
    assert "Why families pick a kitchen" in h_page and "No interview script" not in h_page


def test_a_script_without_a_hypothesis_is_still_saved_alone(team, client_for):
    client_for(team.tracker).post(_new_url(team), _script_data())
    script = Script.objects.get(title="Why families pick a kitchen")
    assert not ScriptLink.objects.filter(script=script).exists()
    assert links_of(script, [scripts.purpose()]) == []


def test_a_member_cannot_write_one_and_nothing_is_linked(team, client_for):
    client = client_for(team.member)
    page = client.get(reverse("hypotheses:detail", args=[team.company.pk, team.hypothesis.pk])).content.decode()
    assert "Write an interview script for this hypothesis" not in page
    response = client.post(_new_url(team), _script_data(hypothesis=team.hypothesis.pk))
    assert response.status_code == 403
    assert not Script.objects.filter(title="Why families pick a kitchen").exists()
    assert not ScriptLink.objects.exists()


def test_another_business_hypothesis_is_refused_and_nothing_saved(team, foreign_team, client_for):
    theirs = foreign_team.hypothesis
    client = client_for(team.tracker)
    page = client.get(f"{_new_url(team)}?hypothesis={theirs.pk}").content.decode()
    assert theirs.title not in page and "Written for" not in page
    assert 'name="hypothesis" value' not in page  # the form does not carry it to the save
    response = client.post(_new_url(team), _script_data(hypothesis=theirs.pk))
    assert response.status_code == 200
    text = response.content.decode()
    assert "What this script is written for is not in this business." in text
    assert 'value="Why families pick a kitchen"' in text  # what was typed stays
    assert theirs.title not in text
    assert not Script.objects.filter(title="Why families pick a kitchen").exists()
    assert not ScriptLink.objects.exists()


def test_the_service_never_links_across_businesses(team, foreign_team):
    ours = ScriptFactory(company=team.company)
    with pytest.raises(ValidationError):
        scripts.attach(ours, foreign_team.hypothesis.pk)
    assert scripts.find(team.company, foreign_team.hypothesis.pk) is None
    assert scripts.find(team.company, team.archived.pk) is None  # archived: not a target
    assert not ScriptLink.objects.exists()


def test_outsiders_get_404_on_the_script_and_the_hypothesis(team, foreign_team, client_for):
    script = ScriptFactory(company=team.company)
    scripts.attach(script, team.hypothesis.pk)
    outsider = client_for(foreign_team.tracker)
    assert outsider.get(reverse("custdev:script_detail", args=[team.company.pk, script.pk])).status_code == 404
    assert outsider.get(reverse("hypotheses:detail", args=[team.company.pk, team.hypothesis.pk])).status_code == 404
    # Their own page never lists our script.
    page = outsider.get(reverse("hypotheses:detail", args=[foreign_team.company.pk, foreign_team.hypothesis.pk]))
    assert script.title not in page.content.decode()


def test_custdev_reads_the_purposes_it_is_given_and_no_other(team):
    purposes = [scripts.purpose()]
    assert requested({"hypothesis": "7", "other": "1"}, purposes) == {"hypothesis": 7}
    assert requested({"hypothesis": "x"}, purposes) == {}
    assert requested({"hypothesis": "7"}, []) == {}  # custdev knows of no hypothesis by itself


def test_the_pages_cost_the_same_with_many_scripts(team, client_for, django_assert_num_queries):
    h = team.hypothesis
    first = ScriptFactory(company=team.company, title="First script")
    scripts.attach(first, h.pk)
    client = client_for(team.tracker)
    pages = [
        reverse("hypotheses:detail", args=[team.company.pk, h.pk]),
        reverse("custdev:script_detail", args=[team.company.pk, first.pk]),
    ]
    counts = []
    for url in pages:
        client.get(url)
        with CaptureQueriesContext(connection) as few:
            client.get(url)
        counts.append(len(few.captured_queries))
    for i in range(15):
        scripts.attach(ScriptFactory(company=team.company, title=f"Script {i}"), h.pk)
        HypothesisFactory(company=team.company, title=f"Other {i}")
    for url, count in zip(pages, counts, strict=True):
        with django_assert_num_queries(count):
            assert client.get(url).status_code == 200
