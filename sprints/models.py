from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hypotheses.models import Hypothesis
from tracking.fields import Timestamped, actor_field, company_field, optional_link_field
from tracking.models import Constraint, Membership
from tracking.validators import MultiLineTextField, SingleLineCharField

from .report_numbers import ReportNumbers

SPRINT_MAX_DAYS = 14
ESTIMATE_MAX_HOURS = Decimal(168)


class SprintStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", pgettext_lazy("sprint status", "Active")
    REVIEW = "review", _("In review")
    CLOSED = "closed", _("Closed")


class Sprint(models.Model):
    """One week (two at most) of cheap actions, reviewed at the weekly meeting."""

    company = company_field("sprints")
    number = models.PositiveIntegerField(_("number"))
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    focus = optional_link_field(Constraint, related_name="sprints", verbose_name=_("focus constraint"))
    goal = SingleLineCharField(_("sprint goal"), max_length=300, blank=True)
    budget = models.DecimalField(_("money budget"), max_digits=14, decimal_places=2, null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=SprintStatus.choices, default=SprintStatus.PLANNED)
    started_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # A start despite an overbooked owner or an exceeded budget, with the tracker's reason.
    override_reason = MultiLineTextField(_("why start despite the warning"), blank=True)
    override_by = actor_field()
    archived_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sprint")
        verbose_name_plural = _("sprints")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="sprint_unique_number"),
            # One sprint at a time runs or is being reviewed: the next starts once the last is closed.
            models.UniqueConstraint(
                fields=["company"], condition=Q(status__in=["active", "review"]), name="sprint_one_open_per_company"
            ),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="sprint_ends_after_start"),
            models.CheckConstraint(condition=Q(number__gte=1), name="sprint_number_positive"),
        ]
        # The no-overlap rule is an exclusion constraint over date ranges (btree_gist) that the
        # sprints migration adds; services check it too, to name the sprint in the way.
        indexes = [
            models.Index(fields=["company", "status"], name="sprint_company_status"),
            # A business's last closed sprints, newest first (the outcomes, the owners' recent
            # share of hours done): read a few from the top, not every sprint of the years.
            models.Index(
                F("company"),
                F("starts_on").desc(),
                F("id").desc(),
                name="sprint_closed_recent",
                condition=Q(status="closed", archived_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return _("Sprint %(number)s") % {"number": self.number}

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


class ActionStatus(models.TextChoices):
    TODO = "todo", _("To do")
    DOING = "doing", _("Doing")
    DONE = "done", _("Done")
    NOT_DONE = "not_done", _("Not done")


RESOLVED_ACTION_STATUSES = frozenset({ActionStatus.DONE, ActionStatus.NOT_DONE})


class Action(Timestamped):
    """A sprint item: one owner, an estimate, and what came of it."""

    sprint = models.ForeignKey(Sprint, on_delete=models.CASCADE, related_name="actions", verbose_name=_("sprint"))
    title = SingleLineCharField(_("action"), max_length=300)
    owner = optional_link_field(Membership, related_name="actions", verbose_name=_("owner"))
    estimate_hours = models.DecimalField(
        _("estimate, hours"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(ESTIMATE_MAX_HOURS)],
    )
    cost = models.DecimalField(
        _("cost"), max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    # What it actually cost, logged with its result: the planned `cost` stays, for the report's
    # budget (planned against spent).
    spent = models.DecimalField(
        _("spent"), max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    hypothesis = optional_link_field(Hypothesis, related_name="actions", verbose_name=_("tests the hypothesis"))
    status = models.CharField(_("status"), max_length=8, choices=ActionStatus.choices, default=ActionStatus.TODO)
    result_note = MultiLineTextField(_("result"), max_length=2000, blank=True)
    why_not_note = MultiLineTextField(_("why not"), max_length=2000, blank=True)
    carried_over_from = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="carried_to",
        verbose_name=_("carried over from"),
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["sprint", "owner_id", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(estimate_hours__gt=0) & Q(estimate_hours__lte=ESTIMATE_MAX_HOURS),
                name="action_estimate_in_range",
            ),
            models.CheckConstraint(condition=Q(cost__isnull=True) | Q(cost__gte=0), name="action_cost_not_negative"),
        ]
        indexes = [models.Index(fields=["sprint", "status"], name="action_sprint_status")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_resolved(self) -> bool:
        return self.status in RESOLVED_ACTION_STATUSES


class SessionStep(models.TextChoices):
    RESULTS = "results", _("Results")
    VERDICTS = "verdicts", _("Verdicts")
    METRICS = "metrics", _("Metrics")
    CONSTRAINT = "constraint", _("Main constraint")
    PLAN = "plan", _("Next sprint")
    CLOSE = "close", _("Close")


class Review(Timestamped):
    """The weekly review of one sprint; also where the session remembers its step."""

    sprint = models.OneToOneField(Sprint, on_delete=models.CASCADE, related_name="review")
    step = models.CharField(max_length=12, choices=SessionStep.choices, default=SessionStep.RESULTS)
    held_at = models.DateTimeField(_("held at"), null=True, blank=True)
    notes = MultiLineTextField(_("notes"), max_length=4000, blank=True)
    what_worked = MultiLineTextField(_("what worked"), max_length=4000, blank=True)
    what_to_fix = MultiLineTextField(_("what to fix"), max_length=4000, blank=True)
    constraint_confirmed = models.BooleanField(_("the main constraint is still the main one"), null=True, blank=True)
    kept_in_test = models.ManyToManyField(Hypothesis, blank=True, related_name="+")

    class Meta:
        verbose_name = _("weekly review")
        verbose_name_plural = _("weekly reviews")

    def __str__(self) -> str:
        return f"{self.sprint} review"


class ReminderKind(models.TextChoices):
    RESULTS_DUE = "results_due", _("Results due")
    SESSION_UPCOMING = "session_upcoming", _("Session upcoming")
    REVIEW_OVERDUE = "review_overdue", _("Review overdue")


class Reminder(models.Model):
    """One reminder to one person about one sprint. The row is written (under a unique
    constraint) before anything is sent, so each reminder goes out once; its message, and what
    happened to it, is the outbox's under "reminder:<id>"."""

    sprint = models.ForeignKey(Sprint, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sprint", "kind", "recipient"], name="reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id} ({self.sprint_id})"


class SprintReport(models.Model):
    """The roll-up of a closed sprint, computed when the sprint closes (and again by the job
    that e-mails it); recomputing gives the same numbers. Its e-mails are the outbox's, under
    "report:<id>"."""

    sprint = models.OneToOneField(Sprint, on_delete=models.CASCADE, related_name="report")
    data = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sprint report")
        verbose_name_plural = _("sprint reports")

    def __str__(self) -> str:
        return f"{self.sprint} report"

    @property
    def numbers(self):
        """`data` read through its dataclass, for templates."""
        return ReportNumbers.from_json(self.data)


class Digest(models.Model):
    """The weekly portfolio digest of one tracker for one week: written, then sent once
    through the outbox, under "digest:<id>"."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week_start = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["recipient", "week_start"], name="digest_once")]

    def __str__(self) -> str:
        return f"digest {self.recipient_id} {self.week_start}"
