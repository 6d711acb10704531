from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from .views import accounts, companies

tracking_patterns = [
    path("", companies.portfolio, name="portfolio"),
    path("businesses/new/", companies.company_create, name="company_create"),
    path("b/<int:company_id>/", companies.company_detail, name="company_detail"),
    path("b/<int:company_id>/settings/", companies.company_settings, name="company_settings"),
    path("b/<int:company_id>/members/", companies.members, name="members"),
    path("b/<int:company_id>/members/add/", companies.member_add, name="member_add"),
    path("b/<int:company_id>/members/<int:membership_id>/", companies.member_update, name="member_update"),
    path(
        "b/<int:company_id>/members/<int:membership_id>/remove/",
        companies.member_remove,
        name="member_remove",
    ),
]

urlpatterns = [
    path("", include((tracking_patterns, "tracking"))),
    path("accounts/login/", accounts.ThrottledLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("invite/<str:uidb64>/<str:token>/", accounts.invitation_accept, name="invitation_accept"),
    path("language/", accounts.language_set, name="language_set"),
    path("healthz/", accounts.healthz, name="healthz"),
    path(settings.ADMIN_URL, admin.site.urls),
]
