"""The PlanGov app: pages, the shell and the REST API in one process."""

from __future__ import annotations

import reflex as rx

from components.layout import frame, protected
from pages.admin_users import users_page
from pages.athlete import athlete_page
from pages.audit import audit_page
from pages.editor import editor_page
from pages.history import history_page
from pages.home import home_page, not_found_page, welcome_page
from pages.login import login_page
from pages.plan_view import plan_view_page
from pages.plans import plans_page
from plangov_app.api import api
from plangov_app.workers.relay import relay_outbox
from state.athlete import AthleteState
from state.audit import AuditState
from state.editor import EditorState
from state.history import HistoryState
from state.login import LoginState
from state.plan_view import PlanViewState
from state.plans import PlansState
from state.session import SessionState
from state.users import UsersState

app = rx.App(
    api_transformer=api,
    head_components=[rx.el.meta(name="theme-color", content="#3e63dd")],
)

app.add_page(login_page, route="/login", title="Sign in · PlanGov", on_load=LoginState.load)
app.add_page(home_page, route="/", title="PlanGov", on_load=SessionState.go_home)
app.add_page(lambda: frame(not_found_page()), route="404", title="Not found · PlanGov",
             on_load=SessionState.open_page)
protected(app, "/welcome", "Welcome", SessionState.open_page)(welcome_page)
protected(app, "/plans", "Plans", PlansState.load)(plans_page)
protected(app, "/plans/[plan_id]", "Plan", EditorState.open_editor)(editor_page)
protected(app, "/plans/[plan_id]/review", "Review plan", PlanViewState.open_review)(plan_view_page)
protected(app, "/athletes/[athlete_id]", "Athlete", AthleteState.load)(athlete_page)
protected(app, "/athletes/[athlete_id]/history", "Plan History", HistoryState.load)(history_page)
protected(app, "/admin/users", "Users & roles", UsersState.load)(users_page)
protected(app, "/audit", "Audit", AuditState.load)(audit_page)

app.register_lifespan_task(relay_outbox)
