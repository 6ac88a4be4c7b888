"""PlanGov's domain: every decision lives here. Nothing in this package imports reflex."""
