from django.contrib import admin

from .models import CustdevSettings, Highlight, Insight, Interview, Script, Tag


class HighlightInline(admin.TabularInline):
    model = Highlight
    extra = 0
    autocomplete_fields = ["tags"]


@admin.register(Interview)
class InterviewAdmin(admin.ModelAdmin):
    list_display = ["held_on", "interviewee_name", "interviewee_role", "segment", "company", "consent"]
    list_filter = ["kind", "consent"]
    list_select_related = ["company"]
    search_fields = ["interviewee_name", "segment", "company__name"]
    raw_id_fields = ["interviewer", "script", "author"]
    inlines = [HighlightInline]


@admin.register(Script)
class ScriptAdmin(admin.ModelAdmin):
    list_display = ["title", "company", "kind", "segment"]
    list_select_related = ["company"]
    search_fields = ["title", "company__name"]
    raw_id_fields = ["constraint", "author"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "company"]
    list_select_related = ["company"]
    search_fields = ["name"]


@admin.register(Highlight)
class HighlightAdmin(admin.ModelAdmin):
    list_display = ["quote", "interview"]
    raw_id_fields = ["interview"]
    autocomplete_fields = ["tags"]


@admin.register(Insight)
class InsightAdmin(admin.ModelAdmin):
    list_display = ["sentence", "company", "people", "created_at"]
    list_select_related = ["company"]
    raw_id_fields = ["tag", "author", "highlights"]


@admin.register(CustdevSettings)
class CustdevSettingsAdmin(admin.ModelAdmin):
    list_display = ["company", "insight_threshold"]
    list_select_related = ["company"]
