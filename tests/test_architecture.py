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
