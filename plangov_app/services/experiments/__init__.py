"""Experiments: pure assignment (assignment.py); registry and exposures come with the API."""
