"""The portfolio card: its flags (one list with their labels, tracking.portfolio.Flag) and the
sprint section that sprints adds to it through the registry."""

import pytest
from django.urls import reverse

from tracking.portfolio import Flag, overview, sections

pytestmark = pytest.mark.django_db


def test_the_sprints_app_adds_its_section_to_every_card():
    assert [section.facts_template for section in sections()] == ["sprints/_portfolio_section.html#facts"]


def test_flags_are_strings_with_one_label_each():
    assert Flag.REVIEW_OVERDUE == "review_overdue" and Flag.REVIEW_OVERDUE.label == "review overdue"
    assert [flag for flag in Flag if flag.is_warning] == [Flag.NOTHING_UNDER_TEST]


def test_a_card_shows_its_flags_by_label_and_links_to_the_sprint_screens(team, client):
    client.force_login(team.tracker.user)
    flags = overview([team.company.pk])[team.company.pk]["flags"]
    assert flags and all(isinstance(flag, Flag) for flag in flags)

    body = client.get(reverse("tracking:portfolio")).content.decode()

    for flag in flags:
        tone = "warn" if flag.is_warning else "danger"
        assert f'<span class="badge {tone}">{flag.label}</span>' in body
    assert reverse("sprints:session", args=[team.company.pk]) in body
    assert reverse("hypotheses:board", args=[team.company.pk]) in body
