from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tracking.custdev.models import Insight, Script
from tracking.fields import actor_field, company_field, optional_link_field
from tracking.models import VALUE_DECIMALS, VALUE_MAX_DIGITS, Constraint, EventLog, Metric
from tracking.validators import MultiLineTextField, SingleLineCharField


class Kind(models.TextChoices):
    INNOVATION = "innovation", _("Innovation")
    BREAKTHROUGH = "breakthrough", _("Breakthrough")


class Status(models.TextChoices):
    IDEA = "idea", _("Idea")
    READY = "ready", _("Ready")
    TESTING = "testing", _("Testing")
    CONFIRMED = "confirmed", _("Confirmed")
    REFUTED = "refuted", _("Refuted")
    INCONCLUSIVE = "inconclusive", _("Inconclusive")
    ADOPTED = "adopted", _("Adopted")
    DROPPED = "dropped", pgettext_lazy("hypothesis status", "Dropped")


class Verdict(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    REFUTED = "refuted", _("Refuted")
    INCONCLUSIVE = "inconclusive", _("Inconclusive")


# States in which a hypothesis is still being worked on (and so can be dropped).
OPEN_STATUSES = frozenset({Status.IDEA, Status.READY, Status.TESTING, Status.INCONCLUSIVE})
DECIDED_STATUSES = frozenset({Status.CONFIRMED, Status.REFUTED, Status.INCONCLUSIVE})
# After this point, changes to the pre-registered fields are flagged.
STARTED_STATUSES = frozenset(Status) - {Status.IDEA, Status.READY}

ICE_MIN, ICE_MAX = 1, 10
ice_validators = [MinValueValidator(ICE_MIN), MaxValueValidator(ICE_MAX)]


def _money(label, **kwargs):
    return models.DecimalField(label, max_digits=14, decimal_places=2, null=True, blank=True, **kwargs)


def _value(label, **kwargs):
    return models.DecimalField(
        label, max_digits=VALUE_MAX_DIGITS, decimal_places=VALUE_DECIMALS, null=True, blank=True, **kwargs
    )


class HypothesisQuerySet(models.QuerySet):
    def live(self):
        return self.filter(archived_at__isnull=True)


class Hypothesis(models.Model):
    """What we believe would get around the constraint, with how we will know, said up front."""

    company = company_field("hypotheses")
    constraint = optional_link_field(Constraint, related_name="hypotheses", verbose_name=_("main constraint"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.INNOVATION)
    title = SingleLineCharField(_("title"), max_length=200)
    statement = MultiLineTextField(
        _("hypothesis"), max_length=2000, help_text=_("If we …, then … will change by …, because …")
    )
    metric = optional_link_field(Metric, related_name="hypotheses", verbose_name=_("metric"))
    baseline = _value(_("baseline"))
    expected_value = _value(_("expected value"))
    expected_multiplier = models.DecimalField(
        _("expected multiplier"), max_digits=8, decimal_places=3, null=True, blank=True
    )
    success_criteria = MultiLineTextField(_("how we will know it worked"), max_length=2000, blank=True)
    cheapest_test = MultiLineTextField(_("cheapest test"), max_length=2000, blank=True)
    impact = models.PositiveSmallIntegerField(_("impact"), default=5, validators=ice_validators)
    confidence = models.PositiveSmallIntegerField(_("confidence"), default=5, validators=ice_validators)
    ease = models.PositiveSmallIntegerField(_("ease"), default=5, validators=ice_validators)
    ice = models.GeneratedField(
        expression=F("impact") * F("confidence") * F("ease"),
        output_field=models.PositiveIntegerField(),
        db_persist=True,
    )
    expected_return = _money(_("expected return per month"))
    budget_cap = _money(_("budget cap"))
    spent = models.DecimalField(_("spent"), max_digits=14, decimal_places=2, default=Decimal(0))
    kill_date = models.DateField(_("kill date"), null=True, blank=True)
    # The date by which a test must show a result; set when testing starts, movable by hand.
    check_by = models.DateField(_("check by"), null=True, blank=True)

    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.IDEA)
    testing_started_at = models.DateTimeField(_("testing since"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    verdict = models.CharField(_("verdict"), max_length=12, choices=Verdict.choices, blank=True)
    measured_value = _value(_("measured value"))
    learning = MultiLineTextField(_("what we learned"), max_length=4000, blank=True)
    drop_reason = MultiLineTextField(_("why it was dropped"), max_length=2000, blank=True)
    # What the pre-registered numbers said when the verdict was given ("" when they said
    # nothing), and why the verdict went against them when it did.
    numbers_verdict = models.CharField(_("verdict of the numbers"), max_length=12, choices=Verdict.choices, blank=True)
    against_numbers_reason = MultiLineTextField(_("why against the numbers"), max_length=2000, blank=True)
    # The evidence it grew from: an insight of customer interviews (tracking.custdev).
    insight = optional_link_field(Insight, related_name="hypotheses", verbose_name=_("insight"))

    author = actor_field(verbose_name=_("author"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic concurrency: every save bumps it; a save based on an older one is refused.
    version = models.PositiveIntegerField(default=1)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)

    objects = HypothesisQuerySet.as_manager()

    class Meta:
        verbose_name = _("hypothesis")
        verbose_name_plural = _("hypotheses")
        ordering = ["-ice", "-pk"]
        indexes = [
            models.Index(fields=["company", "status"], name="hypothesis_company_status"),
            models.Index(fields=["company", "created_at"], name="hypothesis_company_created"),
            # The learnings library, newest ended first (hypotheses/library.py): its first page
            # is read from here, and its count from here alone, not from every hypothesis.
            models.Index(
                Coalesce("decided_at", "updated_at").desc(),
                F("id").desc(),
                name="hypothesis_learned_ended",
                include=["company"],
                condition=Q(archived_at__isnull=True) & (~Q(verdict="") | Q(status="dropped")),
            ),
            # Under test, per business, with the earliest check date: the portfolio's count and
            # its "past the check date" flag read from here alone, not from the table's pages.
            models.Index(
                fields=["company", "check_by"],
                name="hypothesis_testing_check_by",
                condition=Q(archived_at__isnull=True, status="testing"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(impact__gte=ICE_MIN, impact__lte=ICE_MAX)
                & Q(confidence__gte=ICE_MIN, confidence__lte=ICE_MAX)
                & Q(ease__gte=ICE_MIN, ease__lte=ICE_MAX),
                name="hypothesis_ice_1_10",
            ),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="hypothesis_status_valid"),
            models.CheckConstraint(
                condition=~Q(status__in=sorted(s.value for s in DECIDED_STATUSES)) | ~Q(verdict=""),
                name="hypothesis_decided_has_verdict",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_breakthrough(self) -> bool:
        return self.kind == Kind.BREAKTHROUGH

    @property
    def against_numbers(self) -> bool:
        return bool(self.against_numbers_reason)


class HypothesisEvent(EventLog):
    """One change of a hypothesis: who, when, what (old → new)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("created")
        EDITED = "edited", _("edited")
        TRANSITION = "transition", _("moved")
        VERDICT = "verdict", _("gave the verdict")
        ARCHIVED = "archived", _("archived")
        RESTORED = "restored", _("restored")

    hypothesis = models.ForeignKey(Hypothesis, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    from_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    after_test_started = models.BooleanField(default=False)
    note = MultiLineTextField(blank=True)

    class Meta(EventLog.Meta):
        indexes = [models.Index(fields=["hypothesis", "-at"], name="hypothesisevent_timeline")]

    def __str__(self) -> str:
        return f"{self.hypothesis_id} {self.kind} {self.at:%Y-%m-%d}"


class ScriptLink(models.Model):
    """An interview script written for a hypothesis (a script belongs to a business and
    optionally to … a hypothesis). Kept here, not on the script, so that custdev does not
    know hypotheses (the apps depend one way); a script is for at most one hypothesis, of its
    own business (hypotheses/scripts.py checks it)."""

    hypothesis = models.ForeignKey(Hypothesis, on_delete=models.CASCADE, related_name="script_links")
    script = models.OneToOneField(Script, on_delete=models.CASCADE, related_name="hypothesis_link")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("interview script of a hypothesis")
        verbose_name_plural = _("interview scripts of hypotheses")

    def __str__(self) -> str:
        return f"{self.script_id} → {self.hypothesis_id}"
