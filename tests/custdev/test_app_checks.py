"""The project-wide checks for an app of its own label (custdev): every model in the admin
with a page that renders, and every text field refuses control characters."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from tests.custdev.factories import InterviewFactory, TagFactory, quote
from tracking.validators import MultiLineTextField, SingleLineCharField

MODELS = list(apps.get_app_config("custdev").get_models())


def test_every_model_is_in_the_admin():
    assert [m.__name__ for m in MODELS if m not in admin.site._registry] == []


@pytest.mark.django_db
def test_admin_pages_render(team, client):
    from tests.factories import UserFactory

    quote(InterviewFactory(company=team.company), "Same day", TagFactory(company=team.company))
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for model in MODELS:
        url = reverse(f"admin:custdev_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url


TEXT_FIELDS = [
    pytest.param(field, id=f"{model.__name__}.{field.name}")
    for model in MODELS
    for field in model._meta.concrete_fields
    if isinstance(field, models.CharField | models.TextField) and not field.choices
]


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_every_text_field_refuses_control_characters(field):
    assert isinstance(field, SingleLineCharField | MultiLineTextField)
    with pytest.raises(ValidationError):
        field.run_validators("a\x00b")
