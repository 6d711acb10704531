from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

tracking_patterns = [
    path("", views.portfolio, name="portfolio"),
    path("businesses/new/", views.company_create, name="company_create"),
    path("b/<int:company_id>/", views.company_detail, name="company_detail"),
    path("b/<int:company_id>/settings/", views.company_settings, name="company_settings"),
    path("b/<int:company_id>/members/", views.members, name="members"),
    path("b/<int:company_id>/members/add/", views.member_add, name="member_add"),
    path("b/<int:company_id>/members/<int:membership_id>/", views.member_update, name="member_update"),
    path(
        "b/<int:company_id>/members/<int:membership_id>/remove/",
        views.member_remove,
        name="member_remove",
    ),
]

urlpatterns = [
    path("", include((tracking_patterns, "tracking"))),
    path("accounts/login/", views.ThrottledLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("invite/<str:uidb64>/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("language/", views.language_set, name="language_set"),
    path("healthz/", views.healthz, name="healthz"),
    path(settings.ADMIN_URL, admin.site.urls),
]
