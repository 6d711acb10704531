"""Every page of the toolkit, customer interviews and the learnings library, with data, in
Russian: it renders, numbers are written the Russian way, and a bare business gets a page
that says what to do next instead of an empty table."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from tests import clock
from tests.custdev.factories import InterviewFactory, ScriptFactory, TagFactory, quote
from tests.factories import CompanyFactory, HypothesisFactory, MembershipFactory
from tests.toolkit.test_outcomes import _closed_sprints
from tracking.custdev.models import Insight
from tracking.toolkit.models import Snapshot, UnitEconomics

pytestmark = pytest.mark.django_db

INPUTS = dict(ua=1000, c1=Decimal("5.5"), avg_price=Decimal("2000.5"), cogs=800, apc=Decimal("1.5"), cpa=30)


def _text(response) -> str:
    body = response.content.decode()
    main = body.split("<main", 1)[-1].split("</main>")[0]
    main = re.sub(r"<script.*?</script>", " ", main, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


@pytest.fixture
def business(team, funnel):
    team.company.currency = "RUB"
    team.company.save()
    UnitEconomics.objects.create(company=team.company, **INPUTS)
    a = Snapshot.objects.create(company=team.company, taken_on=clock.today(), label="Март", **INPUTS)
    b = Snapshot.objects.create(
        company=team.company, taken_on=clock.today(), kind="what_if", label="Цена +10 %", **{**INPUTS, "c1": 7}
    )
    _closed_sprints(team, 3)
    tag = TagFactory(company=team.company, name="замер в день звонка")
    interviews = [InterviewFactory(company=team.company, interviewee_name=f"Клиент {n}") for n in range(3)]
    for interview in interviews:
        quote(interview, "Выбрали тех, кто приехал на замер в день звонка", tag)
    Insight.objects.create(company=team.company, tag=tag, sentence="Клиенты выбирают по дню замера", people=3)
    script = ScriptFactory(company=team.company, questions="Вам было бы удобно?\nКогда вы в последний раз…")
    HypothesisFactory(
        company=team.company,
        title="Замер в день звонка",
        status="confirmed",
        verdict="confirmed",
        decided_at=clock.now(),
        measured_value=Decimal("12.5"),
        learning="Клиенты ждут замер в тот же день",
    )
    return {"snapshots": (a, b), "interview": interviews[0], "script": script}


def test_every_page_renders_in_russian_with_numbers_written_the_russian_way(team, business, client_for):
    client = client_for(team.tracker)
    client.cookies["django_language"] = "ru"
    company = team.company.pk
    a, b = business["snapshots"]
    pages = {
        "funnel": reverse("toolkit:funnel", args=[company]),
        "funnel 12": reverse("toolkit:funnel", args=[company]) + "?window=12",
        "unit economics": reverse("toolkit:unit_economics", args=[company]),
        "compare": reverse("toolkit:compare", args=[company]) + f"?a={a.pk}&b={b.pk}",
        "outcomes": reverse("sprints:outcomes", args=[company]),
        "interviews": reverse("custdev:interviews", args=[company]),
        "interview": reverse("custdev:interview_detail", args=[company, business["interview"].pk]),
        "interview edit": reverse("custdev:interview_edit", args=[company, business["interview"].pk]),
        "new interview": reverse("custdev:interview_new", args=[company]),
        "scripts": reverse("custdev:scripts", args=[company]),
        "script": reverse("custdev:script_detail", args=[company, business["script"].pk]),
        "synthesis": reverse("custdev:synthesis", args=[company]),
        "library": reverse("hypotheses:library") + "?q=замер",
        "metrics": reverse("tracking:metrics", args=[company]),
    }
    texts = {}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert 'lang="ru"' in response.content.decode(), name
        texts[name] = _text(response)
    # Money and decimals the Russian way: ARPPU = (2000,5 − 800)·1,5 = 1 800,75 ₽; never 1,800.75.
    assert re.search(r"1\s800,75\s₽", texts["unit economics"]), texts["unit economics"][:2000]
    assert "1,800.75" not in texts["unit economics"] and "$" not in texts["unit economics"]
    assert re.search(r"1\s800,75\s₽", texts["compare"]), texts["compare"]
    assert not re.search(r"\d\.\d", texts["unit economics"] + texts["compare"])
    assert "12,5" in texts["library"] and "Замер в день звонка" in texts["library"]
    assert "%" in texts["funnel"] and not re.search(r"\d\.\d+\s?%", texts["funnel"])


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_bare_business_gets_pages_that_say_what_to_do_next(language, client_for):
    company = CompanyFactory()
    tracker = MembershipFactory(company=company, role="tracker")
    client = client_for(tracker)
    client.cookies["django_language"] = language
    for name in (
        "toolkit:funnel",
        "toolkit:unit_economics",
        "toolkit:compare",
        "sprints:outcomes",
        "custdev:interviews",
        "custdev:scripts",
        "custdev:synthesis",
    ):
        response = client.get(reverse(name, args=[company.pk]))
        assert response.status_code == 200, name
        body = response.content.decode()
        assert "<tbody></tbody>" not in re.sub(r"\s+", "", body), name
    library = client.get(reverse("hypotheses:library"))
    assert library.status_code == 200
    if language == "en":
        assert "Mark metrics as funnel stages" in _text(client.get(reverse("toolkit:funnel", args=[company.pk])))
        assert "Nothing decided yet" in _text(library)
