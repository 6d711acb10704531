"""Demo data: a tracker with three businesses, their teams and their planning. Safe to run again.

One business is the example of the method's first text (seed 000), in Russian: an earlier
main constraint (weak conversion of hot leads, resolved) and the current one (no inbound
leads) with the why-chain of the text, its metrics for the last 12 weeks and a goal tree
(year → quarter → month), and the hypotheses of both constraints: the money-back guarantee
of the text under test, the lead marking that resolved the old constraint confirmed and
adopted, a refuted discount, customer interviews for the new one. The two English businesses
get a smaller version of the same.

Planning data goes through the services, acting as the business's tracker; afterwards the
dates are moved back so the history reads like months of work. A business that already has
constraints, metrics, goals or hypotheses keeps them: each part is added only once.
"""

import calendar
import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Case, Value, When

from hypotheses import services as hypothesis_services
from hypotheses.models import Hypothesis, HypothesisEvent, Kind, Status
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
TRACKER = ("tracker@demo.example", "Anna Sokolova", "en", Decimal(12))


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


RU_CONVERSION = "Слабая конверсия горячих лидов в продажи"
RU_LEADS = "Нет входящих лидов"

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
        user=user, company=company, defaults={"role": role, "weekly_capacity_hours": hours}
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


class Command(BaseCommand):
    help = "Create (or refresh) the demo tracker, three businesses, their teams, planning data and hypotheses."

    @transaction.atomic
    def handle(self, *args, **options):
        # One hash for all the demo accounts (their password is printed below anyway):
        # hashing it for each of them would take most of the command's time.
        password_hash = functools.cache(lambda: make_password(DEMO_PASSWORD))
        tracker = _demo_user(*TRACKER[:3], password_hash)
        logins = [(tracker.email, "Tracker, all three businesses")]
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
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Sign in with any of:"))
        for email, what in logins:
            self.stdout.write(f"  {email:<28} {DEMO_PASSWORD}   ({what})")
