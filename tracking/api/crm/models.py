"""A business's CRM connection, its stage mapping and the events it received. Models of the
`api` app (tracking/api/migrations), imported by tracking/api/models.py."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ...fields import CreatedBy, optional_link_field
from ...models import Company, Metric
from ...validators import SingleLineCharField

KEY_LENGTH = 22  # secrets.token_urlsafe(16)


class Provider(models.TextChoices):
    AMOCRM = "amocrm", "amoCRM"
    BITRIX24 = "bitrix24", "Bitrix24"
    HUBSPOT = "hubspot", "HubSpot"


# The names as a reader of each language writes them (in Russian, «Битрикс24»).
PROVIDER_NAMES = {Provider.AMOCRM: "amoCRM", Provider.BITRIX24: _("Bitrix24"), Provider.HUBSPOT: "HubSpot"}


class Reason(models.TextChoices):
    """Why an event counts for no metric: it stays on the review list."""

    NO_STAGE = "no_stage", _("The stage is not in the payload")
    UNKNOWN_STAGE = "unknown_stage", _("The stage is not mapped to a metric")
    UNKNOWN_PIPELINE = "unknown_pipeline", _("The stage is mapped for another pipeline")
    NOT_A_STAGE_CHANGE = "not_a_stage_change", _("Not a change of a deal's stage")
    FUTURE_WEEK = "future_week", _("The event is dated in a week that has not started")
    NO_MEMBER = "no_member", _("The person who connected the CRM can no longer enter weekly values")


class CrmConnection(CreatedBy):
    """The business's CRM. `key` names the connection in its inbound URL; the secret (amoCRM:
    the token in that URL; Bitrix24: the application token; HubSpot: the app's client secret)
    is kept encrypted (tracking.accounts.mfa_secrets): a copy of the database alone lets no
    one post as the CRM."""

    company = models.OneToOneField(
        Company, on_delete=models.CASCADE, related_name="crm_connection", verbose_name=_("business")
    )
    provider = models.CharField(_("CRM"), max_length=20, choices=Provider.choices)
    key = models.CharField(max_length=KEY_LENGTH, unique=True)
    secret = SingleLineCharField(max_length=400)  # "fernet:…"

    class Meta:
        verbose_name = _("CRM connection")
        verbose_name_plural = _("CRM connections")

    def __str__(self) -> str:
        return f"{self.get_provider_display()} ({self.company_id})"


class CrmStageMapping(models.Model):
    """A CRM stage (in one pipeline, or in any when `pipeline_id` is blank) and the funnel-stage
    metric that counts the deals reaching it."""

    connection = models.ForeignKey(CrmConnection, on_delete=models.CASCADE, related_name="mappings")
    pipeline_id = SingleLineCharField(_("pipeline id"), max_length=64, blank=True)
    stage_id = SingleLineCharField(_("stage id"), max_length=64)
    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="+", verbose_name=_("metric"))

    class Meta:
        verbose_name = _("CRM stage mapping")
        verbose_name_plural = _("CRM stage mappings")
        ordering = ["pipeline_id", "stage_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "pipeline_id", "stage_id"], name="crm_mapping_unique_stage"),
        ]
        indexes = [models.Index(fields=["metric"], name="crm_mapping_metric")]

    def __str__(self) -> str:
        return f"{self.pipeline_id or '*'}/{self.stage_id}"


class CrmEvent(models.Model):
    """One event a CRM sent, once: a replay has the same id and is not stored again. A mapped
    event has its metric and the business's local week; an unmapped one, its reason."""

    connection = models.ForeignKey(CrmConnection, on_delete=models.CASCADE, related_name="events")
    event_id = models.CharField(max_length=200)
    deal_id = models.CharField(max_length=64)
    pipeline_id = models.CharField(max_length=64, blank=True)
    stage_id = models.CharField(max_length=64, blank=True)
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField()
    metric = optional_link_field(Metric, related_name="+")
    week_start = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=30, choices=Reason.choices, blank=True)

    class Meta:
        verbose_name = _("CRM event")
        verbose_name_plural = _("CRM events")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "event_id"], name="crm_event_once"),
            # A counted event has its week (its metric may since have been deleted).
            models.CheckConstraint(
                condition=~models.Q(reason="") | models.Q(week_start__isnull=False), name="crm_event_counted_has_week"
            ),
        ]
        indexes = [
            models.Index(fields=["metric", "week_start"], name="crm_event_week"),
            models.Index(fields=["metric", "-received_at"], name="crm_event_latest"),
            models.Index(
                fields=["connection", "-received_at"], condition=~models.Q(reason=""), name="crm_event_review"
            ),
        ]

    def __str__(self) -> str:
        return self.event_id
