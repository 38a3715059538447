"""The product installs and runs without the demo extra: no module of it imports the demo or moves the
clock, and a district's install (no `time_machine`) starts without the demo app and passes its checks."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
DEMO_ONLY = ("brightline.demo", "time_machine")

# Runs as a district's install would: `time_machine`, the demo extra's package, cannot be imported.
WITHOUT_THE_EXTRA = """
import json, sys
sys.modules["time_machine"] = None
sys.argv = ["brightline", "check"]
from brightline.cli import main
main()
import brightline.api, brightline.urls
from django.apps import apps
from django.core.management import get_commands
print(json.dumps({
    "demo_installed": apps.is_installed("brightline.demo"),
    "demo_command": "demo" in get_commands(),
    "demo_modules": sorted(name for name, module in sys.modules.items()
                           if module is not None and name.startswith("brightline.demo")),
}))
"""


def _imported(path: Path) -> set[str]:
    """The absolute names of the modules a file imports, relative imports resolved."""
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def test_no_product_module_imports_the_demo_or_the_clock_mover() -> None:
    product = [
        path
        for path in PACKAGE.rglob("*.py")
        if not path.is_relative_to(PACKAGE / "demo")
        and "tests" not in path.relative_to(PACKAGE).parts
        and path.name != "conftest.py"
        and "migrations" not in path.relative_to(PACKAGE).parts
    ]
    assert PACKAGE / "settings.py" in product and PACKAGE / "web" / "views" / "__init__.py" in product
    found = {
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in product
        if path != PACKAGE / "settings.py"  # which looks for the demo, to install its app when present
        for name in _imported(path)
        if any(name == demo or name.startswith(f"{demo}.") for demo in DEMO_ONLY)
    }
    assert found == set()


def test_without_the_demo_extra_the_product_starts_passes_its_checks_and_has_no_demo(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("BRIGHTLINE_") and key != "DJANGO_SETTINGS_MODULE"
    }
    env["BRIGHTLINE_DATA_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_THE_EXTRA], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    facts = json.loads(result.stdout.splitlines()[-1])
    assert facts == {"demo_installed": False, "demo_command": False, "demo_modules": []}
