"""The webhooks in the admin: read only, to see where a business's events go and why a delivery
failed. The signing secret is not shown (its owners see it on the webhook's page)."""

from django.contrib import admin

from .models import WebhookAttempt, WebhookSubscription


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(ReadOnlyAdmin):
    list_display = ["url", "company", "is_active", "failures", "switched_off_at", "created_at"]
    list_filter = ["is_active"]
    list_select_related = ["company"]
    search_fields = ["url", "company__name"]
    exclude = ["secret"]


@admin.register(WebhookAttempt)
class WebhookAttemptAdmin(ReadOnlyAdmin):
    list_display = ["at", "subscription", "event", "status_code", "error", "duration_ms"]
    list_select_related = ["subscription"]
    date_hierarchy = "at"
