"""Persistence: SQLModel tables, engine and session factory, migrations, demo data."""
