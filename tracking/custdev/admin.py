from django.contrib import admin

from tracking.admin import CompanyScopedAdmin

from .models import CustdevSettings, Highlight, Insight, Interview, Script, Tag


class HighlightInline(admin.TabularInline):
    model = Highlight
    extra = 0
    autocomplete_fields = ["tags"]


@admin.register(Interview)
class InterviewAdmin(CompanyScopedAdmin):
    list_display = ["held_on", "interviewee_name", "interviewee_role", "segment", "company", "consent"]
    list_filter = ["kind", "consent"]
    search_fields = ["interviewee_name", "segment", "company__name"]
    raw_id_fields = ["interviewer", "script", "author"]
    inlines = [HighlightInline]


@admin.register(Script)
class ScriptAdmin(CompanyScopedAdmin):
    list_display = ["title", "company", "kind", "segment"]
    search_fields = ["title", "company__name"]
    raw_id_fields = ["constraint", "author"]


@admin.register(Tag)
class TagAdmin(CompanyScopedAdmin):
    list_display = ["name", "company"]
    search_fields = ["name"]


@admin.register(Highlight)
class HighlightAdmin(admin.ModelAdmin):
    list_display = ["quote", "interview"]
    raw_id_fields = ["interview"]
    autocomplete_fields = ["tags"]


@admin.register(Insight)
class InsightAdmin(CompanyScopedAdmin):
    list_display = ["sentence", "company", "people", "created_at"]
    raw_id_fields = ["tag", "author", "highlights"]


@admin.register(CustdevSettings)
class CustdevSettingsAdmin(CompanyScopedAdmin):
    list_display = ["company", "insight_threshold"]
