"""Django admin has every model, and its pages render for staff."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PROJECT_APPS = ("tracking", "hypotheses", "sprints")


def test_every_model_is_in_the_admin():
    missing = [
        m.__name__
        for name in PROJECT_APPS
        for m in apps.get_app_config(name).get_models()
        if m not in admin.site._registry
    ]
    assert not missing


def test_admin_changelists_render(team, client):
    staff = UserFactory(email="staff@example.test", is_staff=True, is_superuser=True)
    client.force_login(staff)
    for model in admin.site._registry:
        if model._meta.app_label in PROJECT_APPS:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            assert client.get(url).status_code == 200, url
