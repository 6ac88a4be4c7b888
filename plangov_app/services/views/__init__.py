"""Read models: what a page shows and what the user may do there.

One module per page (plan page, editor preview, plan history, plans list, audit log,
users, athlete profile), each assembling plain dataclasses from the services and deciding
the user's options (`can_edit`, `can_decide`, …) from `status` and `rbac`. Reflex state
maps these to vars and nothing more.
"""
