"""A business's webhook subscriptions and their delivery log. Models of the `tracking` app (its
migrations hold them), defined here and imported by tracking/models.py."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..fields import CreatedBy, company_field
from ..validators import SingleLineCharField

URL_MAX_LENGTH = 254  # the outbox row keeps the URL a delivery was written for


class WebhookEvent(models.TextChoices):
    SPRINT_STARTED = "sprint.started", _("A sprint started")
    SPRINT_CLOSED = "sprint.closed", _("A sprint closed (with its report's numbers)")
    HYPOTHESIS_DECIDED = "hypothesis.decided", _("A hypothesis got its verdict")
    METRIC_VALUE_RECORDED = "metric.value_recorded", _("A weekly metric value was recorded")
    CONSTRAINT_CHANGED = "constraint.changed", _("The main constraint changed")


TEST_EVENT = "webhook.test"  # sent by the "Send test event" button only


class WebhookSubscription(CreatedBy):
    """A URL of the business's own tools and the events it is sent. The signing secret is kept
    encrypted (tracking.accounts.mfa_secrets): a copy of the database alone does not sign."""

    company = company_field("webhook_subscriptions")
    url = SingleLineCharField(_("URL"), max_length=URL_MAX_LENGTH)
    events = models.JSONField(_("events"), default=list)  # a list of WebhookEvent values
    secret = SingleLineCharField(max_length=400)  # "fernet:…" of "whsec_…"
    secret_rotated_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(_("on"), default=True)
    # Deliveries given up one after another; at WEBHOOKS_MAX_FAILURES it is switched off.
    failures = models.PositiveSmallIntegerField(default=0)
    switched_off_at = models.DateTimeField(null=True, blank=True)  # by the failures, not by a person

    class Meta:
        app_label = "tracking"
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["company", "is_active"], name="webhook_subscription_active")]
        constraints = [
            models.CheckConstraint(
                condition=Q(events__contained_by=WebhookEvent.values) & ~Q(events=[]),
                name="webhook_subscription_events_known",
            ),
        ]

    def __str__(self) -> str:
        return self.url


class WebhookAttempt(models.Model):
    """One POST of a delivery, as the subscription's page lists it (the last 50 are kept)."""

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="attempts")
    at = models.DateTimeField()
    event = SingleLineCharField(max_length=40)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = SingleLineCharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField()

    class Meta:
        app_label = "tracking"
        verbose_name = _("webhook delivery attempt")
        verbose_name_plural = _("webhook delivery attempts")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["subscription", "-at"], name="webhook_attempt_recent")]

    def __str__(self) -> str:
        return f"{self.event} {self.status_code or self.error}"

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
