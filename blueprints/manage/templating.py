"""What the templates of every manager page may use beyond the app's template globals (label(),
the enumerations, the products' names): the day of a moment in Vietnam."""

from __future__ import annotations

from blueprints.common import day
from blueprints.manage import bp


@bp.context_processor
def page_globals() -> dict[str, object]:
    return {"day": day}
