"""Control characters in text: a single-line field (a name, a title, an e-mail address) refuses
every one of them, a multi-line field keeps line breaks and tabs and refuses the rest, on the
form and in the model."""

import inspect

import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

import hypotheses.forms
import sprints.forms
import tracking.forms
from tests.tracking.test_forms_bad_input import VALID_COMPANY
from tracking.models import Company, SignInEvent
from tracking.services import companies

SINGLE_LINE_MESSAGE = "Keep this to one line: line breaks, tabs and other control characters are not allowed."
MULTI_LINE_MESSAGE = "Remove the invisible control characters: only line breaks and tabs are allowed."
# Newline, tab, carriage return, NUL, escape, DEL, a C1 control (NEL), and the right-to-left
# override and an isolate, which reorder what follows them.
CONTROL = ["\n", "\t", "\r", "\x00", "\x1b", "\x7f", "\x85", "\u202e", "\u2067"]
APPS = ("tracking", "hypotheses", "sprints")
# Written by the machine, never typed in a form: the password hash, the sign-in audit (it
# records what was sent, as it was sent) and the error text of a failed send.
MACHINE_WRITTEN = {("user", "password"), ("reminder", "last_error"), ("sprintreport", "last_error")}
MACHINE_WRITTEN |= {("digest", "last_error")} | {("signinevent", f.name) for f in SignInEvent._meta.fields}


def _text_fields(kind):
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.concrete_fields:
                machine_written = (model._meta.model_name, field.name) in MACHINE_WRITTEN
                if isinstance(field, kind) and not field.choices and not machine_written:
                    yield pytest.param(field, id=f"{model.__name__}.{field.name}")


@pytest.mark.parametrize("field", list(_text_fields(models.CharField)))
@pytest.mark.parametrize("char", CONTROL, ids=repr)
def test_every_single_line_model_field_refuses_control_characters(field, char):
    with pytest.raises(ValidationError):
        field.run_validators(f"a{char}b@example.test")


@pytest.mark.parametrize("field", list(_text_fields(models.TextField)))
def test_every_multi_line_model_field_keeps_lines_and_tabs_and_refuses_the_rest(field):
    field.run_validators("First line\r\n\tsecond line")
    for char in ("\x00", "\x1b", "\x7f", "\x85", "\x0b", "\u202e"):
        with pytest.raises(ValidationError) as refused:
            field.run_validators(f"text{char}")
        assert MULTI_LINE_MESSAGE in refused.value.messages


def _form_text_fields():
    for module in (tracking.forms, hypotheses.forms, sprints.forms):
        for name, form in inspect.getmembers(module, inspect.isclass):
            if not issubclass(form, forms.BaseForm) or form.__module__ != module.__name__:
                continue
            for field_name, field in form.base_fields.items():
                if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput):
                    yield pytest.param(field, id=f"{name}.{field_name}")


@pytest.mark.parametrize("field", list(_form_text_fields()))
def test_every_text_field_of_every_form_refuses_control_characters(field):
    """A text area keeps line breaks and tabs; every other text input is one line."""
    if isinstance(field.widget, forms.Textarea):
        assert _errors(field, "First line\r\n\tsecond line") == []
        assert MULTI_LINE_MESSAGE in _errors(field, "text\x1b")
        assert MULTI_LINE_MESSAGE in _errors(field, "text\u202e")
    else:
        for char in CONTROL:
            assert _errors(field, f"a{char}b@example.test"), (field, char)


def _errors(field, value) -> list[str]:
    try:
        field.clean(value)
    except ValidationError as error:
        return error.messages
    return []


# --- Through the front door --------------------------------------------------------------------


@pytest.mark.django_db
def test_a_business_name_with_a_newline_is_refused_with_the_message_and_nothing_is_saved(team, client):
    client.force_login(team.tracker.user)
    before = Company.objects.count()
    response = client.post(
        reverse("tracking:company_create"),
        {**VALID_COMPANY, "name": "Green Leaf\nBcc: everyone@example.test"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"name": [SINGLE_LINE_MESSAGE]}
    assert SINGLE_LINE_MESSAGE in response.content.decode()
    assert Company.objects.count() == before


@pytest.mark.django_db
def test_the_service_refuses_it_too_whatever_the_form(team):
    before = Company.objects.count()
    with pytest.raises(ValidationError) as refused:
        companies.company_create(creator=team.tracker.user, role="tracker", name="Green Leaf\r\nCafé")
    assert refused.value.message_dict == {"name": [SINGLE_LINE_MESSAGE]}
    assert Company.objects.count() == before


@pytest.mark.django_db
def test_a_multi_line_text_keeps_its_line_breaks(team):
    team.constraint.closing_note = "Leads came back.\n\tThe ads worked."
    team.constraint.full_clean()
