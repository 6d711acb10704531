"""Views post one way (tracking/form_flow.py): the form → service → errors → redirect body is
written once, and the module it lives in stands at the bottom of the order."""

import ast
from pathlib import Path

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from tracking.form_flow import attempt, submit

ROOT = Path(__file__).resolve().parent.parent
APPS = ("tracking", "hypotheses", "sprints")


def _calls(nodes, name: str) -> bool:
    return any(
        isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == name
        for tree in nodes
        for node in ast.walk(tree)
    )


def _puts_errors_on_a_form(nodes) -> bool:
    """`apply_errors(form, error)`: the refusal on the form the view posted (a view that puts it
    on another form, chosen by what was pressed, is not this body)."""
    return any(
        isinstance(node, ast.Call)
        and getattr(node.func, "id", None) == "apply_errors"
        and isinstance(node.args[0], ast.Name)
        for tree in nodes
        for node in ast.walk(tree)
    )


def _posts_by_hand(path: Path, root: Path = ROOT) -> list[str]:
    """Each `try: service … except ValidationError: apply_errors(…) else: messages.success(…)`:
    the body form_flow.submit and done write once."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        by_hand = isinstance(node, ast.Try) and node.orelse and _calls(node.orelse, "success")
        if by_hand and any(_puts_errors_on_a_form(handler.body) for handler in node.handlers):
            found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def _view_modules() -> list[Path]:
    return sorted(
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if path.name.startswith("views") or path.parent.name == "views"
    )


def test_no_view_posts_a_form_by_hand():
    offenders = [place for path in _view_modules() for place in _posts_by_hand(path)]
    assert not offenders, offenders


def test_the_check_sees_a_form_posted_by_hand(tmp_path):
    view = tmp_path / "views.py"
    view.write_text(
        "def add(request):\n"
        "    try:\n"
        "        services.goal_create(**form.cleaned_data)\n"
        "    except ValidationError as error:\n"
        "        apply_errors(form, error)\n"
        "    else:\n"
        "        messages.success(request, 'Added.')\n"
    )
    assert _posts_by_hand(view, tmp_path) == ["views.py:2"]


def test_form_flow_stands_below_every_app_module():
    tree = ast.parse((ROOT / "tracking" / "form_flow.py").read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level}
    assert imported <= {"form_errors"}, imported


class _Form(forms.Form):
    name = forms.CharField()


def _refuse(**fields):
    raise ValidationError({"name": "Taken."})


def test_submit_hands_the_cleaned_data_and_returns_what_the_service_does():
    assert submit(_Form({"name": "Leads"}), lambda **fields: fields) == {"name": "Leads"}
    assert submit(_Form({"name": "Leads"}), dict, fields=lambda form: {"n": form.cleaned_data["name"]}) == {
        "n": "Leads"
    }


@pytest.mark.parametrize("data", [{}, {"name": "Leads"}])
def test_submit_leaves_an_invalid_form_or_a_refusal_on_the_form(data):
    form = _Form(data)
    assert submit(form, _refuse) is None
    assert form.errors["name"]


def test_attempt_says_a_refusal_as_a_message():
    request = RequestFactory().post("/")
    said = []
    request._messages = type("Messages", (), {"add": lambda self, level, text, extra_tags="": said.append(text)})()
    assert attempt(request, lambda: None) is True
    assert attempt(request, lambda: _refuse()) is False
    assert said == ["Taken."]
