from django.contrib import admin

from .models import Action, Review, Sprint


class ActionInline(admin.TabularInline):
    model = Action
    extra = 0
    fields = ["title", "owner", "estimate_hours", "cost", "status"]
    raw_id_fields = ["owner"]


@admin.register(Sprint)
class SprintAdmin(admin.ModelAdmin):
    list_display = ["__str__", "company", "starts_on", "ends_on", "status", "archived_at"]
    list_filter = ["status"]
    list_select_related = ["company"]
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
