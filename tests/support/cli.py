"""Running the `plangov` CLI as a user would: a subprocess in the repository."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support import ROOT


def run_cli(*args: str, env: dict[str, str] | None = None,
            timeout: int = 300) -> subprocess.CompletedProcess:
    """`python -m plangov_app.cli *args` with this process's environment plus `env`."""
    return subprocess.run([sys.executable, "-m", "plangov_app.cli", *args], cwd=ROOT,
                          env={**os.environ, **(env or {})}, capture_output=True, text=True,
                          timeout=timeout)
