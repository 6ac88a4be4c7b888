"""Demo data: accounts, teams, reference data and plans in every status.

Written through the real services, so audit, outbox and versions agree (the synthetic
cohort of Milestone 2 joins it here).
"""

from plangov_app.demo.accounts import DEMO_PASSWORD, demo_accounts, demo_id
from plangov_app.demo.seed import seed

__all__ = ["DEMO_PASSWORD", "demo_accounts", "demo_id", "seed"]
