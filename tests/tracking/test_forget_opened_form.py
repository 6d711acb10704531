"""After an htmx save, the address no longer opens the form just saved: a reload or Back shows
the page as it now is (tracking/site/middleware.py)."""

import pytest
from django.urls import reverse

from tracking.models import WhyStep

pytestmark = pytest.mark.django_db


def _save(team, client, current_url: str, answer: str = "The brief names no audience", **headers):
    step = team.why_steps[0]
    url = reverse("tracking:why_edit", kwargs={"company_id": team.company.pk, "step_id": step.pk})
    client.force_login(team.tracker.user)
    return client.post(url, {f"s{step.pk}-answer": answer}, headers={"HX-Current-URL": current_url, **headers})


def test_the_saved_forms_parameter_leaves_the_address_and_the_rest_stays(team, client):
    page = reverse("tracking:company_detail", args=[team.company.pk])
    response = _save(team, client, f"http://testserver{page}?window=12&edit_step=4#why-4", **{"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Replace-Url"] == f"{page}?window=12#why-4"
    assert WhyStep.objects.get(pk=team.why_steps[0].pk).answer == "The brief names no audience"


def test_a_refused_save_forgets_it_too_and_an_address_without_one_is_left_alone(team, client):
    page = reverse("tracking:company_detail", args=[team.company.pk])
    refused = _save(team, client, f"http://testserver{page}?edit_step=4", answer="y" * 1001, **{"HX-Request": "true"})
    assert refused["HX-Replace-Url"] == page
    plain_address = _save(team, client, f"http://testserver{page}?window=12", **{"HX-Request": "true"})
    assert "HX-Replace-Url" not in plain_address


def test_a_post_without_htmx_redirects_as_before(team, client):
    page = reverse("tracking:company_detail", args=[team.company.pk])
    response = _save(team, client, f"http://testserver{page}?edit_step=4")
    assert response.status_code == 302 and "HX-Replace-Url" not in response
