"""State, pages and components map read models: they import no database models nor ORM,
and the read models (services.views) import no Reflex."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UI = ("state", "pages", "components")
FORBIDDEN = ("db.models", "sqlmodel", "sqlalchemy")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_ui_imports_neither_models_nor_the_orm():
    offenders = {f"{path.relative_to(ROOT)}: {name}"
                 for folder in UI for path in (ROOT / folder).rglob("*.py")
                 for name in _imports(path)
                 if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)}
    assert not offenders, sorted(offenders)


def test_the_read_models_import_no_reflex():
    code = ("import sys, pkgutil, importlib, plangov_app.services.views as v\n"
            "for m in pkgutil.iter_modules(v.__path__):\n"
            "    importlib.import_module(f'plangov_app.services.views.{m.name}')\n"
            "assert 'reflex' not in sys.modules, 'reflex imported'\n")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
