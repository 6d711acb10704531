from django.contrib import admin

from tracking.admin import CompanyScopedAdmin

from .models import Hypothesis, HypothesisEvent, ScriptLink


class HypothesisEventInline(admin.TabularInline):
    model = HypothesisEvent
    extra = 0
    can_delete = False
    readonly_fields = ["actor", "kind", "from_status", "to_status", "changes", "after_test_started", "note", "at"]


@admin.register(Hypothesis)
class HypothesisAdmin(CompanyScopedAdmin):
    list_display = ["title", "company", "kind", "status", "ice", "verdict", "archived_at"]
    list_filter = ["status", "kind", "verdict"]
    search_fields = ["title", "statement", "company__name"]
    readonly_fields = ["ice", "version"]
    inlines = [HypothesisEventInline]


@admin.register(HypothesisEvent)
class HypothesisEventAdmin(admin.ModelAdmin):
    list_display = ["hypothesis", "kind", "from_status", "to_status", "actor", "at"]
    list_filter = ["kind"]
    list_select_related = ["hypothesis", "actor"]
    readonly_fields = [
        "hypothesis",
        "actor",
        "kind",
        "from_status",
        "to_status",
        "changes",
        "after_test_started",
        "note",
        "at",
    ]


@admin.register(ScriptLink)
class ScriptLinkAdmin(admin.ModelAdmin):
    list_display = ["script", "hypothesis", "created_at"]
    list_select_related = ["script", "hypothesis"]
    raw_id_fields = ["script", "hypothesis"]
