"""What the tests share besides fixtures: factories, readers of the audit log, the CLI runner,
the live server and the coroutine runner. Fixtures live in tests/conftest.py."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
