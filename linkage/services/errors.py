"""The service layer's own errors: a rule of the domain refused the request.

No web import here: services raise these, and `linkage.errors` maps them to HTTP answers
(problem+json under /api/, an HTML page elsewhere) by their `status`.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the request; `status` is the HTTP answer (409, 422...).

    Prefer the subclasses below; `DomainError(message, status=N)` remains for the few
    refusals that are none of them (403, 413...).
    """

    status = 409

    def __init__(self, message: str, *, status: int | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if status is not None:
            self.status = status


class NotFound(DomainError):
    """The record does not exist or lies outside the caller's scope (404)."""

    status = 404

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message, field=field)


class Conflict(DomainError):
    """The request conflicts with the current state of a record (409)."""

    status = 409

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message, field=field)


class Unchanged(Conflict):
    """A correction that changes nothing: the record already holds these values (409; the
    supports' correction page shows it as its form's error, 422)."""


class Invalid(DomainError):
    """A value is not valid; `field` names it when one field is at fault (422)."""

    status = 422

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message, field=field)


class UnknownReference(Invalid):
    """A code or id names nothing known (a product, a commune...); `field` names it (422)."""

    def __init__(self, message: str, *, field: str):
        super().__init__(message, field=field)
