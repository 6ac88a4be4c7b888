"""PlanGov: governance for machine-generated training plans."""
