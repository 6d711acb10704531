"""The toolkit's own rows: stage conversions as metrics, unit-economics inputs and snapshots."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..fields import CreatedBy, actor_field, optional_link_field
from ..models import Company, Metric
from ..validators import SingleLineCharField


class ConversionMetric(models.Model):
    """A funnel stage's step conversion (lower/upper, in %) kept as a metric of its own, so a
    hypothesis, its verdict and the metric charts work on it like on any metric. Its weekly
    values are derived: `services.conversion_refresh` writes them whenever a stage count is
    recorded, never a person."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    upper = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="+")
    lower = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="+")
    metric = models.OneToOneField(Metric, on_delete=models.CASCADE, related_name="conversion_of")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["upper", "lower"], name="toolkit_conversion_unique_pair")]

    def __str__(self) -> str:
        return self.metric.name


class Period(models.TextChoices):
    MONTH = "month", _("Month")
    WEEK = "week", _("Week")
    QUARTER = "quarter", _("Quarter")


def _money(label, **kwargs):
    return models.DecimalField(
        label, max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal(0))], **kwargs
    )


# The inputs a metric can be mapped to (the sensitivity's inputs).
MAPPABLE = ("ua", "c1", "avg_price", "cogs", "apc", "cpa")


class InputFields(models.Model):
    """UA, C1 (in %), AvPrice, COGS, APC, CPA, FC, one-off cost per new buyer."""

    period = models.CharField(_("period"), max_length=8, choices=Period.choices, default=Period.MONTH)
    ua = models.DecimalField(
        _("users acquired (UA)"), max_digits=12, decimal_places=0, validators=[MinValueValidator(Decimal(1))]
    )
    c1 = models.DecimalField(
        _("conversion to first purchase (C1), %"),
        max_digits=6,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal(100))],
    )
    avg_price = _money(_("average check (AvPrice)"))
    cogs = _money(_("variable cost per purchase (COGS)"))
    apc = models.DecimalField(
        _("purchases per buyer (APC)"),
        max_digits=8,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    cpa = _money(_("cost per acquired user (CPA)"))
    fixed_costs = _money(_("fixed costs (FC)"), default=Decimal(0))
    one_off = _money(_("one-off cost per new buyer"), default=Decimal(0))

    class Meta:
        abstract = True

    INPUT_NAMES = ("period", "ua", "c1", "avg_price", "cogs", "apc", "cpa", "fixed_costs", "one_off")

    def input_values(self) -> dict:
        return {name: getattr(self, name) for name in self.INPUT_NAMES}


def _mapped(label):
    return optional_link_field(Metric, related_name="+", verbose_name=label)


class UnitEconomics(InputFields):
    """A business's working inputs (one row), and which metric feeds which input."""

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="unit_economics")
    ua_metric = _mapped(_("UA from metric"))
    c1_metric = _mapped(_("C1 from metric"))
    avg_price_metric = _mapped(_("AvPrice from metric"))
    cogs_metric = _mapped(_("COGS from metric"))
    apc_metric = _mapped(_("APC from metric"))
    cpa_metric = _mapped(_("CPA from metric"))
    updated_by = actor_field()
    updated_at = models.DateTimeField(auto_now=True)
    # One more at every save of the inputs: an inputs form opened at an older one is refused once.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("unit economics")
        verbose_name_plural = _("unit economics")

    def __str__(self) -> str:
        return str(self.company)

    def mapping(self) -> dict[int, str]:
        """metric id → the input it feeds."""
        return {getattr(self, f"{n}_metric_id"): n for n in MAPPABLE if getattr(self, f"{n}_metric_id")}


class SnapshotKind(models.TextChoices):
    SNAPSHOT = "snapshot", _("Snapshot")
    WHAT_IF = "what_if", _("What if")


class Snapshot(CreatedBy, InputFields):
    """A dated copy of the inputs: the history of the economics, or a "what if"."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=8, choices=SnapshotKind.choices, default=SnapshotKind.SNAPSHOT)
    label = SingleLineCharField(_("label"), max_length=120, blank=True)
    taken_on = models.DateField(_("date"))

    class Meta:
        ordering = ["-taken_on", "-pk"]
        indexes = [models.Index(fields=["company", "-taken_on"], name="toolkit_snapshot_company_date")]
        constraints = [
            models.CheckConstraint(condition=Q(cogs__lte=models.F("avg_price")), name="toolkit_snapshot_cogs_le_price")
        ]

    def __str__(self) -> str:
        return self.label or str(self.taken_on)
