"""Demo data: a tracker with three businesses and their teams. Safe to run again.

One business is the example of the method's first text (seed 000), in Russian; later
features add their own data (constraints, metrics, hypotheses, sprints) to the same demo.
"""

from dataclasses import dataclass
from datetime import time
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction

from tracking.models import Company, Membership, Role, User, Weekday

DEMO_PASSWORD = "demo-sprints-2026"
TRACKER = ("tracker@demo.example", "Anna Sokolova", "en", Decimal(12))


@dataclass(frozen=True)
class DemoCompany:
    name: str
    timezone: str
    currency: str
    review_weekday: int
    review_time: time
    team: tuple  # (email, full name, language, role, weekly hours)


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
    ),
)


def _demo_user(email: str, full_name: str, language: str) -> User:
    user, created = User.objects.get_or_create(email=email, defaults={"full_name": full_name, "language": language})
    if created or not user.has_usable_password():
        user.set_password(DEMO_PASSWORD)
        user.is_active = True
        user.save()
    return user


def _membership(user: User, company: Company, role: str, hours: Decimal) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        user=user, company=company, defaults={"role": role, "weekly_capacity_hours": hours}
    )
    membership.full_clean()
    return membership


class Command(BaseCommand):
    help = "Create (or refresh) the demo tracker, three businesses and their teams."

    @transaction.atomic
    def handle(self, *args, **options):
        tracker = _demo_user(*TRACKER[:3])
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
            _membership(tracker, company, Role.TRACKER, TRACKER[3])
            for email, full_name, language, role, hours in spec.team:
                _membership(_demo_user(email, full_name, language), company, role, hours)
                logins.append((email, f"{Role(role).label} of {spec.name}"))
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Sign in with any of:"))
        for email, what in logins:
            self.stdout.write(f"  {email:<28} {DEMO_PASSWORD}   ({what})")
