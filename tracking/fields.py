"""Model fields that many models declare alike: the business a row belongs to, the person who
did something, an optional link to another row, when a row was written and last saved, and who
made it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def company_field(related_name: str) -> models.ForeignKey:
    """The business (the tenant) a row belongs to: the row goes with the business."""
    return models.ForeignKey(
        "tracking.Company", on_delete=models.CASCADE, related_name=related_name, verbose_name=_("business")
    )


def optional_link_field(to, *, related_name: str, **options) -> models.ForeignKey:
    """A link the row may go without: emptied, not deleted, when the row it points to goes."""
    return models.ForeignKey(to, null=True, blank=True, on_delete=models.SET_NULL, related_name=related_name, **options)


def actor_field(**options) -> models.ForeignKey:
    """Who did it (made, wrote, invited, recorded): kept as empty when their account goes, so
    the row stays; the user has no way back to these rows."""
    return optional_link_field(settings.AUTH_USER_MODEL, related_name="+", **options)


class Timestamped(models.Model):
    """When the row was written, and when it was last saved."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class CreatedBy(models.Model):
    """Who made the row, and when."""

    created_by = actor_field()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
