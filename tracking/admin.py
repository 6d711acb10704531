from django.contrib import admin, messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, ExpressionWrapper
from django.utils.translation import gettext_lazy as _

from .accounts import security
from .delivery import outbox
from .models import (
    Company,
    Constraint,
    ConstraintEvent,
    Goal,
    Membership,
    Metric,
    MetricValue,
    OutboxMessage,
    SignInEvent,
    User,
    WhyStep,
)
from .services.companies import (
    COMPANY_SETTINGS_FIELDS,
    businesses_only_managed_by,
    last_manager_refusal,
    user_deactivate,
)
from .webhooks import admin as webhooks_admin  # noqa: F401  (registers the webhooks' models)


class UserChangeForm(auth_forms.UserChangeForm):
    def clean_is_active(self):
        active = self.cleaned_data["is_active"]
        switched_off = self.instance.is_active and not active
        if switched_off and (unmanaged := businesses_only_managed_by(user=self.instance)):
            raise ValidationError(last_manager_refusal(self.instance, unmanaged))
        return active


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
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
    actions = ["deactivate"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            security.user_sessions_end(user=obj)  # switched off: signed out everywhere now

    @admin.action(description=_("Deactivate and sign out everywhere"))
    def deactivate(self, request, queryset):
        for user in queryset.filter(is_active=True):
            try:
                user_deactivate(user=user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), level=messages.ERROR)


class CompanyScopedAdmin(admin.ModelAdmin):
    """The admin of rows that belong to one business: each row of the list names its business,
    joined in the list's one query."""

    list_select_related = ["company"]


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "company"
    extra = 0
    autocomplete_fields = ["user"]
    exclude = ["invited_by"]


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = COMPANY_SETTINGS_FIELDS
    search_fields = ["name"]
    inlines = [MembershipInline]


class DeliveredColumn:
    """A "sent" column for things whose messages the outbox holds under "`delivery_kind`:<id>"."""

    delivery_kind = ""

    def get_queryset(self, request):
        delivered = ExpressionWrapper(outbox.delivered(self.delivery_kind), output_field=BooleanField())
        return super().get_queryset(request).annotate(delivered=delivered)

    @admin.display(boolean=True, description=_("sent"))
    def sent(self, obj) -> bool:
        return obj.delivered


@admin.register(Membership)
class MembershipAdmin(DeliveredColumn, admin.ModelAdmin):
    delivery_kind = "invitation"
    list_display = ["user", "company", "role", "weekly_capacity_hours", "sent"]
    list_filter = ["role"]
    list_select_related = ["user", "company"]
    search_fields = ["user__email", "user__full_name", "company__name"]
    autocomplete_fields = ["user", "company", "invited_by"]


class WhyStepInline(admin.TabularInline):
    model = WhyStep
    extra = 0


@admin.register(Constraint)
class ConstraintAdmin(CompanyScopedAdmin):
    list_display = ["title", "company", "area", "status", "started_on", "closed_on"]
    list_filter = ["status", "area"]
    search_fields = ["title", "company__name"]
    inlines = [WhyStepInline]


@admin.register(ConstraintEvent)
class ConstraintEventAdmin(admin.ModelAdmin):
    list_display = ["constraint", "kind", "actor", "at"]
    list_filter = ["kind"]
    list_select_related = ["constraint", "actor"]
    readonly_fields = ["constraint", "actor", "kind", "changes", "at"]


@admin.register(WhyStep)
class WhyStepAdmin(admin.ModelAdmin):
    list_display = ["answer", "constraint", "position", "is_root_cause"]
    list_select_related = ["constraint"]
    search_fields = ["answer"]


@admin.register(Metric)
class MetricAdmin(CompanyScopedAdmin):
    list_display = ["name", "company", "unit", "target", "is_key", "funnel_stage"]
    list_filter = ["is_key", "higher_is_better"]
    search_fields = ["name", "company__name"]


@admin.register(MetricValue)
class MetricValueAdmin(admin.ModelAdmin):
    list_display = ["metric", "week_start", "value", "recorded_by"]
    list_select_related = ["metric", "recorded_by"]
    date_hierarchy = "week_start"


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ["title", "company", "horizon", "parent", "starts_on", "due_on"]
    list_filter = ["horizon"]
    list_select_related = ["company", "parent"]
    search_fields = ["title"]


@admin.register(SignInEvent)
class SignInEventAdmin(admin.ModelAdmin):
    """The sign-in audit: read only, written by tracking/accounts/security.py."""

    list_display = ["at", "kind", "email", "ip", "user"]
    list_filter = ["kind"]
    list_select_related = ["user"]
    search_fields = ["email", "ip"]
    date_hierarchy = "at"
    readonly_fields = ["user", "email", "kind", "ip", "user_agent", "at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """What the product sent or tries to send (tracking/delivery/outbox.py): read only, to see why a
    message failed."""

    list_display = ["created_at", "key", "address", "attempts", "sent_at", "failed_at", "last_error"]
    list_filter = ["channel", ("failed_at", admin.EmptyFieldListFilter)]
    search_fields = ["key", "address"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in OutboxMessage._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
