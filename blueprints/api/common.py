"""Helpers shared by the API resources."""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from typing import Any, TypeVar

from flask import abort
from flask_babel import gettext as _

from linkage.security import PUBLIC, allow
from models import Role

F = TypeVar("F", bound=Callable[..., Any])


def api_allow(*audience: Role | str) -> Callable[[F], F]:
    """`allow()` for API methods, also documenting the bearer security in OpenAPI."""

    def decorate(view: F) -> F:
        guarded = allow(*audience)(view)
        if PUBLIC not in audience:
            apidoc = deepcopy(getattr(guarded, "_apidoc", {}))
            manual = apidoc.setdefault("manual_doc", {})
            manual["security"] = [{"bearerAuth": []}]
            roles = ", ".join(sorted(str(a) for a in audience))
            manual.setdefault("description", f"Who may call: {roles}.")
            guarded._apidoc = apidoc  # type: ignore[attr-defined]
        return guarded

    return decorate


def not_found() -> None:
    abort(404, _("Not found."))
