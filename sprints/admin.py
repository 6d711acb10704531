from django.contrib import admin

from tracking.admin import CompanyScopedAdmin, DeliveredColumn

from .models import Action, Digest, Reminder, Review, Sprint, SprintReport


class ActionInline(admin.TabularInline):
    model = Action
    extra = 0
    fields = ["title", "owner", "estimate_hours", "cost", "status"]
    raw_id_fields = ["owner"]


@admin.register(Sprint)
class SprintAdmin(CompanyScopedAdmin):
    list_display = ["__str__", "company", "starts_on", "ends_on", "status", "archived_at"]
    list_filter = ["status"]
    search_fields = ["company__name", "goal"]
    inlines = [ActionInline]


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["title", "sprint", "owner", "estimate_hours", "status"]
    list_filter = ["status"]
    list_select_related = ["sprint", "owner__user"]
    raw_id_fields = ["sprint", "owner", "hypothesis", "carried_over_from"]
    search_fields = ["title"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["sprint", "step", "held_at"]
    list_select_related = ["sprint"]
    raw_id_fields = ["sprint", "kept_in_test"]


@admin.register(Reminder)
class ReminderAdmin(DeliveredColumn, admin.ModelAdmin):
    delivery_kind = "reminder"
    list_display = ["sprint", "kind", "recipient", "created_at", "sent"]
    list_filter = ["kind"]
    list_select_related = ["sprint", "recipient"]
    raw_id_fields = ["sprint", "recipient"]


@admin.register(SprintReport)
class SprintReportAdmin(DeliveredColumn, admin.ModelAdmin):
    delivery_kind = "report"
    list_display = ["sprint", "computed_at", "sent"]
    list_select_related = ["sprint"]
    raw_id_fields = ["sprint"]


@admin.register(Digest)
class DigestAdmin(DeliveredColumn, admin.ModelAdmin):
    delivery_kind = "digest"
    list_display = ["recipient", "week_start", "sent"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient"]
