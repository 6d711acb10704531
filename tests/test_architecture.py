"""The packages depend one way, from the bottom up:

tracking.validators → tracking.delivery → tracking.accounts → tracking (core)
→ tracking.custdev, tracking.toolkit, tracking.telegram → hypotheses → sprints → tracking.api → tracking.site (wiring)
→ tracking.backups
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Bottom first. A module may import its own package and the packages of the layers before its
# own, nothing of its own layer's other packages and nothing after. A package is the longest
# name here that a module's name starts with: `tracking` is the core, the tracking package but
# for the sub-packages named here.
LAYERS = [
    {"tracking.validators"},  # text fields and a time zone: every model's, the migrations name it
    {"tracking.delivery"},  # the outbox: a recipient is the project's user model, by its setting
    {"tracking.accounts"},  # the user, sign-in security, two-factor, the account pages
    {"tracking"},  # the business core: companies, members, constraints, metrics, goals
    {"tracking.custdev", "tracking.toolkit", "tracking.telegram"},  # the tools and the bot: on the core
    {"hypotheses"},
    {"sprints"},
    # The public API serves every app below it; only the wiring above imports it (its URLs).
    {"tracking.api"},
    # The wiring composes every app: the root URLconf passes the core's pages what the apps above
    # add to them (the portfolio's cards, the business page's flags, the charts' markers, the
    # toolkit's write of a weekly value, what an interview script is written for).
    {"tracking.site"},
    {"tracking.backups"},  # runs the embedded server's pg_dump and pg_restore (tracking.site)
]
PACKAGES = sorted(set().union(*LAYERS), key=len, reverse=True)
APPS = ("tracking", "hypotheses", "sprints")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for app in APPS for path in (ROOT / app).rglob("*.py")}


def _import_statements(path: Path, package: list[str]):
    """Each import of the file anywhere in it (a function's import counts too), relative ones
    resolved: (the module, the names imported from it; none for `import x`)."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, ()
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            yield ".".join(base + ([node.module] if node.module else [])), [a.name for a in node.names]


def _modules_imported(name: str, path: Path, modules=MODULES) -> set[str]:
    """The project modules that module `name` (its file `path`) imports anywhere in it, relative
    imports resolved: `from x import y` is the module x.y when there is one, else x."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for module, names in _import_statements(path, package):
        found |= {f"{module}.{n}" if f"{module}.{n}" in modules else module for n in names} or {module}
    return found & modules.keys()


def _package(module: str) -> str:
    if module == "tracking":
        # tracking/__init__.py hands the Celery app to `celery -A tracking`: wiring.
        return "tracking.site"
    return next(p for p in PACKAGES if module == p or module.startswith(p + "."))


def _layer(package: str) -> int:
    return next(i for i, layer in enumerate(LAYERS) if package in layer)


def _upward(modules: dict[str, Path]) -> list[str]:
    found = []
    for name, path in sorted(modules.items()):
        mine = _package(name)
        for imported in sorted(_modules_imported(name, path, modules)):
            theirs = _package(imported)
            if theirs != mine and _layer(theirs) >= _layer(mine):
                found.append(f"{name}: {imported} ({theirs} is not below {mine})")
    return found


def test_packages_depend_one_way():
    assert _upward(MODULES) == []


def test_every_package_of_the_order_is_there():
    """A package renamed or gone would leave its modules to the one around it unseen."""
    assert {_package(name) for name in MODULES} == set(PACKAGES)


def test_an_upward_import_is_seen(tmp_path):
    """Seen once for real: `from sprints import models` added to tracking/accounts/security.py
    and `from tracking.toolkit import services` to tracking/custdev/selectors.py (a tool beside
    it) both failed test_packages_depend_one_way. Here a module of accounts kept out of the
    tree, which imports the core above it and the outbox below it."""
    upward = tmp_path / "upward.py"
    upward.write_text("from tracking import selectors\nfrom ..delivery import outbox\n")
    modules = MODULES | {"tracking.accounts.upward": upward}
    seen = "tracking.accounts.upward: tracking.selectors (tracking is not below tracking.accounts)"
    assert _upward(modules) == [seen]


REGISTRY_NAMES = {"register", "register_markers", "sections", "purposes"}


@pytest.mark.parametrize("app", ["tracking", "hypotheses", "sprints"])
def test_no_app_fills_a_registry_of_another(app):
    """No app reaches down at start-up to add itself to a lower app's list (such as the
    portfolio's sections, the charts' marker providers or the scripts' purposes): the callers
    pass in what they know. So no AppConfig.ready does any work, and no module offers a `register`."""
    offenders = {}
    for path in (ROOT / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        found = [
            f"{node.lineno}: {node.name}"
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef)
            and ((node.name in REGISTRY_NAMES and node.col_offset == 0) or node.name == "ready")
        ]
        if found:
            offenders[str(path.relative_to(ROOT))] = found
    assert not offenders, offenders


# Whatever sends or builds mail: the outbox alone may use them.
MAIL_CALLS = {"send_mail", "send_mass_mail", "send_messages", "get_connection", "mail_admins", "mail_managers"}
MAIL_NAMES = {"EmailMessage", "EmailMultiAlternatives", "mailers"}
OUTBOX = ROOT / "tracking" / "delivery" / "outbox.py"


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
    """One send path, so every message is retried, backed off and given up the same way:
    reminders, digests, reports, invitations and password resets are outbox rows; no other
    module builds, connects for or sends an e-mail."""
    offenders = {
        str(path.relative_to(ROOT)): found
        for app in ("tracking", "hypotheses", "sprints")
        for path in (ROOT / app).rglob("*.py")
        if path != OUTBOX and "migrations" not in path.parts and (found := _sends_mail(path))
    }
    assert not offenders, offenders
    assert _sends_mail(OUTBOX), "the outbox itself sends: the check would see a sender"


# --- Views parse, check, call and render ------------------------------------------------------

VIEW_MAX_LINES = 30


def _view_modules() -> list[Path]:
    modules = []
    for app in APPS:
        modules += [p for p in (ROOT / app).rglob("*.py") if p.name == "views.py" or p.parent.name == "views"]
    return sorted(modules)


def _views(path: Path):
    """Module-level functions whose first argument is `request`, and methods of view classes."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in tree.body:
        functions = [node] if isinstance(node, ast.FunctionDef) else []
        if isinstance(node, ast.ClassDef):
            functions = [n for n in node.body if isinstance(n, ast.FunctionDef)]
        for function in functions:
            arguments = [a.arg for a in function.args.args]
            if arguments[:1] == ["request"] or arguments[:2] == ["self", "request"]:
                yield function


def test_there_are_views_to_check():
    assert len(_view_modules()) >= 8 and sum(len(list(_views(p))) for p in _view_modules()) >= 50


def test_no_view_opens_a_transaction():
    """A write that spans several rows is one service with its own transaction."""
    offenders = []
    for path in _view_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr == "atomic":
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            elif (
                isinstance(node, ast.ImportFrom)
                and node.module == "django.db"
                and any(alias.name == "transaction" for alias in node.names)
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: imports transaction")
    assert not offenders, offenders


def test_no_view_is_longer_than_a_screen():
    """A view parses, checks access, calls one service or selector and renders: about 30 lines.
    What is longer builds context or decides things that belong in a helper or a service."""
    offenders = [
        f"{path.relative_to(ROOT)}:{view.lineno} {view.name}: {view.end_lineno - view.lineno + 1} lines"
        for path in _view_modules()
        for view in _views(path)
        if view.end_lineno - view.lineno + 1 > VIEW_MAX_LINES
    ]
    assert not offenders, offenders


def test_no_app_imports_a_private_module_of_another():
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                modules = []
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    modules = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
                elif isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                for module in modules:
                    parts = module.split(".")
                    if parts[0] in APPS and parts[0] != app and any(p.startswith("_") for p in parts[1:]):
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {module}")
    assert not offenders, offenders


# --- Module imports, nested ones included -------------------------------------------------------


def _imported_modules(path: Path) -> set[str]:
    """The project modules this file imports anywhere in it (a function's import counts too),
    relative imports resolved; `from x import y` counts as x and as x.y."""
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = set()
    for module, names in _import_statements(path, package):
        found |= {module} | {f"{module}.{n}" for n in names}
    return {name for name in found if name.split(".")[0] in APPS}


def _graph(modules: list[str]) -> dict[str, set[str]]:
    return {
        name: {other for other in modules if other != name and other in _imported_modules(ROOT / path)}
        for name in modules
        for path in [Path(*name.split(".")).with_suffix(".py")]
    }


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """A cycle of the graph as the modules along it, or [] when there is none."""
    done, path = set(), []

    def visit(node):
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return []
        path.append(node)
        for following in sorted(graph[node]):
            if found := visit(following):
                return found
        path.pop()
        done.add(node)
        return []

    return next((found for node in sorted(graph) if (found := visit(node))), [])


REPORT_MODULES = ["sprints.models", "sprints.rollups", "sprints.capacity", "sprints.report_numbers"]


def test_the_sprint_report_modules_import_in_one_direction():
    """The report's numbers are a leaf: the models read them without importing the roll-ups
    that compute them, and the roll-ups import the models and the capacity."""
    graph = _graph(REPORT_MODULES)
    assert graph["sprints.report_numbers"] == set()
    assert {"sprints.models", "sprints.capacity"} <= graph["sprints.rollups"]
    assert _cycle(graph) == [], _cycle(graph)


def test_a_cycle_is_seen():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) == []


# The wiring and the API above it may name the toolkit (the API's PUT of a weekly value goes
# through the toolkit's value_record, as the pages do); the core it stands on may not.
TOOLKIT_CALLERS = {"tracking/site", "tracking/api"}


def test_the_tracking_core_does_not_import_the_toolkit():
    """The toolkit stands on the core: a stage count entered through the core's
    metric_value_record does not call back up; the toolkit's own service refreshes its
    conversions, and the project's urls.py hands it to the metric page."""
    offenders = {}
    for path in (ROOT / "tracking").rglob("*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith("tracking/toolkit/") or "migrations" in path.parts:
            continue
        if any(relative == c or relative.startswith(c + "/") for c in TOOLKIT_CALLERS):
            continue
        if found := sorted(m for m in _imported_modules(path) if m.startswith("tracking.toolkit")):
            offenders[relative] = found
    assert not offenders, offenders
    assert "tracking.toolkit.services" in _imported_modules(ROOT / "tracking" / "site" / "urls.py")


# --- The weekly session in one shape ----------------------------------------------------------------


def test_a_views_folder_holds_views():
    """What a page shows is built outside `views/` (a presenter, a selector): a module there
    with no view in it is a presenter or a helper in the wrong place."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in _view_modules()
        if path.parent.name == "views" and path.name != "__init__.py" and not list(_views(path))
    ]
    assert not offenders, offenders


def test_nothing_below_the_views_imports_them():
    """Presenters, selectors and services stand below the views: only the views and the URLs
    may import a views module."""
    offenders = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if path.name.startswith("views") or "views" in path.parts or path.name == "urls.py":
                continue
            if found := sorted(m for m in _imported_modules(path) if ".views" in f".{m}." and "views" in m.split(".")):
                offenders[str(path.relative_to(ROOT))] = found
    assert not offenders, offenders


def _public_functions(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    return [node for node in tree.body if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")]


def _opens_a_transaction(function: ast.FunctionDef) -> bool:
    return any(isinstance(node, ast.Attribute) and node.attr == "atomic" for node in ast.walk(function))


@pytest.mark.parametrize("module", ["services.py", "session.py"])
def test_the_sprint_services_only_write(module):
    """A service is a write with its own transaction (each step of the weekly session is one);
    what the pages read is in the selectors, the capacity and the schedule."""
    offenders = [f.name for f in _public_functions(ROOT / "sprints" / module) if not _opens_a_transaction(f)]
    assert not offenders, offenders
    assert "session_go_to" in {f.name for f in _public_functions(ROOT / "sprints" / "session.py")}
