"""Customer interviews to a hypothesis in a real browser: the tracker writes a
script and sees a leading question flagged as it is typed; logs three interviews on a phone
(375 px) with the same tag created inline — the second one's draft survives a reload —; makes
the insight on the synthesis page and the hypothesis from it in one step ("based on 3
interviews"); sees "tried before" beside the new-hypothesis form; and, once it is decided,
finds it in the learnings library by Russian and by English words."""

import re

import pytest
from playwright.sync_api import expect

from hypotheses.models import Hypothesis
from tests import clock
from tests.e2e.conftest import assert_fits, sign_in
from tests.factories import CompanyFactory, ConstraintFactory, HypothesisFactory, MembershipFactory, UserFactory
from tracking.custdev.models import Interview

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "correct-horse-battery"
TAG = "замер в день звонка"
INSIGHT = "Клиенты выбирают тех, кто приезжает на замер в день звонка"
PEOPLE = [
    ("Анна", "Вы единственные приехали на замер в тот же день"),
    ("Дмитрий", "Мне важно было, чтобы замерщик приехал сегодня"),
    ("Сергей", "Позвонил утром, а в обед уже приехал замерщик"),
]


def _setup():
    tracker = UserFactory(email="tracker@custdev.example", full_name="Tracker")
    dubrava = CompanyFactory(name="Кухни «Дубрава»")
    MembershipFactory(company=dubrava, user=tracker, role="tracker")
    ConstraintFactory(company=dubrava, title="Нет входящих лидов", area="leads")
    # What another business of the same tracker already learned.
    romashka = CompanyFactory(name="Кухни «Ромашка»")
    MembershipFactory(company=romashka, user=tracker, role="tracker")
    HypothesisFactory(
        company=romashka,
        title="Замер в день обращения",
        statement="Если мерить в день обращения, заказов станет больше",
        status="refuted",
        verdict="refuted",
        measured_value=2,
        decided_at=clock.now(),
        learning="Нашим клиентам было всё равно: они выбирали по цене",
    )
    return tracker, dubrava


def _fill_interview(page, name, quote):
    page.locator("[name=held_on]").fill(clock.today().isoformat())
    page.locator("[name=interviewee_name]").fill(name)
    page.locator("[name=segment]").fill("Семьи, ремонт в новостройке")
    page.locator("[name=interviewee_role]").fill("Заказчик кухни")
    page.locator("[name=story]").fill(f"{name}: замерщик конкурентов обещал приехать через неделю.")
    page.locator("[name=q-0-quote]").fill(quote)
    page.locator("[name=q-0-tags]").fill(TAG)


def _log_interview(page, base, name, quote, artifacts_dir, *, reload_midway=False, double_tap=False):
    page.goto(f"{base}/interviews/new/")
    assert_fits(page, "the interview form")
    _fill_interview(page, name, quote)
    if reload_midway:
        # The connection dropped: nothing typed is lost, the draft comes back.
        page.reload()
        expect(page.locator("[data-draft-notice]")).to_be_visible()
        expect(page.locator("[name=q-0-quote]")).to_have_value(quote)
        expect(page.locator("[name=interviewee_name]")).to_have_value(name)
    # Saving without consent is refused, and everything typed stays.
    page.get_by_role("button", name="Save the interview").click()
    expect(page.locator(".field.has-error")).to_contain_text("Ask for consent before saving notes")
    expect(page.locator("[name=q-0-quote]")).to_have_value(quote)
    page.locator("[name=consent]").check()
    if reload_midway:
        page.screenshot(path=artifacts_dir / "custdev-interview-form.png", full_page=True)
    posts = []

    def count_post(request):
        if request.method == "POST":
            posts.append(request)

    page.on("request", count_post)
    save = page.get_by_role("button", name="Save the interview")
    if double_tap:
        # A second tap while the form is on its way (held here) is not sent: the button is
        # disabled, and a send the page still attempts is dropped.
        held = []
        new_form = re.compile(r"/interviews/new/$")
        page.route(new_form, lambda route: held.append(route))
        # Tapped, then (the page still there, its send held) tapped again a moment later.
        disabled = page.locator("form.interview-form").evaluate(
            """form => new Promise(done => {
                const save = form.querySelector("button[type=submit]");
                save.click();
                setTimeout(() => { const disabled = save.disabled; form.requestSubmit(); done(disabled); }, 50);
            })"""
        )
        assert disabled is True
        for route in held:
            route.continue_()
    else:
        save.click()
    expect(page).to_have_url(re.compile(r"/interviews/\d+/\?saved=1$"))
    page.remove_listener("request", count_post)
    assert len(posts) == 1
    if double_tap:
        page.unroute(new_form)
        assert len(held) == 1
    expect(page.locator("blockquote.quote")).to_contain_text(quote)
    # The saved page tells the browser to forget the draft (its deferred script may still be
    # on its way when the quote shows: wait for it rather than read too early).
    page.wait_for_function("() => Object.keys(localStorage).filter((k) => k.startsWith('custdev-')).length === 0")


def test_from_a_script_to_a_hypothesis_found_in_the_library(live_server, page, artifacts_dir):
    tracker, dubrava = _setup()
    base = f"{live_server.url}/b/{dubrava.pk}"
    sign_in(page, live_server.url, tracker.email, PASSWORD)

    # A script: a leading question is flagged as it is typed (a hint: the script still saves).
    page.goto(f"{base}/interviews/scripts/new/?template=problem-ru")
    questions = page.locator("textarea[name=questions]")
    expect(questions).to_have_value(re.compile("Расскажите про последний раз"))
    expect(page.locator("#mom-test-hints li")).to_have_count(0)
    questions.press("End")
    questions.press_sequentially("\nСколько бы вы заплатили за замер?", delay=10)
    hint = page.locator("#mom-test-hints li")
    expect(hint).to_have_count(1)
    expect(hint).to_contain_text("Future or hypothetical")
    page.screenshot(path=artifacts_dir / "custdev-script-hint.png", full_page=True)
    page.locator("[name=segment]").fill("Семьи, ремонт в новостройке")
    page.get_by_role("button", name="Save the script").click()
    expect(page.locator(".script-questions li")).to_have_count(8)
    assert_fits(page, "the script")
    # Printed: no navigation, ruled space for notes under every question, on A4.
    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.locator(".notes-space").first).to_be_visible()
    expect(page.locator(".mom-test-hint").first).to_be_hidden()
    page.emulate_media(media="screen")
    expect(page.locator(".mom-test-hint")).to_have_count(1)

    # Three interviews on the phone, the same tag created inline by the first one.
    for n, (name, quote) in enumerate(PEOPLE):
        _log_interview(page, base, name, quote, artifacts_dir, reload_midway=n == 1, double_tap=n == 2)

    page.goto(f"{base}/interviews/")
    expect(page.locator("table.interviews tbody tr")).to_have_count(3)
    assert_fits(page, "the interview list")

    # The insight, then the hypothesis from it in one step.
    page.goto(f"{base}/interviews/synthesis/")
    assert_fits(page, "the synthesis page")
    summary = page.locator(".tag-summary", has_text=TAG)
    expect(summary.locator(".people")).to_have_text("3 interviewees")
    summary.locator("[name=sentence]").fill(INSIGHT)
    summary.get_by_role("button", name="Make the insight").click()
    page.screenshot(path=artifacts_dir / "custdev-synthesis.png", full_page=True)
    page.locator(".insight", has_text=INSIGHT).get_by_role("button", name="Make a hypothesis of it").click()
    expect(page).to_have_url(re.compile(rf"{re.escape(base)}/hypotheses/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(INSIGHT)
    evidence = page.locator("#evidence")
    expect(evidence).to_contain_text("Based on 3 interviews")
    expect(evidence.locator("blockquote")).to_have_count(3)
    page.screenshot(path=artifacts_dir / "custdev-hypothesis-evidence.png", full_page=True)
    hypothesis = Hypothesis.objects.get(company=dubrava, insight__isnull=False)
    assert hypothesis.confidence == 5

    # "Tried before" beside the form, as the title is typed.
    page.goto(f"{base}/hypotheses/new/")
    page.locator("[name=title]").press_sequentially("Замер в день звонка", delay=10)
    tried = page.locator(".tried-before-item")
    expect(tried).to_have_count(1)
    expect(tried).to_contain_text("Замер в день обращения")
    expect(tried).to_contain_text("refuted at Кухни «Ромашка»")
    expect(tried).to_contain_text("выбирали по цене")
    assert_fits(page, "the hypothesis form with tried before")
    page.screenshot(path=artifacts_dir / "custdev-tried-before.png", full_page=True)

    # Weeks later it is decided: the library finds it by Russian and by English words.
    Hypothesis.objects.filter(pk=hypothesis.pk).update(
        status="confirmed",
        verdict="confirmed",
        measured_value=3,
        decided_at=clock.now(),
        learning="Same-day measurements doubled the orders from calls",
    )
    for words in ("замеры в день звонка", "measurement"):
        page.goto(f"{live_server.url}/library/")
        page.locator("[name=q]").fill(words)
        page.locator("form[role=search] button[type=submit]").click()
        expect(page.locator(".library-item")).to_have_count(1)
        expect(page.locator(".library-item")).to_contain_text(INSIGHT)
    assert_fits(page, "the library")
    page.screenshot(path=artifacts_dir / "custdev-library.png", full_page=True)


def test_a_save_whose_answer_was_lost_sent_again_is_one_interview(live_server, page):
    """The connection drops after the server saved: the phone never sees the saved page, so
    the draft stays; sent again from the restored draft, it is the interview already saved."""
    tracker, dubrava = _setup()
    base = f"{live_server.url}/b/{dubrava.pk}"
    sign_in(page, live_server.url, tracker.email, PASSWORD)
    name, quote = PEOPLE[0]
    page.goto(f"{base}/interviews/new/")
    _fill_interview(page, name, quote)
    page.locator("[name=consent]").check()

    def saved_then_lost(route):
        route.fetch()  # the server saves...
        route.abort("internetdisconnected")  # ...and the answer never arrives

    page.route(
        re.compile(r"/interviews/new/$"),
        lambda route: saved_then_lost(route) if route.request.method == "POST" else route.continue_(),
    )
    with page.expect_event("requestfailed"):
        page.get_by_role("button", name="Save the interview").click()
    page.unroute(re.compile(r"/interviews/new/$"))
    assert Interview.objects.filter(company=dubrava).count() == 1

    page.goto(f"{base}/interviews/new/")
    expect(page.locator("[data-draft-notice]")).to_be_visible()
    expect(page.locator("[name=q-0-quote]")).to_have_value(quote)
    page.get_by_role("button", name="Save the interview").click()
    expect(page).to_have_url(re.compile(r"/interviews/\d+/\?saved=1$"))
    expect(page.locator(".messages")).to_contain_text("This interview was already saved")
    assert Interview.objects.filter(company=dubrava).count() == 1
    page.wait_for_function("() => Object.keys(localStorage).filter((k) => k.startsWith('custdev-')).length === 0")
