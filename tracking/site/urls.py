from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from hypotheses import scripts
from hypotheses.selectors import markers_of_tests
from sprints import portfolio
from sprints.telegram import tasks as telegram_tasks

from ..accounts import views as accounts
from ..api import urls as api_urls
from ..api import views as api_views
from ..api.crm import pages as crm_pages
from ..api.crm import urls as crm_urls
from ..custdev import urls as custdev_urls
from ..telegram import views as telegram
from ..toolkit.services import value_record
from ..views import companies, constraints, goals, invitations, metrics, ops
from ..webhooks import views as webhooks

B = "b/<int:company_id>/"

# The project's wiring passes the core's pages what the apps above add to them: the portfolio's
# cards (the sprint part), the business page's flags and chart markers, the metric charts'
# markers (the weeks a hypothesis was under test), and what an interview script may be written
# for (a hypothesis). The core never imports the apps above.
CARDS = {"cards": portfolio.cards}
BUSINESS_PAGE = {"extras": portfolio.business_page}
MARKERS = {"markers": markers_of_tests}
# A weekly value entered on a metric's page goes through the toolkit, so that a funnel stage's
# conversions follow its count.
VALUE_RECORD = MARKERS | {"record": value_record}
# A metric's page says which CRM feeds it (the CRM feeds are the api app's).
METRIC_PAGE = MARKERS | {"feed": crm_pages.feed_line}
# The settings page shows the business's API tokens, managed by the api app above the core.
SETTINGS_PAGE = {"extras": api_views.token_section}

# One webhook subscription's pages, under b/<company_id>/settings/webhooks/<subscription_id>/
webhook_patterns = [
    path("", webhooks.webhook, name="webhook"),
    path("switch/", webhooks.webhook_switch, name="webhook_switch"),
    path("rotate/", webhooks.webhook_rotate, name="webhook_rotate"),
    path("test/", webhooks.webhook_test, name="webhook_test"),
    path("delete/", webhooks.webhook_delete, name="webhook_delete"),
]

# A business's members, under b/<company_id>/members/
member_patterns = [
    path("", companies.members, name="members"),
    path("add/", companies.member_add, name="member_add"),
    path("<int:membership_id>/", companies.member_update, name="member_update"),
    path("<int:membership_id>/remove/", companies.member_remove, name="member_remove"),
]

tracking_patterns = [
    path("", companies.portfolio, CARDS, name="portfolio"),
    path("businesses/new/", companies.company_create, name="company_create"),
    path("_floor/", ops.floor, name="floor"),
    path(
        "invitations/<int:membership_id>/accept/",
        companies.invitation_answer,
        {"accept": True},
        name="invitation_accept_existing",
    ),
    path(
        "invitations/<int:membership_id>/decline/",
        companies.invitation_answer,
        {"accept": False},
        name="invitation_decline",
    ),
    path(B, constraints.company_detail, BUSINESS_PAGE, name="company_detail"),
    path(B + "settings/", companies.company_settings, SETTINGS_PAGE, name="company_settings"),
    path(B + "settings/webhooks/", webhooks.webhooks, name="webhooks"),
    path(B + "settings/webhooks/<int:subscription_id>/", include(webhook_patterns)),
    path(B + "members/", include(member_patterns)),
    # Screen 3: the main constraint and its why-chain, metrics, goals
    path(B + "constraint/new/", constraints.constraint_new, name="constraint_new"),
    path(B + "constraints/", constraints.constraint_history, name="constraint_history"),
    path(B + "constraints/<int:constraint_id>/", constraints.constraint_edit, BUSINESS_PAGE, name="constraint_edit"),
    path(B + "constraints/<int:constraint_id>/why/", constraints.why_add, BUSINESS_PAGE, name="why_add"),
    path(B + "why/<int:step_id>/", constraints.why_edit, BUSINESS_PAGE, name="why_edit"),
    path(B + "why/<int:step_id>/move/", constraints.why_move, BUSINESS_PAGE, name="why_move"),
    path(B + "why/<int:step_id>/delete/", constraints.why_delete, BUSINESS_PAGE, name="why_delete"),
    path(B + "why/<int:step_id>/root/", constraints.why_root, BUSINESS_PAGE, name="why_root"),
    path(B + "metrics/", metrics.metrics, MARKERS, name="metrics"),
    path(B + "metrics/add/", metrics.metric_add, MARKERS, name="metric_add"),
    path(B + "metrics/<int:metric_id>/", metrics.metric_detail, METRIC_PAGE, name="metric_detail"),
    path(B + "metrics/<int:metric_id>/edit/", metrics.metric_edit, MARKERS, name="metric_edit"),
    path(B + "metrics/<int:metric_id>/values/", metrics.metric_value_record, VALUE_RECORD, name="metric_value_record"),
    path(B + "goals/", goals.goals, name="goals"),
    path(B + "goals/add/", goals.goal_add, name="goal_add"),
    path(B + "goals/<int:goal_id>/", goals.goal_edit, name="goal_edit"),
    path(B + "goals/<int:goal_id>/delete/", goals.goal_delete, name="goal_delete"),
]

urlpatterns = [
    # First: a script's request is resolved before the pages' hundred-odd patterns are tried.
    path("api/v1/", api_urls.routes),
    path("", include((tracking_patterns, "tracking"))),
    path("", include("tracking.toolkit.urls")),
    path("", include((custdev_urls.patterns(purposes=[scripts.purpose()]), "custdev"))),
    path("", include("hypotheses.urls")),
    path("", include("sprints.urls")),
    path(B + "settings/api-tokens/", api_views.token_create, name="api_token_create"),
    path(B + "settings/api-tokens/<int:token_id>/revoke/", api_views.token_revoke, name="api_token_revoke"),
    path("", include((crm_urls.urlpatterns, "crm"))),
    path("accounts/login/", accounts.ThrottledLoginView.as_view(), name="login"),
    path("accounts/login/code/", accounts.login_two_factor, name="login_two_factor"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/activity/", accounts.account_activity, name="account_activity"),
    path("accounts/two-factor/", accounts.two_factor_page, name="two_factor"),
    path("accounts/two-factor/enable/", accounts.two_factor_enable, name="two_factor_enable"),
    path("accounts/two-factor/disable/", accounts.two_factor_disable, name="two_factor_disable"),
    path("accounts/two-factor/recovery-codes/", accounts.two_factor_recovery_codes, name="two_factor_recovery_codes"),
    path("accounts/password/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/password/reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("invite/<str:uidb64>/<str:token>/", invitations.invitation_accept, name="invitation_accept"),
    path("accounts/telegram/", telegram.telegram_page, name="telegram"),
    path("accounts/telegram/link/", telegram.telegram_link, name="telegram_link"),
    path("accounts/telegram/unlink/", telegram.telegram_unlink, name="telegram_unlink"),
    path("accounts/telegram/channels/", telegram.telegram_channels, name="telegram_channels"),
    # The bot's conversation (logging results) is the sprints': handed to the webhook here.
    path(
        "telegram/webhook/",
        telegram.telegram_webhook,
        {"handle": telegram_tasks.update_enqueue},
        name="telegram_webhook",
    ),
    path("language/", accounts.language_set, name="language_set"),
    path("healthz/", ops.healthz, name="healthz"),
    path(settings.ADMIN_URL, admin.site.urls),
]
