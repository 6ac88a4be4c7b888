"""The layering rules of DESIGN.md's Layout, enforced on every module's imports.

Two ways: statically (every `import`/`from … import` in a file, wherever it appears, so a
late import inside a function counts) per folder, and at run time (what a fresh interpreter
holds after importing a whole package, so an indirect import counts too).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ROOT

# folder → module prefixes its code must not import, and why
RULES: dict[str, tuple[tuple[str, ...], str]] = {
    "plangov_app/services": (
        ("reflex", "state", "pages", "components", "plangov_app.api", "plangov_app.adapters",
         "plangov_app.workers", "plangov_app.demo", "plangov_app.cli", "fastapi", "redis"),
        "services are the domain: no UI, no HTTP, no I/O but the database"),
    "state": (("db.models", "sqlmodel", "sqlalchemy"),
              "state maps read models to vars; it never touches the database"),
    "pages": (("db", "sqlmodel", "sqlalchemy", "plangov_app.services.rbac",
               "plangov_app.services.status"),
              "pages compose components and bind state; they decide no permission or status"),
    "components": (("db", "sqlmodel", "sqlalchemy", "plangov_app.services.rbac",
                    "plangov_app.services.status"),
                   "components are reusable UI pieces; they decide no permission or status"),
    "db": (("plangov_app.services", "plangov_app.api", "plangov_app.demo", "reflex", "state"),
           "db is the lowest layer: tables, engine, migrations"),
    "plangov_app/api": (("reflex", "state", "pages", "components"),
                        "the API is thin HTTP over the services"),
    "plangov_app/adapters": (("reflex", "state", "pages", "components", "plangov_app.api"),
                             "adapters are the edge: they talk to the outside world"),
}


def _imported(path: Path) -> set[str]:
    """Every module name `path` imports (absolute imports; relative ones stay inside)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _breaks(name: str, forbidden: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in forbidden)


def _modules(folder: str) -> list[Path]:
    return sorted(p for p in (ROOT / folder).rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("folder", sorted(RULES))
def test_layering(folder: str) -> None:
    """No module in `folder` imports what its layer must not."""
    forbidden, why = RULES[folder]
    modules = _modules(folder)
    assert modules, f"{folder} has no modules: the rule would pass vacuously"
    broken = [f"{path.relative_to(ROOT)} imports {name}" for path in modules
              for name in sorted(_imported(path)) if _breaks(name, forbidden)]
    assert not broken, f"{why}:\n" + "\n".join(broken)


def test_the_checker_sees_imports_in_function_bodies(tmp_path: Path) -> None:
    """A late import inside a function counts (the checker is not fooled by indentation)."""
    module = tmp_path / "late.py"
    module.write_text("def f():\n    from db.models import User\n    return User\n")
    assert _breaks("db.models.User", RULES["state"][0])
    assert "db.models" in _imported(module)


def _modules_loaded_by(packages: list[str]) -> set[str]:
    """Every module a fresh interpreter holds after importing all modules of `packages`."""
    code = ("import importlib, json, pkgutil, sys\n"
            f"for name in {packages!r}:\n"
            "    package = importlib.import_module(name)\n"
            "    for m in pkgutil.walk_packages(package.__path__, name + '.'):\n"
            "        if '.migrations' not in m.name:\n"
            "            importlib.import_module(m.name)\n"
            "print(json.dumps(sorted(sys.modules)))\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout))


def test_the_domain_loads_no_ui_and_no_edge_even_indirectly() -> None:
    loaded = _modules_loaded_by(["plangov_app.services"])
    ui = {"reflex", "state", "pages", "components"}
    edge = tuple(f"plangov_app.{name}" for name in ("adapters", "workers", "demo", "cli", "api"))
    assert not {m for m in loaded if m.split(".")[0] in ui or m.startswith(edge)}


def test_the_database_layer_loads_no_domain_even_indirectly() -> None:
    assert not {m for m in _modules_loaded_by(["db"]) if m.startswith("plangov_app.services")}
