"""The weekly loop in two real browsers, both phones (375 px), on the seeded «Дубрава» (the
method's example: a money-back guarantee tested by a PDF offer sent by messenger).

The entrepreneur logs the week on "Log results": both PDF-offer actions done with what came
of them (one is the designer's, one the marketer's: an entrepreneur logs anyone's): each row
is text until its edit control fetches its form, and the save swaps the row back to text
(the count above refreshes itself); then this week's conversion.

Meanwhile the tracker has the weekly session open. The session is one page of steps whose
buttons swap #session: moving to the verdicts shows the entrepreneur's results; each verdict
row is text (its numbers and what they say) until "Decide" fetches its fields; the guarantee
is confirmed with the measured 3.1, the other hypotheses under test are kept in test (each
row then text again); the constraint is still the main one; planning the next sprint carries the unfinished
interview questions over (ticked in advance, since they fit). On the new sprint's board an action for the designer
overbooks her (10 h against 4 h a week), the capacity bar says so (an htmx swap of #plan);
its row is text, "Edit" fetches the row's form, a hypothesis under test is searched and
picked, and Enter in the hours saves them down, which clears the bar (swaps of the row).
Back in the session the review is written and the sprint closed with "Start the next sprint
now": the session page shows the closed sprint, its report and the new sprint started, whose
board is active.

Nothing scrolls sideways at 375 px; screenshots go to artifacts/."""

import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from hypotheses.models import Hypothesis, Status, Verdict
from sprints.models import Action, ActionStatus, Review, Sprint, SprintStatus
from tests.e2e.conftest import (
    DEFAULT_TIMEOUT_MS,
    DEMO_BUSINESS,
    DEMO_ENTREPRENEUR,
    DEMO_PASSWORD,
    DEMO_TRACKER,
    PHONE,
    assert_fits,
    assert_no_reload,
    in_english,
    mark_no_reload,
    nav,
    open_row,
    open_step,
    sign_in,
    swap_of,
)
from tracking.models import Company, Metric, MetricValue
from tracking.weeks import current_week_start

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PDF_OFFER = "Сверстать PDF-оффер с гарантией возврата денег"
SEND_OFFER = "Разослать оффер в мессенджере всем, кто не сделал заказ"
INTERVIEW_QUESTIONS = "Подготовить вопросы для интервью с клиентами"
MONEY_BACK = "Гарантия возврата денег"
CONVERSION = "Конверсия в продажу"
DESIGNER = "Светлана Орлова"
PDF_RESULT = "PDF на одну страницу: гарантия возврата предоплаты крупно, три фото кухонь."
SEND_RESULT = "Отправлено 43 клиентам, 9 ответили, трое записались на замер."
VERDICT_NOTE = "Конверсия 3,1 % против 2 %: гарантия снимает страх отдать предоплату незнакомой мастерской."
NEW_ACTION = "Сверстать оффер с гарантией для сайта и замерщиков"
WHAT_WORKED = "Самый дешёвый тест сработал: PDF в мессенджере, без нового сайта, конверсия 3,1 %."
WHAT_TO_FIX = "Вопросы для интервью снова не готовы: Мария берёт их первыми на следующей неделе."
RECORD = re.compile(r"^Record")


@pytest.fixture
def second_phone(browser):
    """Another phone, in a browser context of its own (its own cookies): a second person."""
    context = browser.new_context(viewport=PHONE, locale="en-US", timezone_id="UTC")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
    yield context.new_page()
    context.close()


def _sign_in(page, base_url, email):
    sign_in(page, base_url, email, DEMO_PASSWORD, from_home=True)
    if email == DEMO_ENTREPRENEUR:  # her saved language is Russian; this journey reads the English words
        in_english(page)
    expect(page.locator("html")).to_have_attribute("lang", "en")


def _open_from_subnav(page, name, url):
    nav(page, "Business").get_by_role("link", name=name, exact=True).click()
    expect(page).to_have_url(url)
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def _log_done(page, action, note):
    """On "Log results": the row is text; its edit control fetches that row's form, which is
    saved as done with what came of it and answers with the row as text again (htmx swaps)."""
    row = page.locator(f"#actions #log-{action.pk}")
    expect(row).to_contain_text(action.title)
    expect(row.locator("form")).to_have_count(0)  # text until edited
    with swap_of(page, f"#log-{action.pk}"):
        row.get_by_role("link", name=re.compile(r"^Log the result")).click()
    row = page.locator(f"#actions #log-{action.pk}")
    row.locator(f"select[name=l{action.pk}-status]").select_option("done")
    row.locator(f"textarea[name=l{action.pk}-result_note]").fill(note)
    with swap_of(page, f"#log-{action.pk}"):
        row.get_by_role("button", name="Save", exact=True).click()
    saved = page.locator(f"#actions #log-{action.pk}")
    expect(saved.get_by_role("status")).to_have_text("Saved")
    expect(saved).to_have_class(re.compile(r"\bstatus-done\b"))
    expect(saved).to_contain_text(note)
    expect(saved.locator("form")).to_have_count(0)


def _go_to_step(page, label, step):
    steps = page.locator("#session").get_by_role("navigation", name="Steps")
    with swap_of(page, "#session"):
        steps.get_by_role("button", name=label, exact=True).click()
    expect(page.locator(f"#session[data-step={step}]")).to_be_visible()
    expect(page.locator(f"#step-{step}")).to_have_attribute("open", "")
    expect(steps.get_by_role("button", name=label, exact=True)).to_have_attribute("aria-current", "step")


def test_entrepreneur_logs_the_week_and_tracker_runs_the_weekly_session(live_server, page, second_phone, artifacts_dir):
    call_command("seed_demo", stdout=io.StringIO())
    company = Company.objects.get(name=DEMO_BUSINESS)
    sprint = Sprint.objects.get(company=company, status=SprintStatus.ACTIVE)
    actions = {a.title: a for a in sprint.actions.select_related("owner__user")}
    pdf_offer, send_offer, questions = actions[PDF_OFFER], actions[SEND_OFFER], actions[INTERVIEW_QUESTIONS]
    assert (pdf_offer.owner.user.full_name, send_offer.owner.user.full_name) == (DESIGNER, "Олег Смирнов")
    money_back = Hypothesis.objects.get(company=company, title=MONEY_BACK)
    kept = list(Hypothesis.objects.filter(company=company, status=Status.TESTING).exclude(pk=money_back.pk))
    assert kept, "the seed has other hypotheses under test"
    conversion = Metric.objects.get(company=company, name=CONVERSION)
    base = f"{live_server.url}/b/{company.pk}"
    entrepreneur, tracker = page, second_phone

    # The tracker opens the session before the results are in.
    _sign_in(tracker, live_server.url, DEMO_TRACKER)
    tracker.get_by_role("link", name=DEMO_BUSINESS, exact=True).click()
    expect(tracker).to_have_url(f"{base}/")
    _open_from_subnav(tracker, "Weekly session", f"{base}/session/")
    expect(tracker.locator(".page-head")).to_contain_text(f"Sprint {sprint.number}")
    expect(tracker.locator(f"#step-results #result-{pdf_offer.pk}")).to_have_class(re.compile(r"\bstatus-todo\b"))

    # (a) The entrepreneur logs the week from a phone.
    _sign_in(entrepreneur, live_server.url, DEMO_ENTREPRENEUR)
    entrepreneur.get_by_role("link", name=DEMO_BUSINESS, exact=True).click()
    expect(entrepreneur).to_have_url(f"{base}/")
    _open_from_subnav(entrepreneur, "Log results", f"{base}/results/")
    expect(entrepreneur.locator("#actions h2")).to_contain_text("1 of 4 logged")
    assert_fits(entrepreneur, "the results page")
    mark_no_reload(entrepreneur)
    _log_done(entrepreneur, pdf_offer, PDF_RESULT)  # the designer's
    _log_done(entrepreneur, send_offer, SEND_RESULT)  # the marketer's
    metrics = entrepreneur.locator("#metrics")
    value = metrics.locator(f"input[name=m{conversion.pk}-value]")
    expect(metrics.locator(f"label[for=id_m{conversion.pk}-value]")).to_contain_text(CONVERSION)
    value.fill("3.1")
    with swap_of(entrepreneur, f"#metric-{conversion.pk}"):
        value.locator("xpath=ancestor::form").get_by_role("button", name="Save", exact=True).click()
    expect(entrepreneur.locator("#metrics .just-saved").get_by_role("status")).to_have_text("Saved")
    expect(entrepreneur.locator(f"#metrics input[name=m{conversion.pk}-value]")).to_have_value("3.1")
    # The count of logged results refreshes itself when a row is saved, so it is current.
    expect(entrepreneur.locator("#actions h2")).to_contain_text("3 of 4 logged")
    assert_no_reload(entrepreneur, "logging results")
    assert_fits(entrepreneur, "the results page with the week logged")
    entrepreneur.screenshot(path=artifacts_dir / "session-journey-results-phone-en.png", full_page=True)

    # (b) The tracker runs the session. Moving to the verdicts begins it, and the swapped-in
    # page already has the entrepreneur's results: in its count, and in the results step (folded
    # now that the session is at the verdicts), whose card opening it fetches.
    mark_no_reload(tracker)
    _go_to_step(tracker, "2. Verdicts", "verdicts")
    expect(tracker.locator("#session-progress")).to_contain_text("3 of 4 logged")
    results = open_step(tracker, "results")
    for action in (pdf_offer, send_offer):
        expect(results.locator(f"#result-{action.pk}")).to_have_class(re.compile(r"\bstatus-done\b"))
    blocks = tracker.locator("#step-verdicts .verdict-block")
    expect(blocks).to_have_count(1 + len(kept))
    block = blocks.filter(has=tracker.get_by_role("link", name=MONEY_BACK, exact=True))
    expect(block.get_by_role("radio")).to_have_count(0)  # text until "Decide"
    block = open_row(tracker, f"#verdict-{money_back.pk}", as_="confirmed")
    expect(block.get_by_role("radio", name="Confirmed", exact=True)).to_be_checked()
    block.get_by_label("Measured value").fill("3.1")
    block.get_by_label("Why").fill(VERDICT_NOTE)
    with tracker.expect_response(re.compile(r"/session/verdicts/$")):
        block.get_by_role("button", name=RECORD).click()  # this row alone
    expect(blocks).to_have_count(len(kept))  # decided: no longer under test, the row leaves
    for hypothesis in kept:
        block = open_row(tracker, f"#verdict-{hypothesis.pk}", as_="keep")
        expect(block.get_by_role("link", name=hypothesis.title, exact=True)).to_be_visible()
        expect(block.get_by_role("radio", name="Keep testing", exact=True)).to_be_checked()
        with swap_of(tracker, f"#verdict-{hypothesis.pk}"):  # the answer is that row, as text
            block.get_by_role("button", name=RECORD).click()
        expect(block).to_contain_text("kept in test")
        expect(block.get_by_role("radio")).to_have_count(0)
    expect(tracker.locator("#step-verdicts .verdict-block.kept")).to_have_count(len(kept))

    # The week's metric is there; the constraint is still the main one, which moves on to planning.
    _go_to_step(tracker, "3. Metrics", "metrics")
    expect(tracker.locator(f"#step-metrics input[name=m{conversion.pk}-value]")).to_have_value(re.compile(r"^3\.10*$"))
    _go_to_step(tracker, "4. Main constraint", "constraint")
    with swap_of(tracker, "#step-constraint"):
        tracker.locator("#step-constraint").get_by_role("button", name="Yes, still the main one").click()
    expect(tracker.locator("#session[data-step=plan]")).to_be_visible()  # on to planning by itself
    expect(tracker.locator("#step-plan")).to_have_attribute("open", "")
    expect(tracker.locator("#step-constraint")).to_contain_text("confirmed this week")
    assert_fits(tracker, "the session")

    # Plan the next sprint: the unfinished action is offered, ticked since it fits, and carried over.
    carry = tracker.locator(f"#step-plan input[name=carry][value='{questions.pk}']")
    expect(carry).to_be_checked()
    expect(tracker.locator("#step-plan input[name=carry]")).to_have_count(1)
    with swap_of(tracker, "#step-plan"):
        tracker.locator("#step-plan").get_by_role("button", name="Plan the next sprint", exact=True).click()
    board_link = tracker.locator("#step-plan").get_by_role("link", name="Open its planning board")
    expect(board_link).to_be_visible()
    expect(tracker.locator("#step-plan")).to_contain_text(f"Sprint {sprint.number + 1}:")
    expect(tracker.locator("#step-plan input[name=carry]")).to_have_count(0)  # nothing left to carry
    assert_no_reload(tracker, "the session")
    assert_fits(tracker, "the session with the next sprint planned")
    tracker.screenshot(path=artifacts_dir / "session-journey-session-phone-en.png", full_page=True)

    upcoming = Sprint.objects.get(company=company, number=sprint.number + 1)
    assert upcoming.status == SprintStatus.PLANNED
    assert (upcoming.starts_on, upcoming.ends_on) == (
        sprint.ends_on + timedelta(days=1),
        sprint.ends_on + timedelta(days=7),
    )

    # Its board: an action that overbooks the designer, then the hours edited down.
    board_link.click()
    board_url = f"{base}/sprints/{upcoming.pk}/"
    expect(tracker).to_have_url(board_url)
    expect(tracker.get_by_role("heading", level=1)).to_contain_text(f"Sprint {upcoming.number}")
    plan = tracker.locator("#plan")
    expect(plan.locator(".action-row")).to_have_count(1)
    expect(plan.locator(".action-row")).to_contain_text(f"carried over from Sprint {sprint.number}")
    add = plan.locator("form.action-add")
    add.locator("[name=title]").fill(NEW_ACTION)
    add.locator("select[name=owner]").select_option(label=DESIGNER)
    add.locator("[name=estimate_hours]").fill("10")
    mark_no_reload(tracker)
    with swap_of(tracker, "#plan"):
        add.get_by_role("button", name="Add", exact=True).click()
    expect(plan.locator(".action-row")).to_have_count(2)
    designer = plan.locator(".cap-row", has_text=DESIGNER)
    expect(designer).to_have_class(re.compile(r"\bover\b"))
    expect(designer).to_contain_text("10 / 4 h")
    expect(designer).to_contain_text("overbooked by 6 h")
    assert_fits(tracker, "the board with an overbooked owner")
    tracker.screenshot(path=artifacts_dir / "session-journey-board-overbooked-phone-en.png", full_page=True)

    # Rows are text: "Edit" fetches that row's form; the hypothesis is searched, not listed;
    # Enter in the hours saves the row, which comes back as text with the capacity card.
    new_action = Action.objects.get(sprint=upcoming, title=NEW_ACTION)
    tested = kept[0]
    row = plan.locator(f"#action-{new_action.pk}")
    expect(row.locator("form.action-edit")).to_have_count(0)
    with swap_of(tracker, f"#action-{new_action.pk}"):
        row.get_by_role("link", name=re.compile(r"^Edit")).click()
    row = plan.locator(f"#action-{new_action.pk}")
    search = row.get_by_role("searchbox")
    search.fill(tested.title[:12])
    option = row.locator(".hyp-options").get_by_role("button", name=tested.title, exact=True)
    with swap_of(tracker, f"#pick-a{new_action.pk}-hypothesis"):
        option.click()
    expect(row.locator(".hyp-chosen")).to_have_text(tested.title)
    hours = row.locator(f"[name=a{new_action.pk}-estimate_hours]")
    hours.fill("2")
    with swap_of(tracker, f"#action-{new_action.pk}"):
        hours.press("Enter")
    row = plan.locator(f"#action-{new_action.pk}")
    expect(row.get_by_role("status")).to_have_text("Saved")
    expect(row).to_contain_text(tested.title)
    expect(plan.locator(".cap-row", has_text=DESIGNER)).to_contain_text("2 / 4 h")
    expect(plan.locator(".cap-row.over")).to_have_count(0)
    expect(plan).not_to_contain_text("overbooked")
    assert_no_reload(tracker, "editing the board")
    assert_fits(tracker, "the board that fits")

    # Back to the session: write the review and close, starting the next sprint.
    _open_from_subnav(tracker, "Weekly session", f"{base}/session/")
    expect(tracker.locator("#session[data-step=plan]")).to_be_visible()  # it resumes where it was
    mark_no_reload(tracker)
    _go_to_step(tracker, "6. Close", "close")
    close = tracker.locator("#step-close")
    expect(close.locator(".alert.warn")).to_have_count(0)  # nothing stops the close
    close.get_by_label("What worked").fill(WHAT_WORKED)
    close.get_by_label("What to fix").fill(WHAT_TO_FIX)
    expect(close.get_by_label("Start the next sprint now")).to_be_checked()
    assert_fits(tracker, "the session's close step")
    with swap_of(tracker, "#session"):
        close.get_by_role("button", name="Close the sprint", exact=True).click()

    # Closing stays on the session page: the closed sprint's summary, its report, the next
    # sprint started; its board is one link away.
    expect(tracker).to_have_url(f"{base}/session/")
    closed = tracker.locator("#session-closed")
    expect(closed).to_contain_text(f"Sprint {sprint.number} is closed")
    expect(closed.get_by_role("link", name="Open the sprint report")).to_be_visible()
    expect(closed).to_contain_text(f"Sprint {upcoming.number} has started.")
    assert_no_reload(tracker, "closing the sprint")
    assert_fits(tracker, "the closed session")
    tracker.screenshot(path=artifacts_dir / "session-journey-closed-phone-en.png", full_page=True)
    closed.get_by_role("link", name=f"Open Sprint {upcoming.number}").click()
    expect(tracker).to_have_url(board_url)
    expect(tracker.get_by_role("heading", level=1)).to_contain_text(f"Sprint {upcoming.number}")
    expect(tracker.locator(".page-head .badge")).to_have_text("Active")
    assert_fits(tracker, "the started sprint's board")
    tracker.screenshot(path=artifacts_dir / "session-journey-board-started-phone-en.png", full_page=True)

    # What the database keeps.
    sprint.refresh_from_db()
    assert sprint.status == SprintStatus.CLOSED and sprint.closed_at is not None
    review = Review.objects.get(sprint=sprint)
    assert (review.what_worked, review.what_to_fix) == (WHAT_WORKED, WHAT_TO_FIX)
    assert review.held_at is not None and review.constraint_confirmed is True
    assert set(review.kept_in_test.all()) == set(kept)
    money_back.refresh_from_db()
    assert (money_back.status, money_back.verdict) == (Status.CONFIRMED, Verdict.CONFIRMED)
    assert money_back.measured_value == Decimal("3.1") and money_back.learning == VERDICT_NOTE
    assert all(h.status == Status.TESTING for h in Hypothesis.objects.filter(pk__in=[h.pk for h in kept]))
    for action, note in ((pdf_offer, PDF_RESULT), (send_offer, SEND_RESULT)):
        action.refresh_from_db()
        assert (action.status, action.result_note) == (ActionStatus.DONE, note)
    assert MetricValue.objects.get(metric=conversion, week_start=current_week_start(company)).value == Decimal("3.1")
    questions.refresh_from_db()
    assert questions.status == ActionStatus.NOT_DONE and questions.why_not_note
    carried = Action.objects.get(carried_over_from=questions)
    assert (carried.sprint_id, carried.title, carried.owner_id, carried.estimate_hours, carried.status) == (
        upcoming.pk,
        INTERVIEW_QUESTIONS,
        questions.owner_id,
        questions.estimate_hours,
        ActionStatus.TODO,
    )
    upcoming.refresh_from_db()
    assert upcoming.status == SprintStatus.ACTIVE and upcoming.started_at is not None
    assert not upcoming.override_reason
    new_action.refresh_from_db()
    assert (new_action.owner.user.full_name, new_action.estimate_hours) == (DESIGNER, Decimal(2))
    assert new_action.hypothesis_id == tested.pk
    assert list(Sprint.objects.filter(company=company, status=SprintStatus.ACTIVE)) == [upcoming]
    assert not Action.objects.filter(sprint=sprint).exclude(status__in=[ActionStatus.DONE, ActionStatus.NOT_DONE])
