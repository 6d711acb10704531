from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..fields import CreatedBy, company_field
from ..validators import SingleLineCharField


class Scope(models.TextChoices):
    READ = "read", _("Read everything of the business")
    METRICS_WRITE = "metrics:write", _("Enter weekly metric values")
    WRITE = "write", _("Write (includes entering metric values)")


# What each scope lets a token do: `write` covers every narrower write.
GRANTS = {
    Scope.READ: frozenset({Scope.READ}),
    Scope.METRICS_WRITE: frozenset({Scope.METRICS_WRITE}),
    Scope.WRITE: frozenset({Scope.WRITE, Scope.METRICS_WRITE}),
}

PREFIX_START = "spt_"
PREFIX_LENGTH = len(PREFIX_START) + 8


class ApiToken(CreatedBy):
    """A business's key to the API. Only a hash of the secret is kept: the whole token is shown
    once, when it is made; the prefix names it on the settings page and finds it on a request."""

    company = company_field("api_tokens")
    name = SingleLineCharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=PREFIX_LENGTH, unique=True)
    secret_hash = models.CharField(max_length=64)  # SHA-256 of the whole token, in hex
    scopes = models.JSONField(_("scopes"), default=list)  # a list of Scope values
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scopes__contained_by=Scope.values) & ~Q(scopes=[]),
                name="apitoken_scopes_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def clean(self):
        if not isinstance(self.scopes, list) or not self.scopes or not set(self.scopes) <= set(Scope.values):
            raise ValidationError({"scopes": _("Choose at least one of the scopes offered.")})

    def allows(self, scope: Scope) -> bool:
        return any(scope in GRANTS[Scope(granted)] for granted in self.scopes)


# The CRM feeds' models are the api app's too (its migrations hold them).
from .crm.models import CrmConnection, CrmEvent, CrmStageMapping  # noqa: E402, F401
