"""Apps depend one way (DESIGN.md §3): sprints → hypotheses → tracking."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {"tracking": {"hypotheses", "sprints"}, "hypotheses": {"sprints"}}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_apps_depend_one_way(app):
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & FORBIDDEN[app])
        for path in (ROOT / app).rglob("*.py")
        if _imports(path) & FORBIDDEN[app]
    }
    assert not offenders, offenders


# Whatever sends or builds mail: the outbox alone may use them.
MAIL_CALLS = {"send_mail", "send_mass_mail", "send_messages", "get_connection", "mail_admins", "mail_managers"}
MAIL_NAMES = {"EmailMessage", "EmailMultiAlternatives", "mailers"}
OUTBOX = ROOT / "tracking" / "outbox.py"


def _sends_mail(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in MAIL_CALLS:
                found.append(f"{node.lineno}: {name}()")
        elif isinstance(node, ast.Name) and node.id in MAIL_NAMES:
            found.append(f"{node.lineno}: {node.id}")
        elif isinstance(node, ast.Attribute) and node.attr in MAIL_NAMES:
            found.append(f"{node.lineno}: .{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("django.core.mail"):
            found.append(f"{node.lineno}: from {node.module} import …")
    return found


def test_nothing_but_the_outbox_sends_mail():
    """One send path (issue 11): reminders, digests, reports, invitations and password resets
    are outbox rows; no other module builds, connects for or sends an e-mail."""
    offenders = {
        str(path.relative_to(ROOT)): found
        for app in ("tracking", "hypotheses", "sprints")
        for path in (ROOT / app).rglob("*.py")
        if path != OUTBOX and "migrations" not in path.parts and (found := _sends_mail(path))
    }
    assert not offenders, offenders
    assert _sends_mail(OUTBOX), "the outbox itself sends: the check would see a sender"
