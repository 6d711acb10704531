from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Company, Membership, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "language", "last_login"]
    list_filter = ["is_active", "is_staff", "language"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["full_name", "language"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "company"
    extra = 0
    autocomplete_fields = ["user"]
    exclude = ["invited_by"]


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "timezone",
        "currency",
        "review_weekday",
        "review_time",
        "sprint_length_days",
    ]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "company", "role", "weekly_capacity_hours", "invitation_sent_at"]
    list_filter = ["role"]
    list_select_related = ["user", "company"]
    search_fields = ["user__email", "user__full_name", "company__name"]
    autocomplete_fields = ["user", "company", "invited_by"]
