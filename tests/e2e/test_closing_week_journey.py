"""The end of a week, in a real browser on a phone (375 px): verdicts that follow the numbers, a
"not done" action carried over, a close whose next sprint cannot start, that sprint started
later from the portfolio, and the closed sprint's report. Twice: «Дубрава» in Russian and
Bluebird in English, both on the seeded demo, both run by the demo's tracker.

«Дубрава» (the tracker switches the interface to Russian with the top bar's RU). The session's
result and verdict rows are text until their button opens each one's fields. Step 1 logs the
week: both PDF-offer actions done, the interview questions not done, with why. Step 2: the
interview hypothesis's numbers say “inconclusive” (19 leads against 17 → 22): its row says so
and, opened, has that verdict pre-selected; it is accepted with the why. The money-back guarantee's numbers say
“inconclusive” too (2.2 % against 2 → 3): confirming it without a reason is refused (the row
says what the numbers say, nothing is saved), and saved with the reason. The marketplace stays
in test. Step 5 carries the interview questions over (ticked in advance: they fit) and plans a
6-hour action for the designer, who has 4 h a week. Step 6 closes the sprint asking to start
the next one, which is refused: the designer is overbooked. The tracker leaves for the
portfolio, where the business is flagged "no active sprint" and the planned sprint waits; the
session page and its board show it too; it is started from the portfolio card with "start
anyway, because…". The closed sprint's report lists every action and every verdict as the
database has them. Russian UI words are not matched (they may not be translated yet): elements
are found by names, ids and values, and expected UI text is what Django's Russian catalogue
gives.

Bluebird (English). Set-up, as the team would have done it during the week: the tasting-notes
card hypothesis is put under test on returning customers (37 → 45) and this week's returning
customers (46) are logged. Step 1: the subscriptions were not charged (not done, with why), the
tasting card is drafted (done). Step 2: the card's numbers say “confirmed”, accepted; the bean
subscription's say “refuted” (22 against 22 → 28): confirming it is refused without a reason,
saved with it. Step 5 carries the charging into the planned Sprint 6 and overbooks the barista;
step 6 closes, the start is refused; the portfolio starts Sprint 6 anyway, with the reason.

Nothing scrolls sideways at 375 px; the reports' screenshots are artifacts/report-ru.png and
artifacts/report-en.png."""

import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from hypotheses import services as hypothesis_services
from hypotheses.models import Hypothesis, Status, Verdict
from sprints.models import Action, ActionStatus, Review, Sprint, SprintStatus
from tests import clock
from tests.e2e.conftest import (
    DEMO_BUSINESS,
    DEMO_PASSWORD,
    DEMO_TRACKER,
    ROW_BUTTON,
    assert_fits,
    assert_no_reload,
    mark_no_reload,
    nav,
    open_menu,
    open_row,
    sign_in,
    swap_of,
)
from tracking.models import Company, Membership, Metric, MetricValue
from tracking.portfolio import Flag
from tracking.services.metrics import metric_value_record
from tracking.weeks import current_week_start

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

KEEP_TESTING = "keep"  # the "keep testing" radio's value (sprints.session.KEEP_TESTING)

# «Дубрава»: the demo's data (Russian data strings are matched; UI words are not).
RU_BUSINESS = DEMO_BUSINESS
RU_PDF_OFFER = "Сверстать PDF-оффер с гарантией возврата денег"
RU_SEND_OFFER = "Разослать оффер в мессенджере всем, кто не сделал заказ"
RU_QUESTIONS = "Подготовить вопросы для интервью с клиентами"
RU_MONEY_BACK = "Гарантия возврата денег"
RU_INTERVIEWS = "Интервью с 10 последними клиентами о критериях выбора"
RU_MARKETPLACE = "Выход на маркетплейс мебели"
RU_DESIGNER = "Светлана Орлова"
RU_PDF_RESULT = "PDF на одну страницу: гарантия возврата предоплаты крупно, три фото кухонь."
RU_SEND_RESULT = "Отправлено 43 клиентам, 9 ответили, трое записались на замер."
RU_QUESTIONS_WHY_NOT = "Мария всю неделю была на замерах по офферу: вопросы не начаты."
RU_INTERVIEWS_WHY = "19 лидов против 17: интервью ещё идут, реклама не менялась — рано судить."
RU_MONEY_BACK_WHY = "Трое из 43 записались на замер, двое внесли предоплату: гарантия снимает страх."
RU_MONEY_BACK_AGAINST = "Конверсия в метрике — за прошлую неделю, до рассылки; по записям на замер критерий выполнен."
RU_NEW_ACTION = "Сверстать оффер с гарантией для сайта и замерщиков"
RU_WHAT_WORKED = "Самый дешёвый тест сработал: PDF в мессенджере, без нового сайта."
RU_WHAT_TO_FIX = "Вопросы для интервью снова не готовы: Мария берёт их первыми."
RU_START_ANYWAY = "Светлана берёт два дня из отпуска: оффер для сайта нужен до выставки."

# Bluebird.
EN_BUSINESS = "Bluebird Coffee Roasters"
EN_CALL = "Call five subscribers about their delivery day"
EN_CHARGE = "Charge the first subscriptions by hand"
EN_DRAFT = "Draft the tasting-notes card with a reorder QR code"
EN_SUBSCRIPTION = "Bean subscription at checkout"
EN_TASTING = "Tasting-notes card with a reorder QR code in every bag"
EN_RETURNING = "Returning customers per week"
EN_BARISTA = "Lucas Moreau"
EN_CHARGE_WHY_NOT = "Three subscribers left no card details; Priya asks them before charging anyone."
EN_DRAFT_RESULT = "Card drafted and printed on the office printer; the QR code opens the reorder page."
EN_TASTING_WHY = "46 returning customers against 37: the QR code was scanned 41 times."
EN_SUBSCRIPTION_WHY = "31 active subscriptions after two weeks, above the 30 the criteria ask for."
EN_SUBSCRIPTION_AGAINST = "Repeat orders count a subscriber only from the second delivery, due next week."
EN_NEW_ACTION = "Film a one-minute video on reading the tasting card"
EN_WHAT_WORKED = "The tasting card brought customers back within a week, for the price of printing."
EN_WHAT_TO_FIX = "Subscriptions need card details at checkout: charging by hand stalled."
EN_START_ANYWAY = "Lucas swaps two café shifts with Priya this week to film the video."


# --- The browser ------------------------------------------------------------------------------


def _in(language: str, text) -> str:
    """A UI word as the page shows it in `language` (Django's catalogue, or the English
    source while it is not translated yet)."""
    with translation.override(language):
        return str(text)


def _sign_in(page, base_url, language):
    """The tracker signs in (the saved language is English) and, for Russian, presses RU."""
    page.clock.install(time=clock.now())  # the browser's clock is the suite's
    sign_in(page, base_url, DEMO_TRACKER, DEMO_PASSWORD, from_home=True)
    if language != "en":
        page.locator(f"form.lang button[name=language][value={language}]").click()
        expect(page).to_have_url(base_url + "/")
    expect(page.locator("html")).to_have_attribute("lang", language)


def _card(page, business):
    return page.locator("ul.portfolio > li.card").filter(has=page.get_by_role("link", name=business, exact=True))


def _go_to_step(page, step):
    button = page.locator(f"#session nav.steps form:has(input[name=step][value={step}]) button")
    with swap_of(page, "#session"):
        button.click()
    expect(page.locator(f"#session[data-step={step}]")).to_be_visible()
    expect(page.locator(f"#step-{step}")).to_have_attribute("open", "")


def _log_results(page, rows):
    """Step 1: several rows opened by their button and typed, then "Save all results" (the
    form's visible submit), which answers with the step's rows as text."""
    for action, status, note in rows:
        row = open_row(page, f"#result-{action.pk}", as_=status)  # "Done" or "Not done"
        expect(row.locator(f"select[name=l{action.pk}-status]")).to_have_value(status)
        field = "result_note" if status == ActionStatus.DONE else "why_not_note"
        expect(row.locator(f"[name=l{action.pk}-{field}]")).to_be_focused()  # the cursor is in its note
        row.locator(f"[name=l{action.pk}-{field}]").fill(note)
    with swap_of(page, "#step-results"):
        page.locator("#results-form > button[type=submit]:not(.visually-hidden)").click()
    for action, status, note in rows:
        row = page.locator(f"#step-results #result-{action.pk}")
        expect(row).to_have_class(re.compile(rf"\bstatus-{status}\b"))
        expect(row.locator(".log-result")).to_contain_text(note)
        expect(row.locator(f"[name^=l{action.pk}-]")).to_have_count(0)  # text again


def _suggested(page, hypothesis, verdict, language):
    """The row shows the numbers' verdict; that verdict's button (unless the row is open
    already) opens its fields with its radio checked."""
    row = page.locator(f"#verdict-{hypothesis.pk}")
    expect(row.locator(".suggestion")).to_contain_text(_in(language, Verdict(verdict).label))
    if row.locator(ROW_BUTTON).count():
        expect(row.locator("input[type=radio]")).to_have_count(0)  # text until opened
        row = open_row(page, f"#verdict-{hypothesis.pk}", as_=verdict)
    expect(row.locator(f"input[name=v{hypothesis.pk}-decision][value={verdict}]")).to_be_checked()
    return row


def _record(page, row, hypothesis):
    """The row's own button: the answer is that row (refused), or none (decided, it leaves)."""
    with page.expect_response(re.compile(r"/session/verdicts/$")):
        row.locator(f"button[name=only][value='{hypothesis.pk}']").click()


def _decision_fields(hypothesis):
    hypothesis.refresh_from_db()
    return (
        hypothesis.status,
        hypothesis.verdict,
        hypothesis.measured_value,
        hypothesis.learning,
        hypothesis.against_numbers_reason,
        hypothesis.decided_at,
        hypothesis.version,
    )


def _accept_suggestion(page, hypothesis, verdict, measured, why, language):
    row = _suggested(page, hypothesis, verdict, language)
    expect(row.locator(f"#v{hypothesis.pk}-measured")).to_have_value(measured)
    row.locator(f"#v{hypothesis.pk}-note").fill(why)
    _record(page, row, hypothesis)
    expect(page.locator(f"#verdict-{hypothesis.pk}")).to_have_count(0)  # decided: no longer under test
    hypothesis.refresh_from_db()
    assert (hypothesis.status, hypothesis.verdict, hypothesis.learning) == (verdict, verdict, why)
    assert hypothesis.measured_value == Decimal(measured)
    assert hypothesis.numbers_verdict == verdict and not hypothesis.against_numbers_reason


def _against_the_numbers(page, hypothesis, *, numbers, verdict, why, reason, refusal, language):
    """A verdict against the numbers: refused without a reason (said in the row, nothing
    saved), then saved with it."""
    row = _suggested(page, hypothesis, numbers, language)
    before = _decision_fields(hypothesis)
    row.locator(f"input[name=v{hypothesis.pk}-decision][value={verdict}]").check()
    row.locator(f"#v{hypothesis.pk}-note").fill(why)
    _record(page, row, hypothesis)
    row = page.locator(f"#verdict-{hypothesis.pk}")
    expect(row).to_have_class(re.compile(r"\bhas-error\b"))
    error = row.locator(f".field:has(#v{hypothesis.pk}-against_reason) p.error")
    expect(error).to_be_visible()
    for text in refusal:
        expect(error).to_contain_text(text)
    # What was typed is kept for the second try; nothing reached the database.
    expect(row.locator(f"input[name=v{hypothesis.pk}-decision][value={verdict}]")).to_be_checked()
    expect(row.locator(f"#v{hypothesis.pk}-note")).to_have_value(why)
    assert _decision_fields(hypothesis) == before, "a verdict against the numbers was saved without its reason"

    row.locator(f"#v{hypothesis.pk}-against_reason").fill(reason)
    _record(page, row, hypothesis)
    expect(page.locator(f"#verdict-{hypothesis.pk}")).to_have_count(0)
    hypothesis.refresh_from_db()
    assert (hypothesis.status, hypothesis.verdict, hypothesis.learning) == (verdict, verdict, why)
    assert (hypothesis.numbers_verdict, hypothesis.against_numbers_reason) == (numbers, reason)


def _plan_overbooking(page, carried, owner, title, hours):
    """Step 5: the "not done" action is offered, ticked (it fits) and showing why it was not
    done; a new row gives `owner` more hours than they have; one submit plans it all."""
    carry = page.locator(f"#step-plan input[name=carry][value='{carried.pk}']")
    expect(carry).to_be_checked()
    offered = page.locator("#step-plan label.check").filter(has=page.locator(f"input[value='{carried.pk}']"))
    expect(offered).to_contain_text(carried.title)
    expect(offered.locator(".why-not")).to_contain_text(carried.why_not_note)
    page.locator("#n0-title").fill(title)
    page.locator("#n0-owner").select_option(label=owner.user.full_name)
    page.locator("#n0-estimate_hours").fill(str(hours))
    over = page.locator(f"#session-capacity .cap-row.over[data-owner='{owner.pk}']")
    expect(over).to_be_visible()  # the bars follow the form as it is filled in
    assert_fits(page, "the plan step, with an action to carry over")
    with swap_of(page, "#step-plan"):
        page.locator("#plan-form > button[type=submit]:not(.visually-hidden)").click()
    expect(page.locator(f"#step-plan .cap-row.over[data-owner='{owner.pk}']")).to_be_visible()
    expect(page.locator(f"#step-plan input[name=carry][value='{carried.pk}']")).to_have_count(0)  # carried


def _close_refused_start(page, upcoming, what_worked, what_to_fix, language):
    """Step 6: the next sprint does not fit (said before the close); closing with "start the
    next sprint" closes and says why the next one did not start."""
    _go_to_step(page, "close")
    close = page.locator("#step-close")
    expect(close.locator("#next-fits.alert.warn")).to_be_visible()
    close.locator("[name=what_worked]").fill(what_worked)
    close.locator("[name=what_to_fix]").fill(what_to_fix)
    expect(close.locator("input[name=start_next]")).to_be_checked()
    expect(close.locator("[name=override_reason]")).to_have_value("")
    assert_fits(page, "the close step")
    with swap_of(page, "#session"):
        close.locator("form button[type=submit]").click()
    closed = page.locator("#session-closed")
    expect(closed).to_be_visible()
    refused = closed.locator(f"#next-sprint #start-{upcoming.pk} [role=alert]")
    expect(refused).to_be_visible()
    expect(refused).to_contain_text(_in(language, upcoming))
    expect(closed.locator(f"#start-{upcoming.pk} textarea[name=override_reason]")).to_be_visible()
    assert_fits(page, "the closed session with the next sprint not started")


def _planned_waits(page, base_url, company, upcoming, language):
    """Away from the session and back: the portfolio flags the business and offers the start,
    and so do the session page and the planned sprint's board."""
    page.locator("header a.brand").click()
    expect(page).to_have_url(base_url + "/")
    card = _card(page, company.name)
    expect(card.locator(".flags")).to_contain_text(_in(language, Flag.NO_ACTIVE_SPRINT.label))
    expect(card.locator(".flags")).to_contain_text(_in(language, Flag.OWNER_OVERBOOKED.label))
    expect(card.locator(f"dd > a[href='/b/{company.pk}/sprints/{upcoming.pk}/']")).to_contain_text(
        _in(language, upcoming)
    )
    expect(card.locator(f"#start-{upcoming.pk} textarea[name=override_reason]")).to_be_visible()
    assert_fits(page, "the portfolio with a sprint waiting")

    card.locator(f"a[href='/b/{company.pk}/session/']").click()
    expect(page).to_have_url(f"{base_url}/b/{company.pk}/session/")
    expect(page.locator(f"#start-{upcoming.pk} form.start-form")).to_be_visible()
    page.locator(f"#start-{upcoming.pk} a[href='/b/{company.pk}/sprints/{upcoming.pk}/']").click()
    expect(page).to_have_url(f"{base_url}/b/{company.pk}/sprints/{upcoming.pk}/")
    expect(page.locator(f"#start-{upcoming.pk} form.start-form")).to_be_visible()

    page.locator("header a.brand").click()
    expect(page).to_have_url(base_url + "/")


def _start_from_portfolio(page, base_url, company, upcoming, reason, language):
    card = _card(page, company.name)
    card.locator(f"#start-{upcoming.pk} textarea[name=override_reason]").fill(reason)
    card.locator(f"#start-{upcoming.pk} button[type=submit]").click()
    expect(page).to_have_url(base_url + "/")  # back to the portfolio
    with translation.override(language):
        started = gettext("%(sprint)s has started.") % {"sprint": upcoming}
    expect(page.locator("ul.messages")).to_contain_text(started)
    card = _card(page, company.name)
    expect(card.locator(f"#start-{upcoming.pk}")).to_have_count(0)
    expect(card).to_be_visible()
    upcoming.refresh_from_db()
    assert upcoming.status == SprintStatus.ACTIVE and upcoming.started_at is not None
    assert upcoming.override_reason == reason


def _open_report(page, base_url, company, sprint):
    """From the business's sprint list, the closed sprint's report."""
    open_menu(page)
    page.locator(f"header nav.subnav a[href='/b/{company.pk}/sprints/']").first.click()
    expect(page).to_have_url(f"{base_url}/b/{company.pk}/sprints/")
    page.locator(f"a[href='/b/{company.pk}/sprints/{sprint.pk}/report/']").click()
    expect(page).to_have_url(f"{base_url}/b/{company.pk}/sprints/{sprint.pk}/report/")


def _hours(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _assert_report(page, sprint, *, decided, kept, language):
    """Every action of the sprint with its owner, hours, status and result or why not; every
    verdict with its measured value, and "against the numbers" only where it went against
    them; those kept in test; the key metric and the money. All as the database has them."""
    expect(page.locator("h1")).to_contain_text(_in(language, sprint))
    actions = list(sprint.actions.select_related("owner__user").order_by("pk"))
    rows = page.locator("#actions tbody tr")
    expect(rows).to_have_count(len(actions))
    for action in actions:
        row = rows.filter(has_text=action.title)
        expect(row).to_have_count(1)
        expect(row).to_have_class(re.compile(rf"\bstatus-{action.status}\b"))
        expect(row).to_contain_text(action.owner.user.full_name)
        expect(row.locator("td.num").first).to_have_text(_hours(action.estimate_hours))
        expect(row).to_contain_text(_in(language, ActionStatus(action.status).label))
        assert action.status in (ActionStatus.DONE, ActionStatus.NOT_DONE), action
        expect(row).to_contain_text(action.result_note if action.status == ActionStatus.DONE else action.why_not_note)

    tested = page.locator("#hypotheses li.report-hypothesis")
    expect(tested).to_have_count(len(decided))
    for hypothesis in decided:
        hypothesis.refresh_from_db()
        item = tested.filter(has_text=hypothesis.title)
        expect(item).to_have_count(1)
        expect(item).to_have_class(re.compile(rf"\bverdict-{hypothesis.verdict}\b"))
        expect(item.locator(".badge")).to_have_text(_in(language, Verdict(hypothesis.verdict).label))
        for number in (hypothesis.measured_value, hypothesis.baseline, hypothesis.expected_value):
            expect(item).to_contain_text(_hours(number).replace(".", "," if language == "ru" else "."))
        if hypothesis.against_numbers_reason:
            expect(item.locator(".against")).to_contain_text(hypothesis.against_numbers_reason)
            expect(item.locator(".against")).to_contain_text(_in(language, Verdict(hypothesis.numbers_verdict).label))
        else:
            expect(item.locator(".against")).to_have_count(0)

    kept_items = page.locator("#kept-in-test li.report-hypothesis")
    expect(kept_items).to_have_count(len(kept))
    for hypothesis in kept:
        expect(kept_items.filter(has_text=hypothesis.title)).to_have_count(1)

    expect(page.locator("#key-metric h2")).to_have_text(Metric.objects.get(company=sprint.company, is_key=True).name)
    expect(page.locator("#money")).to_be_visible()
    assert_fits(page, "the sprint report")


# --- The journeys ------------------------------------------------------------------------------


def test_closing_the_week_in_russian(live_server, page, artifacts_dir):
    call_command("seed_demo", stdout=io.StringIO())
    language = "ru"
    company = Company.objects.get(name=RU_BUSINESS)
    sprint = Sprint.objects.get(company=company, status=SprintStatus.ACTIVE)
    assert not Sprint.objects.filter(company=company, status=SprintStatus.PLANNED).exists()
    actions = {a.title: a for a in sprint.actions.all()}
    pdf_offer, send_offer, questions = actions[RU_PDF_OFFER], actions[RU_SEND_OFFER], actions[RU_QUESTIONS]
    assert not sprint.actions.filter(status=ActionStatus.NOT_DONE).exists(), "the demo has a not-done action now"
    testing = {h.title: h for h in Hypothesis.objects.filter(company=company, status=Status.TESTING)}
    assert set(testing) == {RU_MONEY_BACK, RU_INTERVIEWS, RU_MARKETPLACE}
    money_back, interviews, marketplace = testing[RU_MONEY_BACK], testing[RU_INTERVIEWS], testing[RU_MARKETPLACE]
    designer = Membership.objects.select_related("user").get(company=company, user__full_name=RU_DESIGNER)
    base = f"{live_server.url}/b/{company.pk}"

    _sign_in(page, live_server.url, language)
    page.get_by_role("link", name=RU_BUSINESS, exact=True).click()
    expect(page).to_have_url(f"{base}/")
    open_menu(page)
    page.locator(f"header nav.subnav a[href='/b/{company.pk}/session/']").click()
    expect(page).to_have_url(f"{base}/session/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    mark_no_reload(page)

    # Step 1: the week as it went.
    _go_to_step(page, "results")
    _log_results(
        page,
        [
            (pdf_offer, ActionStatus.DONE, RU_PDF_RESULT),
            (send_offer, ActionStatus.DONE, RU_SEND_RESULT),
            (questions, ActionStatus.NOT_DONE, RU_QUESTIONS_WHY_NOT),
        ],
    )

    # Step 2: the numbers' verdicts. Leads 19 against 17 → 22: inconclusive, accepted.
    _go_to_step(page, "verdicts")
    expect(page.locator("#step-verdicts .verdict-block")).to_have_count(3)
    _accept_suggestion(page, interviews, Verdict.INCONCLUSIVE, "19", RU_INTERVIEWS_WHY, language)
    # Conversion 2.2 % against 2 → 3: the numbers do not confirm the guarantee.
    _against_the_numbers(
        page,
        money_back,
        numbers=Verdict.INCONCLUSIVE,
        verdict=Verdict.CONFIRMED,
        why=RU_MONEY_BACK_WHY,
        reason=RU_MONEY_BACK_AGAINST,
        refusal=[_in(language, Verdict.INCONCLUSIVE.label), "2,2"],
        language=language,
    )
    row = _suggested(page, marketplace, Verdict.INCONCLUSIVE, language)
    row.locator(f"input[name=v{marketplace.pk}-decision][value={KEEP_TESTING}]").check()
    _record(page, row, marketplace)
    expect(page.locator(f"#verdict-{marketplace.pk}.kept")).to_be_visible()

    # Step 5: carry the questions over, and overbook the designer (6 h against 4 h a week).
    _go_to_step(page, "plan")
    questions.refresh_from_db()
    _plan_overbooking(page, questions, designer, RU_NEW_ACTION, 6)
    upcoming = Sprint.objects.get(company=company, status=SprintStatus.PLANNED)
    assert upcoming.number == sprint.number + 1
    carried = Action.objects.get(carried_over_from=questions)
    assert (carried.sprint_id, carried.title, carried.owner_id, carried.status) == (
        upcoming.pk,
        RU_QUESTIONS,
        questions.owner_id,
        ActionStatus.TODO,
    )
    assert Action.objects.get(sprint=upcoming, title=RU_NEW_ACTION).owner_id == designer.pk
    assert_fits(page, "the plan step")

    # Step 6: close, asking to start the next sprint, which does not fit.
    _close_refused_start(page, upcoming, RU_WHAT_WORKED, RU_WHAT_TO_FIX, language)
    assert_no_reload(page, "the session")
    sprint.refresh_from_db()
    upcoming.refresh_from_db()
    assert sprint.status == SprintStatus.CLOSED and upcoming.status == SprintStatus.PLANNED
    review = Review.objects.get(sprint=sprint)
    assert (review.what_worked, review.what_to_fix) == (RU_WHAT_WORKED, RU_WHAT_TO_FIX)
    assert set(review.kept_in_test.all()) == {marketplace}

    # Leave, come back: the planned sprint waits everywhere; the portfolio starts it anyway.
    _planned_waits(page, live_server.url, company, upcoming, language)
    _start_from_portfolio(page, live_server.url, company, upcoming, RU_START_ANYWAY, language)
    expect(_card(page, RU_BUSINESS).locator(".flags")).not_to_contain_text(_in(language, Flag.NO_ACTIVE_SPRINT.label))

    # The closed sprint's report.
    _card(page, RU_BUSINESS).get_by_role("link", name=RU_BUSINESS, exact=True).click()
    _open_report(page, live_server.url, company, sprint)
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    _assert_report(page, sprint, decided=[interviews, money_back], kept=[marketplace], language=language)
    page.screenshot(path=artifacts_dir / "report-ru.png", full_page=True)
    for action in (pdf_offer, send_offer, questions):
        action.refresh_from_db()
    assert [a.status for a in (pdf_offer, send_offer, questions)] == [
        ActionStatus.DONE,
        ActionStatus.DONE,
        ActionStatus.NOT_DONE,
    ]
    assert questions.why_not_note == RU_QUESTIONS_WHY_NOT


def _put_tasting_card_under_test(company):
    """Set-up: during the week the team put the tasting-notes card under test (returning
    customers 37 → 45) and logged this week's returning customers, 46."""
    tracker = Membership.objects.get(company=company, user__email=DEMO_TRACKER)
    owner = Membership.objects.get(company=company, user__email="owner@bluebird.demo")
    returning = Metric.objects.get(company=company, name=EN_RETURNING)
    tasting = Hypothesis.objects.get(company=company, title=EN_TASTING)
    tasting = hypothesis_services.hypothesis_update(
        hypothesis=tasting,
        by=tracker,
        expected_version=tasting.version,
        metric=returning,
        baseline=Decimal(37),
        expected_value=Decimal(45),
        success_criteria="One week of cards in every bag: 45 returning customers a week.",
        cheapest_test="Cards printed on the office printer, the QR code to the existing reorder page.",
        expected_return=Decimal(600),
    )
    tasting = hypothesis_services.hypothesis_transition(hypothesis=tasting, by=tracker, to=Status.READY)
    tasting = hypothesis_services.hypothesis_transition(hypothesis=tasting, by=tracker, to=Status.TESTING)
    metric_value_record(metric=returning, by=owner, value=Decimal(46))
    assert MetricValue.objects.get(metric=returning, week_start=current_week_start(company)).value == 46
    return tasting


def test_closing_the_week_in_english(live_server, page, artifacts_dir):
    call_command("seed_demo", stdout=io.StringIO())
    language = "en"
    company = Company.objects.get(name=EN_BUSINESS)
    sprint = Sprint.objects.get(company=company, status=SprintStatus.ACTIVE)
    upcoming = Sprint.objects.get(company=company, status=SprintStatus.PLANNED)
    actions = {a.title: a for a in sprint.actions.all()}
    charge, draft = actions[EN_CHARGE], actions[EN_DRAFT]
    assert actions[EN_CALL].status == ActionStatus.DONE
    assert not sprint.actions.filter(status=ActionStatus.NOT_DONE).exists(), "the demo has a not-done action now"
    tasting = _put_tasting_card_under_test(company)
    subscription = Hypothesis.objects.get(company=company, title=EN_SUBSCRIPTION)
    assert set(Hypothesis.objects.filter(company=company, status=Status.TESTING)) == {tasting, subscription}
    barista = Membership.objects.select_related("user").get(company=company, user__full_name=EN_BARISTA)
    base = f"{live_server.url}/b/{company.pk}"

    _sign_in(page, live_server.url, language)
    page.get_by_role("link", name=EN_BUSINESS, exact=True).click()
    expect(page).to_have_url(f"{base}/")
    nav(page, "Business").get_by_role("link", name="Weekly session", exact=True).click()
    expect(page).to_have_url(f"{base}/session/")
    mark_no_reload(page)

    # Step 1.
    _go_to_step(page, "results")
    _log_results(
        page,
        [(charge, ActionStatus.NOT_DONE, EN_CHARGE_WHY_NOT), (draft, ActionStatus.DONE, EN_DRAFT_RESULT)],
    )

    # Step 2: the card's numbers confirm it (46 against 37 → 45), accepted.
    _go_to_step(page, "verdicts")
    expect(page.locator("#step-verdicts .verdict-block")).to_have_count(2)
    row = page.locator(f"#verdict-{tasting.pk}")
    expect(row.locator(".suggestion")).to_have_text("The numbers say: Confirmed")
    expect(row).to_contain_text(f"{EN_RETURNING}: 37 → 45")
    expect(row).to_contain_text("measured 46 (from the metric's values)")
    _accept_suggestion(page, tasting, Verdict.CONFIRMED, "46", EN_TASTING_WHY, language)
    # Repeat orders 22 against 22 → 28: the numbers refute the subscription; confirming it
    # goes against them.
    expect(page.locator(f"#verdict-{subscription.pk} .suggestion")).to_have_text("The numbers say: Refuted")
    open_row(page, f"#verdict-{subscription.pk}", as_=Verdict.REFUTED)  # the numbers' verdict
    expect(page.locator(f"#verdict-{subscription.pk} label[for=v{subscription.pk}-against_reason]")).to_have_text(
        "Against the numbers, because…"
    )
    _against_the_numbers(
        page,
        subscription,
        numbers=Verdict.REFUTED,
        verdict=Verdict.CONFIRMED,
        why=EN_SUBSCRIPTION_WHY,
        reason=EN_SUBSCRIPTION_AGAINST,
        refusal=["The numbers say “Refuted”: 22 against 22 → 28. Say why the verdict goes against them."],
        language=language,
    )
    expect(page.locator("#step-verdicts .verdict-block")).to_have_count(0)

    # Step 5: the charging goes on into the planned Sprint 6; the barista gets 5 h more (4 h a week).
    _go_to_step(page, "plan")
    charge.refresh_from_db()
    _plan_overbooking(page, charge, barista, EN_NEW_ACTION, 5)
    expect(page.locator(f"#step-plan .cap-row.over[data-owner='{barista.pk}']")).to_contain_text("overbooked by 2 h")
    carried = Action.objects.get(carried_over_from=charge)
    assert (carried.sprint_id, carried.owner_id, carried.status) == (upcoming.pk, charge.owner_id, ActionStatus.TODO)
    assert Action.objects.get(sprint=upcoming, title=EN_NEW_ACTION).owner_id == barista.pk

    # Step 6.
    _close_refused_start(page, upcoming, EN_WHAT_WORKED, EN_WHAT_TO_FIX, language)
    expect(page.locator(f"#start-{upcoming.pk} [role=alert]")).to_contain_text(f"{EN_BARISTA} is overbooked by")
    assert_no_reload(page, "the session")
    sprint.refresh_from_db()
    upcoming.refresh_from_db()
    assert sprint.status == SprintStatus.CLOSED and upcoming.status == SprintStatus.PLANNED

    _planned_waits(page, live_server.url, company, upcoming, language)
    _start_from_portfolio(page, live_server.url, company, upcoming, EN_START_ANYWAY, language)

    _card(page, EN_BUSINESS).get_by_role("link", name=EN_BUSINESS, exact=True).click()
    _open_report(page, live_server.url, company, sprint)
    _assert_report(page, sprint, decided=[tasting, subscription], kept=[], language=language)
    expect(page.locator(f"#hypotheses li.report-hypothesis:has-text('{EN_SUBSCRIPTION}') .against")).to_contain_text(
        f"against the numbers: {EN_SUBSCRIPTION_AGAINST}"
    )
    page.screenshot(path=artifacts_dir / "report-en.png", full_page=True)
