"""The demo's customer interviews: «Дубрава» has ten problem interviews in
Russian whose quotes lead to the criterion of choice behind its constraint; three of them
make the insight, and the insight became a hypothesis. The English businesses have a few."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from hypotheses.models import Hypothesis
from tracking.custdev import selectors
from tracking.custdev.models import Insight, Interview
from tracking.models import Company, ConstraintStatus, Membership

pytestmark = pytest.mark.django_db


def test_the_demo_interviews_lead_to_an_insight_and_a_hypothesis(client):
    call_command("seed_demo", stdout=io.StringIO())
    dubrava = Company.objects.get(name="Кухни на заказ «Дубрава»")
    interviews = Interview.objects.filter(company=dubrava)
    assert interviews.count() == 10
    assert set(interviews.values_list("kind", flat=True)) == {"problem"}
    assert all(i.consent and i.story for i in interviews)

    [insight] = Insight.objects.filter(company=dubrava)
    assert insight.tag.name == "замер в день звонка" and insight.people == 3
    summary = next(s for s in selectors.synthesis(dubrava, 3) if s.tag == insight.tag)
    assert summary.people == 3 and summary.offered
    assert all(s.people < 3 for s in selectors.synthesis(dubrava, 3) if s.tag != insight.tag)

    hypothesis = Hypothesis.objects.get(insight=insight)
    active = dubrava.constraints.get(status=ConstraintStatus.ACTIVE)
    assert hypothesis.constraint == active and hypothesis.status == "idea"
    assert selectors.interviews_since(active) == 10

    for name in ("Bluebird Coffee Roasters", "Northwind Dental Studio"):
        assert 2 <= Interview.objects.filter(company__name=name).count() <= 5

    # The tracker finds it in the library, in Russian.
    tracker = Membership.objects.filter(company=dubrava, role="tracker").first().user
    client.force_login(tracker)
    page = client.get(reverse("hypotheses:detail", args=[dubrava.pk, hypothesis.pk])).content.decode()
    assert "Based on 3 interviews" in page
    assert "Вы единственные приехали на замер в тот же день" in page
    # Running the seed again adds nothing.
    call_command("seed_demo", stdout=io.StringIO())
    assert Interview.objects.filter(company=dubrava).count() == 10 and Insight.objects.count() == 1
