"""Persistence: SQLModel tables (db.models), engine and session factory, migrations."""
