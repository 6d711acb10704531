"""Every page of the toolkit, customer interviews and the learnings library fits a phone
(375 px), in Russian (longer words) and in English, with the demo's data and for a bare
business (its empty states)."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.e2e.conftest import assert_fits, sign_in
from tracking.custdev.models import Interview, Script
from tracking.models import Company, Membership, User
from tracking.toolkit.models import Snapshot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

EMAIL = "tracker@demo.example"
PASSWORD = "demo-sprints-2026"
RU_COMPANY = "Кухни на заказ «Дубрава»"


def _sign_in(page, base_url, language):
    sign_in(page, base_url, EMAIL, PASSWORD)
    # Signing in speaks the saved language; the pages are then read in `language` as if switched.
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base_url}])


def _pages(company) -> dict[str, str]:
    pk = company.pk
    pages = {
        "funnel": reverse("toolkit:funnel", args=[pk]),
        "funnel, 12 weeks": reverse("toolkit:funnel", args=[pk]) + "?window=12",
        "unit economics": reverse("toolkit:unit_economics", args=[pk]),
        "compare": reverse("toolkit:compare", args=[pk]),
        "outcomes": reverse("sprints:outcomes", args=[pk]),
        "interviews": reverse("custdev:interviews", args=[pk]),
        "new interview": reverse("custdev:interview_new", args=[pk]),
        "scripts": reverse("custdev:scripts", args=[pk]),
        "new script": reverse("custdev:script_new", args=[pk]) + "?template=problem-ru",
        "synthesis": reverse("custdev:synthesis", args=[pk]),
        "library": reverse("hypotheses:library"),
    }
    snapshots = list(Snapshot.objects.filter(company=company).values_list("pk", flat=True)[:2])
    if company.name == RU_COMPANY:
        assert len(snapshots) == 2
    if len(snapshots) == 2:
        pages["compare two"] = pages["compare"] + f"?a={snapshots[0]}&b={snapshots[1]}"
    interview = Interview.objects.filter(company=company).first()
    if interview:
        pages["interview"] = reverse("custdev:interview_detail", args=[pk, interview.pk])
        pages["interview edit"] = reverse("custdev:interview_edit", args=[pk, interview.pk])
    script = Script.objects.filter(company=company).first()
    if script:
        pages["script"] = reverse("custdev:script_detail", args=[pk, script.pk])
    return pages


@pytest.mark.parametrize("language", ["ru", "en"])
def test_every_page_fits_a_phone(live_server, page, language):
    call_command("seed_demo", stdout=io.StringIO())
    dubrava = Company.objects.get(name=RU_COMPANY)
    # A "what if" beside the demo's snapshot, so the side-by-side comparison has two columns.
    snapshot = Snapshot.objects.filter(company=dubrava).first()
    snapshot.pk, snapshot.kind, snapshot.label = None, "what_if", "Что если конверсия в договор вырастет до 25 %"
    snapshot.save()
    bare = Company.objects.create(name="Пустая компания с очень длинным названием для телефона", currency="RUB")
    Membership.objects.create(
        company=bare, user=User.objects.get(email=EMAIL), role="tracker", accepted_at=dubrava.created_at
    )
    _sign_in(page, live_server.url, language)
    for company in (dubrava, bare):
        for name, path in _pages(company).items():
            response = page.goto(live_server.url + path)
            assert response.status == 200, (company.name, name, response.status)
            assert page.locator("html").get_attribute("lang") == language
            assert_fits(page, f"{company.name}: {name} ({language})")
