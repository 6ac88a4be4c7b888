"""Mutation testing of one services module with the tests aimed at it (`make mutation MODULE=…`).

mutmut 3 reads its settings from pyproject.toml only, and a mutant of a function every test
passes through (`audit.record`, `versions.insert_version`) would run the whole suite. So this
script checks the committed tree out into a scratch git worktree, narrows that copy's
`[tool.mutmut]` to the module and the test files aimed at it, runs mutmut there and prints the
survivors. `mutmut show NAME` run inside the worktree (printed at the end) shows a mutant.
PostgreSQL-only code (the audit chain's advisory lock) is not reached: mutmut runs SQLite.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTMUT = Path(sys.executable).with_name("mutmut")
#: the test files that exercise each module (unit tests always run first: they are fastest)
SELECTIONS: dict[str, list[str]] = {
    "rbac": ["tests/db/test_rbac_scopes.py", "tests/api/test_security.py",
             "tests/api/test_plan_rbac_and_transactions.py", "tests/api/test_people.py",
             "tests/db/test_list_views.py"],
    "status": ["tests/db/test_rbac_scopes.py", "tests/api/test_lifecycle.py"],
    "comments": ["tests/db/test_comments.py", "tests/api/test_plan_flows.py"],
    "audit": ["tests/db/test_audit_log.py", "tests/db/test_audit_chain.py",
              "tests/db/test_history_and_audit_readers.py", "tests/db/test_audit_page_view.py",
              "tests/api/test_audit_api.py", "tests/api/test_integrity.py",
              "tests/api/test_exports_and_filters.py", "tests/api/test_forwarded_and_denials.py"],
    "versions": ["tests/db/test_versions.py", "tests/db/test_unsaved_edits.py",
                 "tests/db/test_plan_page_view.py", "tests/api/test_edit_diffs.py",
                 "tests/api/test_plan_flows.py", "tests/api/test_changelog.py",
                 "tests/api/test_lifecycle.py", "tests/api/test_coach_workflow.py",
                 "tests/api/test_integrity.py"],  # idempotency keys are stored here
    "diffing": ["tests/db/test_versions.py", "tests/db/test_unsaved_edits.py",
                "tests/api/test_edit_diffs.py", "tests/api/test_changelog.py"],
}


def narrowed(pyproject: str, module: str) -> str:
    """`pyproject` with [tool.mutmut] mutating only `module`, with its tests."""
    files = ", ".join(f'"{path}"' for path in ["tests/unit", *SELECTIONS[module]])
    text = re.sub(r"only_mutate = \[.*?\]",
                  f'only_mutate = ["plangov_app/services/{module}.py"]', pyproject)
    return re.sub(r"pytest_add_cli_args_test_selection = \[.*?\n\]",
                  f"pytest_add_cli_args_test_selection = [{files}, "
                  '"-m", "not browser and not postgres and not live_server"]', text, flags=re.S)


def main() -> int:
    """Run mutmut over one module in a scratch worktree; print the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("module", choices=sorted(SELECTIONS))
    parser.add_argument("--jobs", type=int, default=2, help="mutmut's --max-children")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix=f"mutation-{args.module}-"))
    shutil.rmtree(work)
    subprocess.run(["git", "worktree", "add", "--detach", str(work), "HEAD"], cwd=ROOT,
                   check=True)
    config = work / "pyproject.toml"
    config.write_text(narrowed(config.read_text(encoding="utf-8"), args.module),
                      encoding="utf-8")
    # SQLite only: parallel mutants would share one PostgreSQL database
    env = {k: v for k, v in os.environ.items() if k != "PLANGOV_TEST_POSTGRES_URL"}
    subprocess.run([str(MUTMUT), "run", "--max-children", str(args.jobs)], cwd=work, env=env,
                   check=False)
    results = subprocess.run([str(MUTMUT), "results"], cwd=work, env=env, check=False,
                             capture_output=True, text=True).stdout
    print(results)
    print(f"worktree: {work} (inspect with `mutmut show NAME` there; "
          f"`git worktree remove --force {work}` when done)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
