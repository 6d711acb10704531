import zoneinfo
from datetime import time
from decimal import Decimal

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

SPRINT_LENGTH_MIN, SPRINT_LENGTH_MAX = 1, 14
REMINDER_LEAD_MAX_HOURS = 7 * 24
CAPACITY_MAX_HOURS = Decimal(168)


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a known time zone; pick one such as Europe/Moscow."),
            code="invalid_timezone",
            params={"value": value},
        )


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in with an e-mail address."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("e-mail"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    language = models.CharField(
        _("language"), max_length=8, default="en", help_text=_("Language of e-mails.")
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Company(models.Model):
    """A tracked business: the tenant every other object belongs to."""

    name = models.CharField(_("name"), max_length=200)
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC", validators=[validate_timezone])
    currency = models.CharField(
        _("currency"),
        max_length=3,
        default="USD",
        validators=[RegexValidator(r"^[A-Z]{3}$", _("Use a three-letter ISO code such as RUB, EUR or USD."))],
    )
    review_weekday = models.PositiveSmallIntegerField(
        _("weekly review day"), choices=Weekday.choices, default=Weekday.FRIDAY
    )
    review_time = models.TimeField(_("weekly review time"), default=time(10, 0))
    sprint_length_days = models.PositiveSmallIntegerField(
        _("sprint length, days"),
        default=7,
        validators=[MinValueValidator(SPRINT_LENGTH_MIN), MaxValueValidator(SPRINT_LENGTH_MAX)],
    )
    reminder_lead_hours = models.PositiveSmallIntegerField(
        _("remind before the review, hours"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(REMINDER_LEAD_MAX_HOURS)],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("business")
        verbose_name_plural = _("businesses")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sprint_length_days__gte=SPRINT_LENGTH_MIN)
                & Q(sprint_length_days__lte=SPRINT_LENGTH_MAX),
                name="company_sprint_length_1_14",
            ),
            models.CheckConstraint(
                condition=Q(reminder_lead_hours__gte=1) & Q(reminder_lead_hours__lte=REMINDER_LEAD_MAX_HOURS),
                name="company_reminder_lead_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class Role(models.TextChoices):
    TRACKER = "tracker", _("Tracker")
    ENTREPRENEUR = "entrepreneur", _("Entrepreneur")
    TEAM_LEAD = "team_lead", _("Team lead")
    MEMBER = "member", _("Member")


# A company always keeps at least one person who can manage it.
MANAGING_ROLES = frozenset({Role.TRACKER, Role.ENTREPRENEUR})


class Membership(models.Model):
    """A user's role and weekly capacity in one company."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("business")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    weekly_capacity_hours = models.DecimalField(
        _("weekly capacity, hours"),
        max_digits=4,
        decimal_places=1,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(CAPACITY_MAX_HOURS)],
    )
    invited_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Written in the same transaction as the membership; the invitation task sets it.
    invitation_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["company", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "company"], name="membership_unique_user"),
            models.CheckConstraint(
                condition=Q(weekly_capacity_hours__gte=0) & Q(weekly_capacity_hours__lte=CAPACITY_MAX_HOURS),
                name="membership_capacity_0_168",
            ),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.company} ({self.get_role_display()})"

    @property
    def is_pending(self) -> bool:
        """Invited, but has not set a password yet."""
        return not self.user.is_active
