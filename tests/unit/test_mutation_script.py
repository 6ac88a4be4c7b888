"""scripts/mutation.py narrows [tool.mutmut] to one module and the tests aimed at it."""

from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _script():
    spec = importlib.util.spec_from_file_location("mutation", ROOT / "scripts" / "mutation.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["rbac", "audit", "versions", "diffing"])
def test_the_narrowed_config_mutates_one_module_with_its_tests(name):
    script = _script()
    config = tomllib.loads(script.narrowed((ROOT / "pyproject.toml").read_text(), name))
    mutmut = config["tool"]["mutmut"]
    assert mutmut["only_mutate"] == [f"plangov_app/services/{name}.py"]
    selection = mutmut["pytest_add_cli_args_test_selection"]
    assert selection[0] == "tests/unit" and selection[-2:] == [
        "-m", "not browser and not postgres and not live_server"]
    assert all((ROOT / path).exists() for path in selection[:-2])
    assert config["tool"]["pytest"] == tomllib.loads(
        (ROOT / "pyproject.toml").read_text())["tool"]["pytest"]  # nothing else touched


def test_mutmut_copies_the_script_these_tests_read():
    """mutmut runs the tests in its own `mutants/` copy, holding only what it is told to copy:
    without scripts/ there, this file's tests failed mutmut's clean run before any mutant."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    assert "scripts/" in config["also_copy"]
