"""The edge: I/O other than the database (the telemetry bus, files; later webhooks, MLflow)."""
