"""Layers point down only (ARCHITECTURE.md): the apps at the bottom import none above them, and no app
but the web app itself reaches into `web` (shared page helpers live in `brightline.ui`). Read from the
source: every import, at module level or inside a function, outside tests and migrations."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
APPS = frozenset(path.name for path in PACKAGE.iterdir() if path.is_dir() and (path / "apps.py").exists())
# The bottom of the stack, lowest first: each may import only those before it.
BOTTOM = ("ledger", "accounts", "agencies", "policy", "roster")


def _apps_imported_by(app: str) -> dict[str, list[str]]:
    """The other apps `app` imports, each with where."""
    found: dict[str, list[str]] = {}
    for path in sorted((PACKAGE / app).rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if "tests" in relative.parts or "migrations" in relative.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                parts = name.split(".")
                if len(parts) > 1 and parts[0] == "brightline" and parts[1] in APPS and parts[1] != app:
                    found.setdefault(parts[1], []).append(f"{relative}:{node.lineno}")
    return found


def test_the_apps_at_the_bottom_import_none_above_them() -> None:
    assert set(BOTTOM) <= APPS
    for position, app in enumerate(BOTTOM):
        above = {
            other: where for other, where in _apps_imported_by(app).items() if other not in BOTTOM[:position]
        }
        assert above == {}, f"{app} imports apps above it: {above}"


def test_no_app_but_web_imports_web() -> None:
    for app in sorted(APPS - {"web"}):
        assert "web" not in _apps_imported_by(app), app


def test_no_two_apps_import_each_other_by_any_path() -> None:
    """The apps form a hierarchy: no cycle of imports, however long. What one app must ask of an app
    above it goes through a port it owns and the app above registers (`casework.followers`,
    `disclosures.followers`, `incidents.followers`)."""
    graph = {app: set(_apps_imported_by(app)) for app in APPS}
    cycles: list[list[str]] = []

    def visit(app: str, path: list[str]) -> None:
        for other in sorted(graph[app]):
            if other == path[0]:
                cycles.append([*path, other])
            elif other not in path and other > path[0]:
                visit(other, [*path, other])

    for app in sorted(APPS):
        visit(app, [app])
    assert cycles == [], "import cycles between apps: " + "; ".join(" -> ".join(cycle) for cycle in cycles)
