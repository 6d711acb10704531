"""Demo data: a tracker with three businesses, their teams and their planning. Safe to run again.

One business is the example of the method's first text (seed 000), in Russian: an earlier
main constraint (weak conversion of hot leads, resolved) and the current one (no inbound
leads) with the why-chain of the text, its metrics for the last 12 weeks and a goal tree
(year → quarter → month), and the hypotheses of both constraints: the money-back guarantee
of the text under test, the lead marking that resolved the old constraint confirmed and
adopted, a refuted discount, customer interviews for the new one. The two English businesses
get a smaller version of the same.

Each business also gets its weekly sprints: a few closed ones behind it, with their reviews,
actions mostly done, some not done with the reason, a couple carried over to the next week;
then the active sprint of the current week (for «Дубрава» the PDF offer of the money-back
guarantee, for the session to review); a planned one after it for one English business.

Planning data goes through the services, acting as the business's tracker; afterwards the
dates are moved back so the history reads like months of work. Past sprints cannot be planned
through the services (they refuse dates in the past), so their rows are written as the weeks
would have left them. A business that already has constraints, metrics, goals, hypotheses or
sprints keeps them: each part is added only once.
"""

import calendar
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Case, OuterRef, Subquery, Value, When
from django.utils import timezone

from hypotheses import services as hypothesis_services
from hypotheses.models import Hypothesis, HypothesisEvent, Kind, Status
from sprints import jobs
from sprints import services as sprint_services
from sprints.models import (
    RESOLVED_ACTION_STATUSES,
    Action,
    ActionStatus,
    Review,
    SessionStep,
    Sprint,
    SprintReport,
    SprintStatus,
)
from tracking import services
from tracking.models import (
    Company,
    Constraint,
    ConstraintEvent,
    ConstraintStatus,
    Horizon,
    Membership,
    MetricValue,
    Role,
    User,
    Weekday,
)
from tracking.weeks import current_week_start, local_today

DEMO_PASSWORD = "demo-sprints-2026"
# The tracker owns no actions: their hours in a business are the weekly session and its
# preparation, across three businesses.
TRACKER = ("tracker@demo.example", "Anna Sokolova", "en", Decimal(2))


@dataclass(frozen=True)
class DemoConstraint:
    title: str
    area: str
    why: tuple[str, ...]  # top to bottom; the last answer is the root cause
    since_days: int  # named this many days ago; a later constraint closes it on its own start
    closing_note: str = ""  # why it was resolved, when a later constraint replaces it


@dataclass(frozen=True)
class DemoMetric:
    name: str
    unit: str
    target: str
    values: tuple  # one per week, oldest first, ending last week
    is_key: bool = False
    higher_is_better: bool = True
    funnel_stage: int | None = None


@dataclass(frozen=True)
class DemoGoal:
    horizon: str  # the goals of a business form a chain: each is part of the one before
    title: str
    metric: str  # a DemoMetric's name
    target: str


@dataclass(frozen=True)
class DemoHypothesis:
    """A hypothesis and the way it went: `steps` are (status reached, days ago), the first
    one ("idea") its creation; a decided status is the verdict, given with `measured`."""

    title: str
    statement: str
    steps: tuple[tuple[str, int], ...]
    constraint: str = ""  # a DemoConstraint's title
    metric: str = ""  # a DemoMetric's name
    kind: str = Kind.INNOVATION
    baseline: str | None = None
    expected: str | None = None  # a number, or a multiplier of the baseline: "×1.5"
    success_criteria: str = ""
    cheapest_test: str = ""
    ice: tuple[int, int, int] = (5, 5, 5)  # impact, confidence, ease
    expected_return: str | None = None
    budget_cap: str | None = None
    spent: str = "0"
    kill_in_days: int | None = None  # from today
    measured: str | None = None
    learning: str = ""
    drop_reason: str = ""


@dataclass(frozen=True)
class DemoAction:
    """A sprint action and what came of it. `note` is the result of a done action and the
    reason of one not done. `carry`: left unfinished and carried into the next sprint (the
    note says why); `carried`: the copy carried in from the previous sprint's action of the
    same title."""

    title: str
    owner: str  # a team member's e-mail, or "tracker"
    hours: str
    status: str = "done"
    note: str = ""
    hypothesis: str = ""  # a DemoHypothesis's title
    cost: str | None = None
    carry: bool = False
    carried: bool = False


@dataclass(frozen=True)
class DemoReview:
    what_worked: str
    what_to_fix: str
    notes: str = ""
    constraint_confirmed: bool | None = True  # False: the review named a new main constraint


@dataclass(frozen=True)
class DemoSprint:
    """One week. The closed ones come first (each with its review), then the active one
    covering the current week, then at most one planned for the week after."""

    status: str
    goal: str
    actions: tuple[DemoAction, ...]
    focus: str = ""  # a DemoConstraint's title
    budget: str | None = None
    review: DemoReview | None = None


@dataclass(frozen=True)
class DemoCompany:
    name: str
    timezone: str
    currency: str
    review_weekday: int
    review_time: time
    team: tuple  # (email, full name, language, role, weekly hours)
    constraints: tuple[DemoConstraint, ...] = ()  # oldest first; all but the last are resolved
    metrics: tuple[DemoMetric, ...] = ()
    goals: tuple[DemoGoal, ...] = ()
    hypotheses: tuple[DemoHypothesis, ...] = ()
    sprints: tuple[DemoSprint, ...] = ()  # oldest first


RU_CONVERSION = "Слабая конверсия горячих лидов в продажи"
RU_LEADS = "Нет входящих лидов"

# --- Sprints: the weeks behind each business, the one under way and (maybe) the next ------

IGOR, MARIA, OLEG, SVETLANA = (
    "owner@dubrava.demo",
    "sales@dubrava.demo",
    "marketing@dubrava.demo",
    "design@dubrava.demo",
)
RU_MONEY_BACK = "Гарантия возврата денег"
RU_INTERVIEWS = "Интервью с 10 последними клиентами о критериях выбора"
RU_MARKING = "Маркировать лиды по источнику трафика, чтобы продажники звонили горячим первыми"
RU_MARKETPLACE = "Выход на маркетплейс мебели"
RU_BRIEF = "Чёткое ТЗ маркетологу по итогам интервью"

DUBRAVA_SPRINTS = (
    DemoSprint(
        status="closed",
        focus=RU_CONVERSION,
        goal="Закрепить правило „горячие — первыми“ и понять, что теперь мешает росту",
        actions=(
            DemoAction(
                "Вписать правило „горячие — первыми“ в регламент продаж",
                MARIA,
                "1.5",
                note="Регламент обновлён, продажники расписались.",
                hypothesis=RU_MARKING,
            ),
            DemoAction(
                "Настроить автоматическую метку источника в CRM",
                OLEG,
                "2",
                note="Метка ставится сама по форме заявки и номеру телефона.",
                hypothesis=RU_MARKING,
            ),
            DemoAction(
                "Свести конверсию за четыре недели с маркировкой",
                IGOR,
                "1",
                note="2,1 % против 1,7 % до маркировки: гипотеза подтверждена.",
                hypothesis=RU_MARKING,
            ),
            DemoAction(
                "Разобрать, откуда приходили заявки за полгода",
                IGOR,
                "2",
                note="Заявок мало по всем каналам: узкое место сместилось с конверсии на поток лидов.",
            ),
        ),
        review=DemoReview(
            what_worked="Горячим лидам звоним в течение часа, конверсия держится выше 2 %.",
            what_to_fix="Лидов стало мало, и конверсию дальше поднимать не на чем.",
            notes="Ограничение «Слабая конверсия» решено. Новое главное ограничение — «Нет входящих лидов».",
            constraint_confirmed=False,
        ),
    ),
    DemoSprint(
        status="closed",
        focus=RU_LEADS,
        goal="Понять, почему реклама не приводит лидов",
        actions=(
            DemoAction(
                "Разобрать рекламную кампанию по объявлениям и ключевым словам",
                OLEG,
                "3",
                note="Из 14 объявлений 11 — разовые эксперименты без гипотезы; лиды дают только два.",
            ),
            DemoAction(
                "Узнать цену рекламы на местном радио",
                IGOR,
                "1",
                note="Пакет — от 150 000 ₽ в месяц, лиды с радио по источнику не отследить.",
                hypothesis="Реклама на местном радио",
            ),
            DemoAction(
                "Собрать список клиентов за последние три месяца для интервью",
                MARIA,
                "2",
                note="Неделя замеров: список собран наполовину.",
                hypothesis=RU_INTERVIEWS,
                carry=True,
            ),
            DemoAction(
                "Спросить пятерых клиентов, как они нас нашли",
                MARIA,
                "1",
                status="not_done",
                note="Решили не звонить вразнобой: сначала общий список и одинаковые вопросы.",
            ),
        ),
        review=DemoReview(
            what_worked="Довели «почему?» до корня: мы сами не знаем, почему клиенты выбирают нас.",
            what_to_fix="Маркетолог тратит бюджет на случайные эксперименты. Сначала критерии выбора, потом ТЗ.",
            notes="Радио отложили: дорого, и результат не измерить.",
        ),
    ),
    DemoSprint(
        status="closed",
        focus=RU_LEADS,
        goal="Выйти на маркетплейс и собрать клиентов для интервью",
        actions=(
            DemoAction(
                "Собрать список клиентов за последние три месяца для интервью",
                MARIA,
                "2",
                note="В списке 27 клиентов, 19 согласны на звонок.",
                hypothesis=RU_INTERVIEWS,
                carried=True,
            ),
            DemoAction(
                "Подготовить карточки трёх готовых проектов для маркетплейса",
                SVETLANA,
                "3",
                note="Три карточки с фото, размерами и ценой «от».",
                hypothesis=RU_MARKETPLACE,
            ),
            DemoAction(
                "Зарегистрироваться на маркетплейсе и выставить карточки",
                OLEG,
                "2",
                note="Карточки прошли модерацию за два дня.",
                hypothesis=RU_MARKETPLACE,
            ),
        ),
        review=DemoReview(
            what_worked="Список клиентов готов; маркетплейс запущен за неделю без подрядчиков.",
            what_to_fix="Заявки с маркетплейса приходят в личный мессенджер Олега, а не в общий чат продаж.",
        ),
    ),
    DemoSprint(
        status="closed",
        focus=RU_LEADS,
        goal="Заявки с маркетплейса — в работу за час",
        budget="40000",
        actions=(
            DemoAction(
                "Перевести заявки с маркетплейса в общий мессенджер продаж",
                OLEG,
                "1",
                note="Заявки видят все продажники, первая обработана за 20 минут.",
                hypothesis=RU_MARKETPLACE,
            ),
            DemoAction(
                "Оплатить продвижение карточек на месяц",
                IGOR,
                "0.5",
                note="Оплачено 35 000 ₽ из лимита 120 000 ₽.",
                hypothesis=RU_MARKETPLACE,
                cost="35000",
            ),
            DemoAction(
                "Набросать черновик ТЗ маркетологу",
                IGOR,
                "2",
                note="Без слов клиентов ТЗ выходит таким же размытым, как раньше.",
                hypothesis=RU_BRIEF,
                carry=True,
            ),
            DemoAction(
                "Запустить рекламу на дизайнеров интерьеров",
                OLEG,
                "3",
                status="not_done",
                note="Отложили: пока нет интервью, непонятно, что писать в объявлении.",
            ),
        ),
        review=DemoReview(
            what_worked="Маркетплейс дал 4 заявки за неделю, все обработаны в течение часа.",
            what_to_fix="Без интервью с клиентами стоят и ТЗ, и новая реклама: интервью — в приоритет.",
        ),
    ),
    DemoSprint(
        status="closed",
        focus=RU_LEADS,
        goal="Начать интервью с клиентами",
        actions=(
            DemoAction(
                "Набросать черновик ТЗ маркетологу",
                IGOR,
                "2",
                status="not_done",
                note="Решили писать ТЗ только по итогам интервью; черновик отложен.",
                hypothesis=RU_BRIEF,
                carried=True,
            ),
            DemoAction(
                "Договориться об интервью с десятью последними клиентами",
                MARIA,
                "2",
                note="Согласились 8 из 10, созвоны — на следующей неделе.",
                hypothesis=RU_INTERVIEWS,
            ),
            DemoAction(
                "Ответить на заявки с маркетплейса и записать, что спрашивают",
                MARIA,
                "1",
                note="6 заявок; чаще всего спрашивают про сроки изготовления.",
                hypothesis=RU_MARKETPLACE,
            ),
            DemoAction(
                "Переснять фото для карточек маркетплейса",
                SVETLANA,
                "2",
                note="Фото при дневном свете, просмотры карточек выросли вдвое.",
                hypothesis=RU_MARKETPLACE,
            ),
        ),
        review=DemoReview(
            what_worked="Клиенты охотно соглашаются на интервью; маркетплейс приносит 5–6 заявок в неделю.",
            what_to_fix="ТЗ снова отложено: нужна дата, к которой интервью будут проведены.",
        ),
    ),
    DemoSprint(
        status="closed",
        focus=RU_LEADS,
        goal="Провести первые интервью и подготовить проверку гарантии",
        actions=(
            DemoAction(
                "Провести первые три интервью с клиентами",
                MARIA,
                "3",
                note="Все трое выбирали по срокам и по тому, что замерщик приехал в день звонка.",
                hypothesis=RU_INTERVIEWS,
            ),
            DemoAction(
                "Позвонить остальным пятерым клиентам",
                MARIA,
                "2.5",
                status="not_done",
                note="Двое не ответили, трое попросили перезвонить после праздников.",
                hypothesis=RU_INTERVIEWS,
            ),
            DemoAction(
                "Согласовать с юристом условия гарантии возврата денег",
                IGOR,
                "2",
                note="Возвращаем предоплату, если проект не устроит до начала производства.",
                hypothesis=RU_MONEY_BACK,
            ),
            DemoAction(
                "Написать текст оффера с гарантией",
                OLEG,
                "1.5",
                note="Полстраницы текста, Игорь согласовал.",
                hypothesis=RU_MONEY_BACK,
            ),
        ),
        review=DemoReview(
            what_worked="Интервью дали критерий выбора, о котором реклама молчит: замер в день звонка.",
            what_to_fix="Интервью идут медленно: нужен один список вопросов для всех звонков.",
            notes="Гарантию проверяем самым дешёвым способом: PDF-оффер в мессенджере, без нового сайта.",
        ),
    ),
    DemoSprint(
        status="active",
        focus=RU_LEADS,
        goal="Проверить гарантию возврата денег самым дешёвым способом",
        actions=(
            DemoAction(
                "Собрать список тех, кто был на замере, но не заказал",
                MARIA,
                "1",
                note="43 контакта за полгода, у всех есть мессенджер.",
                hypothesis=RU_MONEY_BACK,
            ),
            DemoAction(
                "Сверстать PDF-оффер с гарантией возврата денег",
                SVETLANA,
                "1",
                status="todo",
                hypothesis=RU_MONEY_BACK,
            ),
            DemoAction(
                "Разослать оффер в мессенджере всем, кто не сделал заказ",
                OLEG,
                "1",
                status="todo",
                hypothesis=RU_MONEY_BACK,
            ),
            DemoAction(
                "Подготовить вопросы для интервью с клиентами",
                MARIA,
                "2",
                status="todo",
                hypothesis=RU_INTERVIEWS,
            ),
        ),
    ),
)

TOM, PRIYA, LUCAS = "owner@bluebird.demo", "ops@bluebird.demo", "barista@bluebird.demo"
EN_REFILL = "Refill e-mail two weeks after the first order"
EN_STAMPS = "Loyalty stamp card in the café"
EN_SUBSCRIPTION = "Bean subscription at checkout"
EN_QR = "Tasting-notes card with a reorder QR code in every bag"

BLUEBIRD_SPRINTS = (
    DemoSprint(
        status="closed",
        focus="No repeat sales",
        goal="Try the two cheapest ways to bring first-time buyers back",
        actions=(
            DemoAction(
                "Export last month's first-time buyers from the shop",
                PRIYA,
                "1",
                note="212 buyers, 168 of them agreed to e-mails.",
                hypothesis=EN_REFILL,
            ),
            DemoAction(
                "Write the refill e-mail",
                TOM,
                "1",
                note="Plain text, one link to the beans they bought.",
                hypothesis=EN_REFILL,
            ),
            DemoAction(
                "Print 200 stamp cards",
                LUCAS,
                "1",
                note="Printed at the corner shop.",
                hypothesis=EN_STAMPS,
                cost="18",
            ),
            DemoAction(
                "Ask the shop platform whether it sells subscriptions",
                TOM,
                "1",
                status="not_done",
                note="Support did not answer this week.",
            ),
        ),
        review=DemoReview(
            what_worked="Both tests were ready in one week for under £20.",
            what_to_fix="Nobody counts returning customers yet: we cannot measure the stamp card.",
        ),
    ),
    DemoSprint(
        status="closed",
        focus="No repeat sales",
        goal="Send the refill e-mail and hand out the stamp cards",
        actions=(
            DemoAction(
                "Send the refill e-mail to first-time buyers",
                PRIYA,
                "1",
                note="Sent to 168: 31 clicks, 3 unsubscribes.",
                hypothesis=EN_REFILL,
            ),
            DemoAction(
                "Hand out stamp cards at the till",
                LUCAS,
                "2",
                note="140 cards handed out, mostly to regulars.",
                hypothesis=EN_STAMPS,
            ),
            DemoAction(
                "Count returning customers every day",
                LUCAS,
                "1",
                note="The till cannot tell returning customers; counted by hand for three days only.",
                hypothesis=EN_STAMPS,
                carry=True,
            ),
        ),
        review=DemoReview(
            what_worked="The refill e-mail went out on time and people clicked.",
            what_to_fix="Counting by hand needs a tally sheet at the till, not memory.",
        ),
    ),
    DemoSprint(
        status="closed",
        focus="No repeat sales",
        goal="Measure both tests",
        actions=(
            DemoAction(
                "Count returning customers every day",
                LUCAS,
                "1",
                note="Tally sheet at the till: 33 returning customers this week.",
                hypothesis=EN_STAMPS,
                carried=True,
            ),
            DemoAction(
                "Tally repeat orders from the refill e-mail",
                PRIYA,
                "1",
                note="Repeat orders at 22 %, up from 19 %.",
                hypothesis=EN_REFILL,
            ),
            DemoAction(
                "Set up the refill e-mail in the shop's e-mail tool",
                TOM,
                "3",
                note="The automation needs a paid plan; still choosing one.",
                hypothesis=EN_REFILL,
                carry=True,
            ),
            DemoAction(
                "Collect the stamp cards and count returns",
                LUCAS,
                "1",
                note="Only 12 cards came back, all from regulars.",
                hypothesis=EN_STAMPS,
            ),
        ),
        review=DemoReview(
            what_worked="The refill e-mail is confirmed: 22 % repeat orders.",
            what_to_fix="The stamp card only reaches café regulars; the online one-time buyers never see it.",
            notes="Stamp card refuted. Next: a subscription at checkout.",
        ),
    ),
    DemoSprint(
        status="closed",
        focus="No repeat sales",
        goal="Automate the refill e-mail and offer a subscription",
        actions=(
            DemoAction(
                "Set up the refill e-mail in the shop's e-mail tool",
                TOM,
                "3",
                note="Goes out on its own 14 days after every first order.",
                hypothesis=EN_REFILL,
                carried=True,
            ),
            DemoAction(
                "Add a subscription checkbox at checkout",
                TOM,
                "2",
                note="Live on Tuesday: 11 subscriptions by Sunday.",
                hypothesis=EN_SUBSCRIPTION,
            ),
            DemoAction(
                "Set up the subscription spreadsheet and charging routine",
                PRIYA,
                "2",
                note="One sheet, charged by hand every other Monday.",
                hypothesis=EN_SUBSCRIPTION,
            ),
        ),
        review=DemoReview(
            what_worked="The subscription went live in two days with no new software.",
            what_to_fix="Subscribers were not asked which delivery day suits them.",
        ),
    ),
    DemoSprint(
        status="active",
        focus="No repeat sales",
        goal="Keep the first subscribers happy",
        actions=(
            DemoAction(
                "Call five subscribers about their delivery day",
                LUCAS,
                "1",
                note="Four want Friday delivery: the roast moves to Thursday.",
                hypothesis=EN_SUBSCRIPTION,
            ),
            DemoAction("Charge the first subscriptions by hand", PRIYA, "1", status="todo", hypothesis=EN_SUBSCRIPTION),
            DemoAction(
                "Draft the tasting-notes card with a reorder QR code", TOM, "2", status="doing", hypothesis=EN_QR
            ),
        ),
    ),
    DemoSprint(
        status="planned",
        focus="No repeat sales",
        goal="Count what the subscription brings",
        actions=(
            DemoAction("Print the tasting-notes cards", LUCAS, "1", status="todo", hypothesis=EN_QR, cost="40"),
            DemoAction("Count subscriptions after two weeks", PRIYA, "1", status="todo", hypothesis=EN_SUBSCRIPTION),
        ),
    ),
)

MAYA, JORDAN = "owner@northwind.demo", "frontdesk@northwind.demo"
EN_ROUTINE = "Owner drowning in routine"
EN_RULES = "Written rules for reschedules and refunds"
EN_BILLING = "Outsource insurance claims to a billing service"
EN_SELF_SCHEDULING = "Online self-scheduling for reschedules"

NORTHWIND_SPRINTS = (
    DemoSprint(
        status="closed",
        goal="Find out where the owner's week goes",
        actions=(
            DemoAction(
                "Log every admin task for a week",
                MAYA,
                "1",
                note="14 hours of admin, half of it after 6 pm.",
            ),
            DemoAction(
                "Count the calls and requests passed to Dr. Collins",
                JORDAN,
                "1",
                note="37 requests in a week; 29 about reschedules, refunds and insurance.",
            ),
        ),
        review=DemoReview(
            what_worked="A week of honest numbers: we know where the hours go.",
            what_to_fix="The log is a pile of notes: sort it before we name the constraint.",
            constraint_confirmed=None,
        ),
    ),
    DemoSprint(
        status="closed",
        goal="Name the main constraint",
        actions=(
            DemoAction(
                "Sort the admin log into routine and exceptions",
                MAYA,
                "2",
                note="11 of the 14 hours are routine.",
            ),
            DemoAction(
                "List the ten questions the front desk asks most",
                JORDAN,
                "2",
                note="Ten questions cover four in five of the requests that reach the owner.",
            ),
            DemoAction(
                "Get quotes from two billing services",
                JORDAN,
                "1",
                note="One answered; the other wants a call with Dr. Collins first.",
                hypothesis=EN_BILLING,
                carry=True,
            ),
        ),
        review=DemoReview(
            what_worked="The constraint is named: the owner is drowning in routine.",
            what_to_fix="Rules exist only in Dr. Collins's head.",
            notes="Two hypotheses to test: written rules at the desk, and a billing service for the claims.",
            constraint_confirmed=False,
        ),
    ),
    DemoSprint(
        status="closed",
        focus=EN_ROUTINE,
        goal="Write the rules down and try a billing service",
        actions=(
            DemoAction(
                "Get quotes from two billing services",
                JORDAN,
                "1",
                note="$350 and $420 a month; a two-week trial with the cheaper one.",
                hypothesis=EN_BILLING,
                carried=True,
            ),
            DemoAction(
                "Dictate the rules for reschedules and refunds",
                MAYA,
                "2",
                note="One page, eight rules.",
                hypothesis=EN_RULES,
            ),
            DemoAction(
                "Keep the rules at the desk and log every question",
                JORDAN,
                "1",
                note="23 of 26 requests handled without asking.",
                hypothesis=EN_RULES,
            ),
            DemoAction(
                "Hand the open claims to the billing service",
                MAYA,
                "1",
                note="Handed over on Thursday.",
                hypothesis=EN_BILLING,
            ),
        ),
        review=DemoReview(
            what_worked="The rules work from day one: Jordan decides most requests alone.",
            what_to_fix="The billing service keeps e-mailing Dr. Collins with questions.",
        ),
    ),
    DemoSprint(
        status="closed",
        focus=EN_ROUTINE,
        goal="Measure both tests and try online rescheduling",
        actions=(
            DemoAction(
                "Compare the owner's admin hours with the rules in place",
                JORDAN,
                "1",
                note="9 hours this week against 14 before the rules.",
                hypothesis=EN_RULES,
            ),
            DemoAction(
                "Review the billing service's claims",
                MAYA,
                "3",
                status="not_done",
                note="Every claim still needed her sign-off; the trial stopped.",
                hypothesis=EN_BILLING,
            ),
            DemoAction(
                "Turn on the booking module for reschedules",
                JORDAN,
                "2",
                note="Patients can move appointments online since Friday.",
                hypothesis=EN_SELF_SCHEDULING,
            ),
            DemoAction(
                "Link online rescheduling in the reminder SMS",
                JORDAN,
                "1",
                note="The SMS provider needs an admin login only Dr. Collins has.",
                hypothesis=EN_SELF_SCHEDULING,
                carry=True,
            ),
        ),
        review=DemoReview(
            what_worked="Written rules confirmed: the owner's admin hours fell to 9.",
            what_to_fix="The billing service moved the hours instead of removing them.",
            notes="Billing service refuted. Online rescheduling goes into test.",
        ),
    ),
    DemoSprint(
        status="active",
        focus=EN_ROUTINE,
        goal="Move reschedules online",
        actions=(
            DemoAction(
                "Link online rescheduling in the reminder SMS",
                JORDAN,
                "1",
                status="todo",
                hypothesis=EN_SELF_SCHEDULING,
                carried=True,
            ),
            DemoAction(
                "Count online reschedules against phone calls",
                JORDAN,
                "1",
                status="todo",
                hypothesis=EN_SELF_SCHEDULING,
            ),
            DemoAction(
                "Write down the exceptions only the owner can decide",
                MAYA,
                "1",
                status="doing",
                hypothesis="A part-time practice manager",
            ),
        ),
    ),
)

COMPANIES = (
    DemoCompany(
        name="Кухни на заказ «Дубрава»",
        timezone="Europe/Moscow",
        currency="RUB",
        review_weekday=Weekday.THURSDAY,
        review_time=time(10, 0),
        team=(
            ("owner@dubrava.demo", "Игорь Петров", "ru", Role.ENTREPRENEUR, Decimal(10)),
            ("sales@dubrava.demo", "Мария Кузнецова", "ru", Role.TEAM_LEAD, Decimal(8)),
            ("marketing@dubrava.demo", "Олег Смирнов", "ru", Role.MEMBER, Decimal(6)),
            ("design@dubrava.demo", "Светлана Орлова", "ru", Role.MEMBER, Decimal(4)),
        ),
        constraints=(
            DemoConstraint(
                title=RU_CONVERSION,
                area="conversion",
                # Asked from the symptom down: hot clients leave because sales treat every
                # lead alike; the latter is what the team could act on.
                why=(
                    "Клиенты, у которых „горит“, уходят к конкурентам, которые реагируют быстрее",
                    "Продажники тратят на холодные лиды столько же времени, сколько на горячие",
                ),
                since_days=150,
                closing_note="Лиды маркируем по источнику трафика, горячие обрабатываются первыми.",
            ),
            DemoConstraint(
                title=RU_LEADS,
                area="leads",
                why=(
                    "Плохо настроена рекламная кампания",
                    "Маркетолог проводит много экспериментов с неудачными результатами",
                    "ТЗ маркетологу слишком размытое и не даёт точной информации",
                    "Мы сами не знаем, почему клиенты покупают именно у нас и какие у них критерии выбора",
                ),
                since_days=42,
            ),
        ),
        metrics=(
            DemoMetric(
                "Входящие лиды в неделю",
                "лидов",
                "40",
                (11, 13, 12, 14, 13, 15, 16, 15, 17, 18, 17, 19),
                is_key=True,
                funnel_stage=1,
            ),
            DemoMetric(
                "Конверсия в продажу",
                "%",
                "3",
                (1.6, 1.7, 1.5, 1.8, 1.9, 1.8, 2.1, 2.2, 2.0, 2.3, 2.1, 2.2),
                funnel_stage=2,
            ),
            DemoMetric(
                "Средний чек",
                "₽",
                "350000",
                (310000, 295000, 330000, 305000, 320000, 290000, 335000, 315000, 300000, 325000, 340000, 318000),
            ),
            DemoMetric(
                "Стоимость лида",
                "₽",
                "1500",
                (2600, 2750, 2900, 2500, 2700, 2450, 2550, 2350, 2400, 2250, 2300, 2150),
                higher_is_better=False,
            ),
        ),
        # 40 leads a week at 3 % conversion is about 60 kitchens a year.
        goals=(
            DemoGoal(Horizon.YEAR, "60 заказов кухонь за год", "Входящие лиды в неделю", "40"),
            DemoGoal(Horizon.QUARTER, "Поток лидов — 30 в неделю к концу квартала", "Входящие лиды в неделю", "30"),
            DemoGoal(
                Horizon.MONTH,
                "10 интервью с клиентами и новое ТЗ маркетологу: 22 лида в неделю",
                "Входящие лиды в неделю",
                "22",
            ),
        ),
        hypotheses=(
            # The old constraint: the discount failed, marking leads by source worked and
            # became the rule (the constraint's closing note), the guarantee of the text is
            # being tested now.
            DemoHypothesis(
                title="Скидка 10 % за быстрый заказ",
                statement=(
                    "Если дать скидку 10 % тем, кто закажет в течение трёх дней после замера, "
                    "то конверсия в продажу вырастет с 1,6 до 2,4 %, потому что клиенты перестанут откладывать решение."
                ),
                steps=((Status.IDEA, 131), (Status.READY, 129), (Status.TESTING, 124), (Status.REFUTED, 110)),
                constraint=RU_CONVERSION,
                metric="Конверсия в продажу",
                baseline="1.6",
                expected="2.4",
                success_criteria=(
                    "Две недели со скидкой: конверсия в продажу не ниже 2,4 %, средний чек не ниже 290 000 ₽."
                ),
                cheapest_test="Продажники предлагают скидку на замере и в сообщении после него; без рекламы и сайта.",
                ice=(6, 5, 9),
                expected_return="250000",
                measured="1.6",
                learning=(
                    "Конверсия не сдвинулась (1,6 %). Горячие клиенты покупали и без скидки, холодных она "
                    "не убедила: дело не в цене, а в том, как быстро мы отвечаем тем, у кого „горит“."
                ),
            ),
            DemoHypothesis(
                title="Маркировать лиды по источнику трафика, чтобы продажники звонили горячим первыми",
                statement=(
                    "Если маркировать входящие лиды по источнику трафика и звонить горячим (рекомендации, "
                    "повторные обращения) в течение часа, то конверсия в продажу вырастет с 1,7 до 2 %, "
                    "потому что горячие клиенты перестанут уходить к конкурентам, которые отвечают быстрее."
                ),
                steps=(
                    (Status.IDEA, 104),
                    (Status.READY, 101),
                    (Status.TESTING, 70),
                    (Status.CONFIRMED, 44),
                    (Status.ADOPTED, 42),
                ),
                constraint=RU_CONVERSION,
                metric="Конверсия в продажу",
                baseline="1.7",
                expected="2",
                success_criteria=(
                    "Четыре недели подряд: горячим лидам звонят в течение часа, конверсия в продажу — не ниже 2 %."
                ),
                cheapest_test=(
                    "Метка источника в CRM руками и правило „горячие — первыми“ для продажников: "
                    "2 часа на настройку, без новых систем."
                ),
                ice=(8, 7, 9),
                expected_return="300000",
                measured="2.1",
                learning=(
                    "Горячие лиды получают звонок в течение часа — и покупают: конверсия 2,1 % при ожидаемых 2 %. "
                    "Правило вошло в регламент продаж, метку ставит CRM."
                ),
            ),
            DemoHypothesis(
                title="Гарантия возврата денег",
                statement=(
                    "Если мы пообещаем клиентам гарантию возврата денег, то конверсия в продажу вырастет в 1,5 раза, "
                    "потому что клиенты боятся отдать крупную сумму незнакомой мастерской."
                ),
                steps=((Status.IDEA, 48), (Status.READY, 45), (Status.TESTING, 9)),
                constraint=RU_CONVERSION,
                metric="Конверсия в продажу",
                baseline="2",
                expected="×1.5",
                success_criteria=(
                    "За две недели после рассылки конверсия в продажу — 3 % и выше; "
                    "из получивших оффер хотя бы трое приходят на замер."
                ),
                cheapest_test=(
                    "PDF-оффер с гарантией возврата денег в мессенджере всем, кто не сделал заказ: "
                    "1 час дизайнера и 1 час на рассылку"
                ),
                ice=(8, 5, 9),
                expected_return="320000",
            ),
            # The new constraint: first learn why clients buy from us, then brief the marketer.
            DemoHypothesis(
                title="Интервью с 10 последними клиентами о критериях выбора",
                statement=(
                    "Если расспросить 10 последних клиентов, почему они выбрали нас и что сравнивали, и дать "
                    "маркетологу их слова, то входящих лидов станет 22 в неделю, потому что реклама будет говорить "
                    "о том, за что нас на самом деле выбирают."
                ),
                steps=((Status.IDEA, 40), (Status.READY, 37), (Status.TESTING, 16)),
                constraint=RU_LEADS,
                metric="Входящие лиды в неделю",
                baseline="17",
                expected="22",
                success_criteria=(
                    "Выписаны 3–5 критериев выбора, которые назвали хотя бы трое из десяти; "
                    "через две недели после новой рекламы — 22 лида в неделю."
                ),
                cheapest_test=(
                    "10 звонков по 30 минут: Мария звонит клиентам последних трёх месяцев по списку из пяти вопросов."
                ),
                ice=(10, 7, 7),
                expected_return="150000",
            ),
            DemoHypothesis(
                title="Чёткое ТЗ маркетологу по итогам интервью",
                statement=(
                    "Если маркетолог получит ТЗ на одну страницу — кто наш клиент, его критерии выбора и три оффера "
                    "для проверки, — то стоимость лида упадёт с 2 200 до 1 500 ₽, потому что он перестанет "
                    "проверять случайные идеи."
                ),
                steps=((Status.IDEA, 38), (Status.READY, 20)),
                constraint=RU_LEADS,
                metric="Стоимость лида",
                baseline="2200",
                expected="1500",
                success_criteria=(
                    "Две недели по новому ТЗ: стоимость лида не выше 1 500 ₽ при том же рекламном бюджете."
                ),
                cheapest_test=(
                    "Одна страница ТЗ: 2 часа собственника и маркетолога после интервью; бюджет рекламы прежний."
                ),
                ice=(8, 6, 7),
                expected_return="100000",
            ),
            DemoHypothesis(
                title="Реклама на местном радио",
                statement=(
                    "Если дать рекламу на местном радио, то входящих лидов станет вдвое больше, "
                    "потому что нас услышат те, кто не ищет кухню в интернете."
                ),
                steps=((Status.IDEA, 39), (Status.DROPPED, 30)),
                constraint=RU_LEADS,
                ice=(5, 3, 2),
                drop_reason=(
                    "Самый дешёвый пакет — 150 000 ₽ в месяц, а проверить дёшево нельзя: лиды с радио не отследить "
                    "по источнику. Сначала узнаем, почему клиенты выбирают нас."
                ),
            ),
            DemoHypothesis(
                title="Выход на маркетплейс мебели",
                statement=(
                    "Если выставить наши кухни на крупном маркетплейсе мебели, то получим новый канал — "
                    "10 лидов в неделю, потому что там кухню ищут люди, которые о нас не знают."
                ),
                steps=((Status.IDEA, 35), (Status.READY, 33), (Status.TESTING, 26)),
                constraint=RU_LEADS,
                metric="Входящие лиды в неделю",
                kind=Kind.BREAKTHROUGH,
                baseline="17",
                expected="27",
                success_criteria=(
                    "За 8 недель — не меньше 10 заявок в неделю с маркетплейса при стоимости лида до 3 000 ₽."
                ),
                cheapest_test=(
                    "Карточки трёх готовых проектов на маркетплейсе, заявки — в общий мессенджер отдела продаж."
                ),
                ice=(9, 3, 4),
                budget_cap="120000",
                spent="35000",
                kill_in_days=30,
            ),
            DemoHypothesis(
                title="Партнёрство с дизайнерами интерьеров",
                statement=(
                    "Если дизайнеры интерьеров будут рекомендовать нас своим клиентам за комиссию, то появится поток "
                    "горячих лидов, потому что клиенты доверяют выбору своего дизайнера."
                ),
                steps=((Status.IDEA, 6),),
                constraint=RU_LEADS,
                ice=(7, 4, 5),
            ),
        ),
        sprints=DUBRAVA_SPRINTS,
    ),
    DemoCompany(
        name="Bluebird Coffee Roasters",
        timezone="Europe/London",
        currency="GBP",
        review_weekday=Weekday.MONDAY,
        review_time=time(9, 30),
        team=(
            ("owner@bluebird.demo", "Tom Fletcher", "en", Role.ENTREPRENEUR, Decimal(8)),
            ("ops@bluebird.demo", "Priya Shah", "en", Role.TEAM_LEAD, Decimal(6)),
            ("barista@bluebird.demo", "Lucas Moreau", "en", Role.MEMBER, Decimal(4)),
        ),
        constraints=(
            DemoConstraint(
                title="No repeat sales",
                area="repeat_sales",
                why=(
                    "Most customers buy one bag of beans and never come back",
                    "After the first order we never contact them again",
                    "We collect no e-mail addresses and offer no subscription at checkout",
                ),
                since_days=35,
            ),
        ),
        metrics=(
            DemoMetric(
                "Returning customers per week",
                "customers",
                "60",
                (31, 29, 33, 30, 32, 34, 31, 35, 33, 36, 35, 37),
                is_key=True,
            ),
            DemoMetric(
                "Repeat orders",
                "%",
                "35",
                (18, 17, 19, 18, 20, 19, 21, 20, 22, 21, 23, 22),
            ),
            DemoMetric(
                "Average order value",
                "£",
                "28",
                (21.5, 22.0, 21.8, 22.4, 23.1, 22.7, 23.0, 23.6, 23.2, 24.1, 23.8, 24.3),
            ),
        ),
        goals=(
            DemoGoal(Horizon.YEAR, "A third of the orders are repeat orders", "Repeat orders", "35"),
            DemoGoal(Horizon.QUARTER, "Bean subscription live: 28 % repeat orders", "Repeat orders", "28"),
        ),
        hypotheses=(
            DemoHypothesis(
                title="Refill e-mail two weeks after the first order",
                statement=(
                    "If we e-mail first-time buyers a refill offer two weeks after their order, repeat orders grow "
                    "from 19 % to 21 %, because that is when the bag runs out and they go back to the supermarket."
                ),
                steps=((Status.IDEA, 34), (Status.READY, 33), (Status.TESTING, 30), (Status.CONFIRMED, 16)),
                constraint="No repeat sales",
                metric="Repeat orders",
                baseline="19",
                expected="21",
                success_criteria="Two weeks of e-mails: repeat orders at 21 % or more, unsubscribes under 2 %.",
                cheapest_test=(
                    "One plain-text e-mail sent by hand from the shop's inbox to last month's first-time buyers."
                ),
                ice=(7, 7, 9),
                expected_return="900",
                measured="22",
                learning=(
                    "Repeat orders reached 22 %: the e-mail lands when the bag is nearly empty. "
                    "Worth automating in the shop's e-mail tool."
                ),
            ),
            DemoHypothesis(
                title="Loyalty stamp card in the café",
                statement=(
                    "If regulars get a stamp card (tenth coffee free), returning customers grow from 32 to 40 a week, "
                    "because a card in the wallet reminds them to come back."
                ),
                steps=((Status.IDEA, 33), (Status.READY, 31), (Status.TESTING, 28), (Status.REFUTED, 14)),
                constraint="No repeat sales",
                metric="Returning customers per week",
                baseline="32",
                expected="40",
                success_criteria="Two weeks with the card: 40 returning customers a week.",
                cheapest_test="Print 200 cards at the corner shop and hand them out at the till.",
                ice=(5, 5, 8),
                expected_return="400",
                measured="33",
                learning=(
                    "Only regulars who already came back took a card; the online buyers, most of the "
                    "one-time customers, never see the café."
                ),
            ),
            DemoHypothesis(
                title="Bean subscription at checkout",
                statement=(
                    "If checkout offers a bean subscription (a bag every two weeks, 10 % off), repeat orders reach "
                    "28 %, because buying again takes no decision."
                ),
                steps=((Status.IDEA, 20), (Status.READY, 12), (Status.TESTING, 8)),
                constraint="No repeat sales",
                metric="Repeat orders",
                baseline="22",
                expected="28",
                success_criteria="Four weeks: repeat orders at 28 %, at least 30 active subscriptions.",
                cheapest_test="A checkbox at checkout; subscriptions kept in a spreadsheet and charged by hand.",
                ice=(9, 6, 6),
                expected_return="1500",
            ),
            DemoHypothesis(
                title="Tasting-notes card with a reorder QR code in every bag",
                statement=(
                    "If every bag carries a tasting-notes card with a QR code to reorder, more customers come back, "
                    "because the reorder is one scan away."
                ),
                steps=((Status.IDEA, 5),),
                constraint="No repeat sales",
                ice=(4, 5, 7),
            ),
        ),
        sprints=BLUEBIRD_SPRINTS,
    ),
    DemoCompany(
        name="Northwind Dental Studio",
        timezone="America/New_York",
        currency="USD",
        review_weekday=Weekday.WEDNESDAY,
        review_time=time(16, 0),
        team=(
            ("owner@northwind.demo", "Dr. Maya Collins", "en", Role.ENTREPRENEUR, Decimal(5)),
            ("frontdesk@northwind.demo", "Jordan Lee", "en", Role.MEMBER, Decimal(10)),
        ),
        constraints=(
            DemoConstraint(
                title="Owner drowning in routine",
                area="owner_routine",
                why=(
                    "Dr. Collins spends her lunch breaks and evenings on scheduling and insurance paperwork",
                    "The front desk passes every non-standard request to her",
                    "There are no written rules for reschedules, refunds and insurance claims",
                ),
                since_days=21,
            ),
        ),
        metrics=(
            DemoMetric(
                "Owner's admin hours per week",
                "h",
                "4",
                (14, 15, 13, 16, 14, 15, 13, 14, 12, 13, 12, 11),
                is_key=True,
                higher_is_better=False,
            ),
            DemoMetric("New patients per week", "patients", "12", (8, 7, 9, 8, 6, 9, 8, 10, 9, 8, 10, 9)),
            DemoMetric("Chair utilisation", "%", "85", (68, 71, 66, 70, 72, 69, 73, 70, 74, 72, 75, 73)),
        ),
        goals=(
            DemoGoal(Horizon.YEAR, "The owner treats patients, not paperwork", "Owner's admin hours per week", "4"),
            DemoGoal(
                Horizon.QUARTER,
                "Front-desk playbook in use: owner's admin under 8 h a week",
                "Owner's admin hours per week",
                "8",
            ),
        ),
        hypotheses=(
            DemoHypothesis(
                title="Written rules for reschedules and refunds",
                statement=(
                    "If the front desk has one page of rules for reschedules and refunds, the owner's admin hours "
                    "fall from 14 to 10 a week, because those requests stop coming to her."
                ),
                steps=((Status.IDEA, 20), (Status.READY, 19), (Status.TESTING, 17), (Status.CONFIRMED, 6)),
                constraint="Owner drowning in routine",
                metric="Owner's admin hours per week",
                baseline="14",
                expected="10",
                success_criteria="Ten days with the rules: the owner logs 10 admin hours a week or fewer.",
                cheapest_test="The owner dictates the rules in one evening; Jordan keeps them at the desk.",
                ice=(8, 8, 9),
                expected_return="2400",
                measured="9",
                learning="Most requests were routine once written down; Jordan now handles 9 of 10 without asking.",
            ),
            DemoHypothesis(
                title="Outsource insurance claims to a billing service",
                statement=(
                    "If a billing service files the insurance claims, the owner's admin hours fall "
                    "from 13 to 9 a week, "
                    "because claims are the largest block of her paperwork."
                ),
                steps=((Status.IDEA, 19), (Status.READY, 18), (Status.TESTING, 15), (Status.REFUTED, 5)),
                constraint="Owner drowning in routine",
                metric="Owner's admin hours per week",
                baseline="13",
                expected="9",
                success_criteria="Two weeks: the owner spends under 9 admin hours a week, claims still paid on time.",
                cheapest_test="A two-week trial with one billing service on the month's open claims.",
                ice=(7, 4, 6),
                expected_return="1500",
                measured="13",
                learning=(
                    "The service still needed Dr. Collins to sign off every claim: the hours moved, "
                    "they did not go away."
                ),
            ),
            DemoHypothesis(
                title="Online self-scheduling for reschedules",
                statement=(
                    "If patients can reschedule online, the owner's admin hours fall from 12 to 8 a week, "
                    "because the evening calls about moving appointments stop."
                ),
                steps=((Status.IDEA, 10), (Status.READY, 8), (Status.TESTING, 4)),
                constraint="Owner drowning in routine",
                metric="Owner's admin hours per week",
                baseline="12",
                expected="8",
                success_criteria="Three weeks: at least half the reschedules go online; owner's admin under 8 h.",
                cheapest_test=(
                    "Turn on the booking module the practice software already has; link it in the reminder SMS."
                ),
                ice=(7, 6, 7),
                expected_return="1800",
            ),
            DemoHypothesis(
                title="A part-time practice manager",
                statement=(
                    "If a part-time practice manager takes the paperwork, the owner treats patients instead, "
                    "because nobody else can decide on the exceptions now."
                ),
                steps=((Status.IDEA, 3),),
                constraint="Owner drowning in routine",
                ice=(9, 5, 2),
            ),
        ),
        sprints=NORTHWIND_SPRINTS,
    ),
)


def _demo_user(email: str, full_name: str, language: str, password_hash: Callable[[], str]) -> User:
    user, created = User.objects.get_or_create(email=email, defaults={"full_name": full_name, "language": language})
    if created or not user.has_usable_password():
        user.password = password_hash()
        user.is_active = True
        user.save()
    return user


def _membership(user: User, company: Company, role: str, hours: Decimal) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        user=user,
        company=company,
        defaults={"role": role, "weekly_capacity_hours": hours},
        create_defaults={"role": role, "weekly_capacity_hours": hours, "accepted_at": timezone.now()},
    )
    membership.full_clean()
    return membership


# --- Planning: constraints, metrics, goals (through the services, as the tracker) ----------


def _seed_constraints(spec: DemoCompany, by: Membership) -> None:
    """Name each constraint in turn (the next one resolves the previous), ask its whys,
    mark the root cause; then move the dates back so the history reads like months of work."""
    company = by.company
    if not spec.constraints or company.constraints.exists():
        return
    made: list[Constraint] = []
    previous, previous_note = None, ""
    for item in spec.constraints:
        constraint = services.constraint_replace(
            by=by,
            title=item.title,
            area=item.area,
            previous_outcome=ConstraintStatus.RESOLVED,
            previous_note=previous_note,
            expected_previous_id=previous.pk if previous else None,
        )
        step = None
        for answer in item.why:
            step = services.why_step_add(constraint=constraint, by=by, answer=answer)
        if step is not None:
            services.why_step_mark_root_cause(step=step, by=by)
        made.append(constraint)
        previous, previous_note = constraint, item.closing_note

    today = local_today(company)
    starts = [today - timedelta(days=item.since_days) for item in spec.constraints]
    for index, constraint in enumerate(made):
        started_on = starts[index]
        closed_on = starts[index + 1] if index + 1 < len(made) else None
        _backdate(constraint, company, started_on, closed_on)


def _backdate(constraint: Constraint, company: Company, started_on: date, closed_on: date | None) -> None:
    Constraint.objects.filter(pk=constraint.pk).update(started_on=started_on, closed_on=closed_on)

    def at(day: date) -> datetime:
        return datetime.combine(day, company.review_time, tzinfo=company.tzinfo)

    closing = (ConstraintEvent.Kind.RESOLVED, ConstraintEvent.Kind.DROPPED)
    constraint.events.exclude(kind__in=closing).update(at=at(started_on))
    if closed_on is not None:
        constraint.events.filter(kind__in=closing).update(at=at(closed_on))


def _seed_metrics(spec: DemoCompany, by: Membership) -> None:
    """Each metric with one value a week for the weeks before the current one.

    The values are past Mondays by construction, so they go in with one insert per metric:
    metric_value_record would take ten queries for each of them."""
    if not spec.metrics or by.company.metrics.exists():
        return
    this_week = current_week_start(by.company)
    for item in spec.metrics:
        metric = services.metric_create(
            by=by,
            name=item.name,
            unit=item.unit,
            target=Decimal(item.target),
            higher_is_better=item.higher_is_better,
            funnel_stage=item.funnel_stage,
            is_key=item.is_key,
        )
        weeks = len(item.values)
        MetricValue.objects.bulk_create(
            MetricValue(
                metric=metric,
                week_start=this_week - timedelta(weeks=weeks - index),
                value=Decimal(str(value)),
                recorded_by=by.user,
            )
            for index, value in enumerate(item.values)
        )


def _period(horizon: str, today: date) -> tuple[date, date]:
    """The calendar year, quarter or month that contains `today`."""
    if horizon == Horizon.YEAR:
        return date(today.year, 1, 1), date(today.year, 12, 31)
    if horizon == Horizon.QUARTER:
        first, last = 3 * ((today.month - 1) // 3) + 1, 3 * ((today.month - 1) // 3) + 3
    else:
        first = last = today.month
    return date(today.year, first, 1), date(today.year, last, calendar.monthrange(today.year, last)[1])


def _seed_goals(spec: DemoCompany, by: Membership) -> None:
    company = by.company
    if not spec.goals or company.goals.exists():
        return
    metrics = {metric.name: metric for metric in company.metrics.all()}
    today = local_today(company)
    parent = None
    for item in spec.goals:
        starts_on, due_on = _period(item.horizon, today)
        parent = services.goal_create(
            by=by,
            parent=parent,
            horizon=item.horizon,
            title=item.title,
            metric=metrics.get(item.metric),
            target=Decimal(item.target),
            starts_on=starts_on,
            due_on=due_on,
        )


# --- Hypotheses (through the lifecycle services, as the tracker; then backdated) ----------

VERDICTS = frozenset({Status.CONFIRMED, Status.REFUTED, Status.INCONCLUSIVE})


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _hypothesis_fields(item: DemoHypothesis, company: Company, constraints: dict, metrics: dict) -> dict:
    fields = {
        "title": item.title,
        "statement": item.statement,
        "kind": item.kind,
        "constraint": constraints[item.constraint] if item.constraint else None,
        "metric": metrics[item.metric] if item.metric else None,
        "baseline": _decimal(item.baseline),
        "success_criteria": item.success_criteria,
        "cheapest_test": item.cheapest_test,
        "impact": item.ice[0],
        "confidence": item.ice[1],
        "ease": item.ice[2],
        "expected_return": _decimal(item.expected_return),
        "budget_cap": _decimal(item.budget_cap),
        "spent": Decimal(item.spent),
        "kill_date": local_today(company) + timedelta(days=item.kill_in_days) if item.kill_in_days else None,
    }
    if item.expected is not None and item.expected.startswith("×"):
        fields["expected_multiplier"] = Decimal(item.expected.removeprefix("×"))  # the service computes the value
    else:
        fields["expected_value"] = _decimal(item.expected)
    return fields


def _seed_hypotheses(spec: DemoCompany, by: Membership) -> None:
    """Each hypothesis is created as an idea and walked through its steps by the lifecycle
    services (so the history is the one the app writes); then every event and the
    hypothesis's own dates move back to the day of its step."""
    company = by.company
    if not spec.hypotheses or Hypothesis.objects.filter(company=company).exists():
        return
    constraints = {c.title: c for c in company.constraints.all()}
    metrics = {m.name: m for m in company.metrics.all()}
    today = local_today(company)

    def at(days_ago: int) -> datetime:
        return datetime.combine(today - timedelta(days=days_ago), company.review_time, tzinfo=company.tzinfo)

    for item in spec.hypotheses:
        (first, _created), *moves = item.steps
        if first != Status.IDEA:
            raise CommandError(f"{item.title}: a hypothesis starts as an idea")
        hypothesis = hypothesis_services.hypothesis_create(
            by=by, **_hypothesis_fields(item, company, constraints, metrics)
        )
        for status, _days in moves:
            if status in VERDICTS:
                hypothesis = hypothesis_services.hypothesis_decide(
                    hypothesis=hypothesis,
                    by=by,
                    verdict=status,
                    measured=Decimal(item.measured),
                    note=item.learning,
                )
            else:
                hypothesis = hypothesis_services.hypothesis_transition(
                    hypothesis=hypothesis, by=by, to=status, reason=item.drop_reason
                )
        _backdate_hypothesis(hypothesis, item.steps, at)


def _backdate_hypothesis(hypothesis: Hypothesis, steps, at: Callable[[int], datetime]) -> None:
    """Each event gets the moment of its step; created, testing and decided dates follow."""
    moments = [at(days) for _status, days in steps]
    events = list(hypothesis.events.order_by("pk").values_list("pk", flat=True))
    if len(events) != len(moments):  # the services write one event per step
        raise CommandError(f"{hypothesis.title}: {len(events)} events for {len(moments)} steps")
    HypothesisEvent.objects.filter(pk__in=events).update(
        at=Case(*(When(pk=pk, then=Value(moment)) for pk, moment in zip(events, moments, strict=True)))
    )
    dates = {"created_at": moments[0], "updated_at": moments[-1]}
    for (status, _days), moment in zip(steps, moments, strict=True):
        if status == Status.TESTING:
            dates["testing_started_at"] = moment
        elif status in VERDICTS:
            dates["decided_at"] = moment
    Hypothesis.objects.filter(pk=hypothesis.pk).update(**dates)


# --- Sprints (rows for the weeks behind, as they would have been left; carry-overs through the service)


def _check_sprints(spec: DemoCompany, members: dict[str, Membership]) -> None:
    """The spec itself: closed weeks, then the active one, then at most one planned; every
    owner a member with the hours for their actions; every carried action has a source."""
    statuses = "".join({"closed": "c", "active": "a", "planned": "p"}[item.status] for item in spec.sprints)
    if not re.fullmatch("c*ap?", statuses):
        raise CommandError(f"{spec.name}: closed sprints, one active, at most one planned ({statuses})")
    previous: DemoSprint | None = None
    for item in spec.sprints:
        if (item.review is not None) != (item.status == SprintStatus.CLOSED):
            raise CommandError(f"{spec.name}: a closed sprint has a review, an open one none")
        load: dict[str, Decimal] = {}
        for action in item.actions:
            if action.owner not in members:
                raise CommandError(f"{action.title}: {action.owner} is not a member of {spec.name}")
            if action.status not in ActionStatus.values:
                raise CommandError(f"{action.title}: unknown status {action.status}")
            if item.status == SprintStatus.CLOSED and action.status not in RESOLVED_ACTION_STATUSES:
                raise CommandError(f"{action.title}: a closed sprint keeps no unfinished action")
            if action.carry and item is spec.sprints[-1]:
                raise CommandError(f"{action.title}: carried over, but there is no sprint after")
            if action.carried:
                sources = [a for a in previous.actions if a.carry] if previous else []
                if not any(a.title == action.title and a.hours == action.hours for a in sources):
                    raise CommandError(f"{action.title}: carried, but not carried from the sprint before")
            load[action.owner] = load.get(action.owner, Decimal(0)) + Decimal(action.hours)
        for email, hours in load.items():
            if hours > members[email].weekly_capacity_hours:
                raise CommandError(f"{spec.name}: {email} has {hours} h in one sprint, more than their capacity")
        previous = item


def _kept_in_test(hypotheses: list[Hypothesis], moment: datetime) -> list[Hypothesis]:
    """What was under test at a review and got no verdict there: kept in test on purpose."""
    return [
        h
        for h in hypotheses
        if h.testing_started_at is not None
        and h.testing_started_at <= moment
        and (h.decided_at is None or h.decided_at > moment)
    ]


def _seed_sprints(spec: DemoCompany, by: Membership) -> None:
    """Weekly sprints ending on the review day: the closed ones behind (reviewed at the review
    time, the next one started right after), the active one covering the current week and
    maybe a planned one after it. The services refuse dates in the past, so the rows are
    written as the weeks would have left them; carrying unfinished actions over goes through
    the service, which links each copy to where it came from."""
    company = by.company
    if not spec.sprints or Sprint.objects.filter(company=company).exists():
        return
    members = {m.user.email: m for m in Membership.objects.filter(company=company).select_related("user")}
    _check_sprints(spec, members)
    constraints = {c.title: c for c in company.constraints.all()}
    hypotheses = list(Hypothesis.objects.filter(company=company))
    by_title = {h.title: h for h in hypotheses}

    today = local_today(company)
    active_ends = today + timedelta(days=(company.review_weekday - today.weekday()) % 7)
    closed_count = sum(1 for item in spec.sprints if item.status == SprintStatus.CLOSED)
    first_starts = active_ends - timedelta(weeks=closed_count + 1) + timedelta(days=1)

    def at(day: date, hours: float = 0) -> datetime:
        return datetime.combine(day, company.review_time, tzinfo=company.tzinfo) + timedelta(hours=hours)

    made: list[tuple[Sprint, DemoSprint]] = []
    to_carry: list[Action] = []
    for number, item in enumerate(spec.sprints, start=1):
        starts_on = first_starts + timedelta(weeks=number - 1)
        sprint = Sprint(
            company=company,
            number=number,
            starts_on=starts_on,
            ends_on=starts_on + timedelta(days=6),
            focus=constraints[item.focus] if item.focus else None,
            goal=item.goal,
            budget=_decimal(item.budget),
            status=SprintStatus.PLANNED,  # open while the actions go in
        )
        sprint.clean_fields(exclude=["company", "focus", "override_by"])
        sprint.save()
        carried = {
            copy.title: copy for copy in sprint_services.actions_carry_over(actions=to_carry, to_sprint=sprint, by=by)
        }
        new, copies = [], []
        for spec_action in item.actions:
            if spec_action.carried:
                action = carried.pop(spec_action.title)
                copies.append(action)
            else:
                action = Action(
                    sprint=sprint,
                    title=spec_action.title,
                    owner=members[spec_action.owner],
                    estimate_hours=Decimal(spec_action.hours),
                    cost=_decimal(spec_action.cost),
                    hypothesis=by_title[spec_action.hypothesis] if spec_action.hypothesis else None,
                )
                new.append(action)
            unfinished = spec_action.carry or spec_action.status == ActionStatus.NOT_DONE
            action.status = ActionStatus.TODO if spec_action.carry else spec_action.status
            action.result_note = "" if unfinished else spec_action.note
            action.why_not_note = spec_action.note if unfinished else ""
            # The links were picked from this business above; the rest is checked here
            # (one full_clean per action would cost seven queries each).
            action.clean_fields(exclude=["sprint", "owner", "hypothesis", "carried_over_from"])
        if carried:
            raise CommandError(f"{spec.name}, sprint {number}: carried over but not listed: {sorted(carried)}")
        Action.objects.bulk_create(new)
        Action.objects.bulk_update(copies, ["status", "result_note", "why_not_note"])
        to_carry = [
            action
            for action, spec_action in zip(new, [a for a in item.actions if not a.carried], strict=True)
            if spec_action.carry
        ]
        if item.status != SprintStatus.PLANNED:
            sprint.status, sprint.started_at = item.status, at(starts_on - timedelta(days=1), 1)
        if item.status == SprintStatus.CLOSED:
            sprint.closed_at = at(sprint.ends_on, 1)
        sprint.save(update_fields=["status", "started_at", "closed_at"])
        made.append((sprint, item))

    # The dates the rows would have had: planned at the review before, closed at their own.
    for sprint, item in made:
        if item.status == SprintStatus.PLANNED:
            continue
        planned_at = at(sprint.starts_on - timedelta(days=1), 0.5)
        Sprint.objects.filter(pk=sprint.pk).update(created_at=planned_at)
        actions = Action.objects.filter(sprint=sprint)
        if item.status == SprintStatus.CLOSED:
            actions.update(created_at=planned_at, updated_at=sprint.closed_at)
            held_at = at(sprint.ends_on)
            review = Review(
                sprint=sprint,
                step=SessionStep.CLOSE,
                held_at=held_at,
                what_worked=item.review.what_worked,
                what_to_fix=item.review.what_to_fix,
                notes=item.review.notes,
                constraint_confirmed=item.review.constraint_confirmed,
            )
            review.clean_fields(exclude=["sprint"])
            review.save()
            review.kept_in_test.set(_kept_in_test(hypotheses, held_at))
            Review.objects.filter(pk=review.pk).update(created_at=held_at, updated_at=sprint.closed_at)
        else:
            actions.update(created_at=planned_at)


def _report_past_sprints(companies: list[Company]) -> None:
    """The demo's closed sprints have their reports from the start (rolled up here, not on the
    worker's first tick), and those reports count as e-mailed back when the sprints closed:
    a fresh demo sends no mail about weeks that never happened."""
    closed = Sprint.objects.filter(company__in=companies, status=SprintStatus.CLOSED)
    missing = list(closed.filter(report__computed_at__isnull=True).values_list("pk", flat=True))
    jobs.sprint_rollups(missing)
    SprintReport.objects.filter(sprint__in=closed, emailed_at__isnull=True).update(
        emailed_at=Subquery(Sprint.objects.filter(pk=OuterRef("sprint_id")).values("closed_at")[:1])
    )


class Command(BaseCommand):
    help = "Create (or refresh) the demo tracker, three businesses, their teams, planning data, hypotheses and sprints."

    @transaction.atomic
    def handle(self, *args, **options):
        # One hash for all the demo accounts (their password is printed below anyway):
        # hashing it for each of them would take most of the command's time.
        password_hash = functools.cache(lambda: make_password(DEMO_PASSWORD))
        tracker = _demo_user(*TRACKER[:3], password_hash)
        logins = [(tracker.email, "Tracker, all three businesses")]
        companies = []
        for spec in COMPANIES:
            company, _ = Company.objects.update_or_create(
                name=spec.name,
                defaults={
                    "timezone": spec.timezone,
                    "currency": spec.currency,
                    "review_weekday": spec.review_weekday,
                    "review_time": spec.review_time,
                },
            )
            company.full_clean()
            tracker_membership = _membership(tracker, company, Role.TRACKER, TRACKER[3])
            for email, full_name, language, role, hours in spec.team:
                _membership(_demo_user(email, full_name, language, password_hash), company, role, hours)
                logins.append((email, f"{Role(role).label} of {spec.name}"))
            _seed_constraints(spec, tracker_membership)
            _seed_metrics(spec, tracker_membership)
            _seed_goals(spec, tracker_membership)
            _seed_hypotheses(spec, tracker_membership)
            _seed_sprints(spec, tracker_membership)
            companies.append(company)
        _report_past_sprints(companies)
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Sign in with any of:"))
        for email, what in logins:
            self.stdout.write(f"  {email:<28} {DEMO_PASSWORD}   ({what})")
