import zoneinfo
from datetime import time
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Case, Q, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext_lazy as _

# The accounts' and the outbox's models are this app's (its migrations hold them and name
# UserManager and validate_timezone here): importing them registers them with the app.
from .accounts.models import SignInEvent, SignInEventKind, User, UserManager  # noqa: F401
from .delivery.models import OutboxChannel, OutboxMessage  # noqa: F401
from .fields import CreatedBy, Timestamped, actor_field, company_field, optional_link_field
from .numbers import unit_label
from .validators import MultiLineTextField, SingleLineCharField, validate_timezone
from .webhooks.models import WebhookAttempt, WebhookSubscription  # noqa: F401

SPRINT_LENGTH_MIN, SPRINT_LENGTH_MAX = 1, 14
REMINDER_LEAD_MAX_HOURS = 7 * 24
CAPACITY_MAX_HOURS = Decimal(168)


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Company(Timestamped):
    """A tracked business: the tenant every other object belongs to."""

    name = SingleLineCharField(_("name"), max_length=200)
    timezone = SingleLineCharField(_("time zone"), max_length=64, default="UTC", validators=[validate_timezone])
    currency = SingleLineCharField(
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
    # The language the app writes in for the business (a hypothesis made from an insight, script
    # templates, report headings sent outside), whatever each reader's interface language.
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    reminder_lead_hours = models.PositiveSmallIntegerField(
        _("remind before the review, hours"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(REMINDER_LEAD_MAX_HOURS)],
    )

    class Meta:
        verbose_name = _("business")
        verbose_name_plural = _("businesses")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sprint_length_days__gte=SPRINT_LENGTH_MIN) & Q(sprint_length_days__lte=SPRINT_LENGTH_MAX),
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


class MembershipQuerySet(models.QuerySet):
    def accepted(self):
        """Memberships that give access: the person accepted the invitation."""
        return self.filter(accepted_at__isnull=False)

    def pending(self):
        return self.filter(accepted_at__isnull=True)


class Membership(models.Model):
    """A user's role and weekly capacity in one company."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user"))
    company = company_field("memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    weekly_capacity_hours = models.DecimalField(
        _("weekly capacity, hours"),
        max_digits=4,
        decimal_places=1,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(CAPACITY_MAX_HOURS)],
    )
    invited_by = actor_field()
    # The name the inviter typed. Until the person accepts, the business sees only this (or the
    # address), never their account's own name: adding an address tells nothing about it.
    invited_name = SingleLineCharField(_("name given by the inviter"), max_length=150, blank=True, default="")
    # A membership is an invitation until the person accepts it: from the link in the e-mail
    # (a new account) or from their portfolio (an existing one). Until then it gives no access.
    accepted_at = models.DateTimeField(null=True, blank=True)
    # The invitation e-mail, and what happened to it, is the outbox's under "invitation:<id>".
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

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
        """Invited, and not accepted yet."""
        return self.accepted_at is None

    @property
    def name(self) -> str:
        """The person as the business shows them (member_name)."""
        user = self.user
        return member_name(
            accepted=not self.is_pending, invited_name=self.invited_name, full_name=user.full_name, email=user.email
        )


def member_name(*, accepted: bool, invited_name: str, full_name: str, email: str) -> str:
    """What a business shows for one of its people: their own name once they accepted; until
    then what the inviter typed, or the address alone."""
    if not accepted:
        return invited_name or email
    return full_name or email


def member_name_order() -> Case:
    """member_name as SQL, to sort memberships by what they show."""
    return Case(
        When(accepted_at__isnull=True, then=Coalesce(NullIf("invited_name", Value("")), "user__email")),
        default=Coalesce(NullIf("user__full_name", Value("")), "user__email"),
        output_field=models.CharField(),
    )


# --- The main constraint and its root cause ---------------------------------------------


class ConstraintArea(models.TextChoices):
    LEADS = "leads", _("Leads")
    CONVERSION = "conversion", _("Conversion to sale")
    REPEAT_SALES = "repeat_sales", _("Repeat sales")
    AVERAGE_CHECK = "average_check", _("Average check")
    SUPPLY = "supply", _("Stock and supply")
    TEAM = "team", _("Team and hiring")
    OWNER_ROUTINE = "owner_routine", _("Owner's routine")
    OTHER = "other", _("Other")


class ConstraintStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RESOLVED = "resolved", _("Resolved")
    DROPPED = "dropped", _("Dropped")


class Constraint(CreatedBy):
    """What limits the company's growth most right now. At most one is active."""

    company = company_field("constraints")
    title = SingleLineCharField(_("main constraint"), max_length=300)
    area = models.CharField(_("area"), max_length=20, choices=ConstraintArea.choices, default=ConstraintArea.OTHER)
    status = models.CharField(
        _("status"), max_length=10, choices=ConstraintStatus.choices, default=ConstraintStatus.ACTIVE
    )
    started_on = models.DateField(_("since"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closing_note = MultiLineTextField(_("what happened"), blank=True)

    class Meta:
        verbose_name = _("main constraint")
        verbose_name_plural = _("main constraints")
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["company"],
                condition=Q(status="active"),
                name="constraint_one_active_per_company",
            ),
            models.CheckConstraint(
                condition=Q(status="active", closed_on__isnull=True)
                | (~Q(status="active") & Q(closed_on__isnull=False)),
                name="constraint_closed_on_iff_closed",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.status == ConstraintStatus.ACTIVE


class WhyStep(models.Model):
    """One “why?” and its answer; the chain ends in the root cause."""

    constraint = models.ForeignKey(Constraint, on_delete=models.CASCADE, related_name="why_steps")
    position = models.PositiveIntegerField(_("position"))
    answer = MultiLineTextField(_("because…"), max_length=1000)
    is_root_cause = models.BooleanField(_("root cause"), default=False)

    class Meta:
        verbose_name = _("why-step")
        verbose_name_plural = _("why-steps")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["constraint"],
                condition=Q(is_root_cause=True),
                name="whystep_one_root_cause",
            ),
        ]

    def __str__(self) -> str:
        return self.answer[:80]


class EventLog(models.Model):
    """One line of a history: who did it (kept as empty when the account goes), which kind of
    change (each log's own `Kind`), what changed, when. A log adds its subject and its index."""

    actor = actor_field()
    changes = models.JSONField(default=dict, blank=True)  # {"field": [old, new]}, or what the kind needs
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-at", "-pk"]


class ConstraintEvent(EventLog):
    """The history of a constraint: who changed what, when."""

    class Kind(models.TextChoices):
        CREATED = "created", _("named the main constraint")
        EDITED = "edited", _("edited the constraint")
        WHY_ADDED = "why_added", _("added a why-step")
        WHY_EDITED = "why_edited", _("edited a why-step")
        WHY_MOVED = "why_moved", _("reordered the why-steps")
        WHY_DELETED = "why_deleted", _("deleted a why-step")
        ROOT_CAUSE = "root_cause", _("marked the root cause")
        RESOLVED = "resolved", _("resolved the constraint")
        DROPPED = "dropped", _("dropped the constraint")

    constraint = models.ForeignKey(Constraint, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)

    class Meta(EventLog.Meta):
        indexes = [models.Index(fields=["constraint", "-at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.at:%Y-%m-%d})"


# --- Metrics and their weekly values -----------------------------------------------------

# Values are stored with 4 decimals; 14 digits before the point is far beyond any real metric.
VALUE_MAX_DIGITS, VALUE_DECIMALS = 18, 4


class Metric(models.Model):
    company = company_field("metrics")
    name = SingleLineCharField(_("name"), max_length=120)
    unit = SingleLineCharField(
        _("unit"),
        max_length=60,
        blank=True,
        help_text=_("%, ₽, leads… A count's unit may give its forms, one per plural form: “lead, leads”."),
    )
    higher_is_better = models.BooleanField(_("higher is better"), default=True)
    target = models.DecimalField(
        _("target"), max_digits=VALUE_MAX_DIGITS, decimal_places=VALUE_DECIMALS, null=True, blank=True
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)
    funnel_stage = models.PositiveSmallIntegerField(
        _("funnel stage"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("Order in the sales funnel (1 = top), if this metric is a funnel stage."),
    )
    is_key = models.BooleanField(_("key metric"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("metric")
        verbose_name_plural = _("metrics")
        ordering = ["-is_key", "funnel_stage", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="metric_unique_name"),
            models.UniqueConstraint(fields=["company"], condition=Q(is_key=True), name="metric_one_key_per_company"),
        ]

    def __str__(self) -> str:
        label = unit_label(self.unit)
        return f"{self.name}, {label}" if label else self.name


class MetricValue(models.Model):
    """The value of a metric for one week of the company's local calendar (Monday–Sunday)."""

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="values")
    week_start = models.DateField(_("week"))
    value = models.DecimalField(_("value"), max_digits=VALUE_MAX_DIGITS, decimal_places=VALUE_DECIMALS)
    recorded_by = actor_field()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("metric value")
        verbose_name_plural = _("metric values")
        ordering = ["metric_id", "week_start"]  # the metric's id: not joined to sort by its name
        constraints = [
            models.UniqueConstraint(fields=["metric", "week_start"], name="metricvalue_one_per_week"),
        ]

    def __str__(self) -> str:
        return f"{self.metric.name} {self.week_start}: {self.value}"


# --- Goals: year → quarter → month ---------------------------------------------------------


class Horizon(models.TextChoices):
    YEAR = "year", _("Year")
    QUARTER = "quarter", _("Quarter")
    MONTH = "month", _("Month")


HORIZON_RANK = {Horizon.YEAR: 3, Horizon.QUARTER: 2, Horizon.MONTH: 1}
HORIZON_MAX_DAYS = {Horizon.YEAR: 366, Horizon.QUARTER: 92, Horizon.MONTH: 31}


class Goal(models.Model):
    company = company_field("goals")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        verbose_name=_("part of"),
    )
    horizon = models.CharField(_("horizon"), max_length=8, choices=Horizon.choices)
    title = SingleLineCharField(_("goal"), max_length=300)
    metric = optional_link_field(Metric, related_name="goals", verbose_name=_("metric"))
    target = models.DecimalField(
        _("target"), max_digits=VALUE_MAX_DIGITS, decimal_places=VALUE_DECIMALS, null=True, blank=True
    )
    starts_on = models.DateField(_("from"))
    due_on = models.DateField(_("due date"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(starts_on__lte=models.F("due_on")), name="goal_period_ordered"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.starts_on and self.due_on:
            if self.starts_on > self.due_on:
                raise ValidationError({"due_on": _("The due date must not be before the start.")})
            limit = HORIZON_MAX_DAYS.get(self.horizon)
            if limit and (self.due_on - self.starts_on).days + 1 > limit:
                raise ValidationError(
                    {
                        "due_on": _("A %(horizon)s goal spans at most %(days)s days.")
                        % {"horizon": self.get_horizon_display().lower(), "days": limit}
                    }
                )
        if self.metric_id and self.target is None:
            raise ValidationError({"target": _("Give the target value of the metric.")})
