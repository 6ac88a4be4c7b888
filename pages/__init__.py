"""One module per page; each declares its route, title and on_load with `page`.

Importing this package declares every page; `components.layout.add_pages` registers them.
"""

from pages import (  # noqa: F401  (imported to declare their pages)
    admin_users,
    athlete,
    audit,
    editor,
    experiment_detail,
    experiments,
    flags,
    history,
    home,
    login,
    plan_view,
    plans,
)
