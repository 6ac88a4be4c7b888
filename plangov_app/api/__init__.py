"""The REST API (FastAPI), mounted into Reflex so UI and API share one process.

Importable as `plangov_app.api:api`; routes under `/api/v1`, OpenAPI at
`/api/v1/openapi.json`.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from plangov_app.api import (
    athletes,
    audit,
    auth,
    catalogue,
    experiments,
    flags,
    notifications,
    plans,
    problems,
    users,
)
from plangov_app.api.middleware import ApiMiddleware
from plangov_app.gc_tuning import freeze_startup_heap
from plangov_app.services.errors import NotFound
from plangov_app.settings import get_settings

API_V1 = "/api/v1"


def create_api() -> FastAPI:
    """Build the API application."""
    app = FastAPI(
        title="PlanGov API",
        version="1.0",
        description="Governance for machine-generated training plans.",
        openapi_url=f"{API_V1}/openapi.json",
        docs_url=f"{API_V1}/docs",
        redoc_url=None,
    )
    v1 = APIRouter(prefix=API_V1)
    for module in (auth, users, athletes, audit, plans, notifications, catalogue,
                   flags, experiments):
        v1.include_router(module.router)
    app.include_router(v1)

    @app.api_route("/api/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                   include_in_schema=False)
    def unknown_api_path(rest: str) -> None:
        raise NotFound(f"No API endpoint at /api/{rest}.")

    problems.install(app)
    app.add_middleware(ApiMiddleware, max_body_bytes=get_settings().max_body_bytes)
    return app


api = create_api()
freeze_startup_heap()  # the app is built: later full collections skip it
