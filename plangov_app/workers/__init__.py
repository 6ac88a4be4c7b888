"""Background loops that run beside the app: the outbox relay (later telemetry, schedulers)."""
