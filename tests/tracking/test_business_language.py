"""A business has a language of its own: what the app writes into it (a hypothesis made from an
insight, a note in a history, a carried action's reason, the script templates offered first) is
in that language, whoever reads or clicks; a new business takes its creator's language."""

import pytest
from django.urls import reverse
from django.utils import translation

from hypotheses import services as hypothesis_services
from hypotheses.evidence import hypothesis_from_insight
from sprints import services as sprint_services
from tests.custdev.factories import InterviewFactory, TagFactory, quote
from tracking.custdev.models import Insight
from tracking.models import Company

pytestmark = pytest.mark.django_db


def _russian(team):
    team.company.language = "ru"
    team.company.save(update_fields=["language"])


def _insight(team, people):
    tag = TagFactory(company=team.company, name="замер")
    for n in range(people):
        quote(InterviewFactory(company=team.company, interviewee_name=f"Клиент {n}"), f"Замер в тот же день ({n})", tag)
    return Insight.objects.create(company=team.company, tag=tag, sentence="Замер в день звонка", people=people)


def test_a_hypothesis_from_an_insight_is_written_in_the_business_language_whoever_clicks(team):
    _russian(team)
    with translation.override("en"):  # an English-speaking tracker presses the button
        hypothesis = hypothesis_from_insight(insight=_insight(team, 3), by=team.tracker)
    assert hypothesis.statement.startswith("Если мы будем действовать")
    assert "«Замер в день звонка»" in hypothesis.statement
    assert "If we act" not in hypothesis.statement


def test_an_english_business_gets_english_with_the_right_plural(team):
    with translation.override("ru"):
        one = hypothesis_from_insight(insight=_insight(team, 1), by=team.tracker)
    assert one.statement.startswith("If we act on what 1 customer told us")


def test_notes_written_into_a_russian_business_are_russian(team):
    _russian(team)
    with translation.override("en"):
        sprint_services.actions_carry_over(actions=[team.action], to_sprint=team.planned_sprint, by=team.tracker)
    team.action.refresh_from_db()
    assert team.action.why_not_note.startswith("Перенесено")

    team.hypothesis.success_criteria = ""
    with translation.override("en"):
        hypothesis_services.hypothesis_update(
            hypothesis=team.hypothesis, by=team.tracker, expected_version=team.hypothesis.version, success_criteria=""
        )
    note = team.hypothesis.events.filter(kind="transition").latest("pk").note
    assert note.startswith("Возвращена в идеи"), note


def test_the_scripts_page_offers_the_templates_of_the_business_language(team, client_for):
    _russian(team)
    page = client_for(team.tracker).get(reverse("custdev:scripts", args=[team.company.pk])).content.decode()
    assert "template=problem-ru" in page and "template=problem-en" not in page
    team.company.language = "en"
    team.company.save(update_fields=["language"])
    page = client_for(team.tracker).get(reverse("custdev:scripts", args=[team.company.pk])).content.decode()
    assert "template=problem-en" in page and "template=problem-ru" not in page


def test_a_new_business_takes_its_creators_language_and_the_settings_change_it(team, client_for):
    user = team.tracker.user
    user.language = "ru"
    user.save(update_fields=["language"])
    client = client_for(team.tracker)
    form = client.get(reverse("tracking:company_create")).context["form"]
    assert form["language"].value() == "ru"
    data = {
        "name": "Столярка",
        "timezone": "Europe/Moscow",
        "currency": "RUB",
        "review_weekday": 4,
        "review_time": "10:00",
        "sprint_length_days": 7,
        "reminder_lead_hours": 24,
        "language": "ru",
        "role": "tracker",
        "weekly_capacity_hours": "5",
    }
    client.post(reverse("tracking:company_create"), data)
    assert Company.objects.get(name="Столярка").language == "ru"
