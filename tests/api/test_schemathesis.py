"""The API keeps its contract: every operation, anonymously and with a token of each role, under
all of schemathesis's default checks, `positive_data_acceptance` included.

- no 5xx; every answer conforms to the OpenAPI document (status, content type, body, headers);
- every status answered is one the operation documents itself (not only through `default`,
  which stays for the unexpected: 500, 503);
- a request the document allows is never refused as invalid: it may be answered 401 (no
  token), 403 (a role that may not call), 404 (an object that does not exist or lies outside
  the caller's scope), 409 (the state of the records, or the clock, forbids it) or 429, never
  400 or 422;
- a request the document forbids is refused.

The requests reach real records: a small world (tests/factories_contract.py) is made for each
operation and role, and most ids that hypothesis draws are mapped onto the world's ids of the
kind the parameter names (the others stay as drawn, to name records that do not exist).
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import Failure
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    positive_data_acceptance,
)

from linkage import create_app
from linkage.extensions import db
from linkage.services.logins import issue_token

from ..factories_contract import ID_KINDS, World, contract_world

# What a request the document allows may be answered: success, or a refusal that does not
# call the request invalid. Never 400 or 422 (nor 5xx, checked by not_a_server_error).
ACCEPTED = ["2xx", "401", "403", "404", "409", "429"]


def _schema(*, coverage: bool) -> Any:
    """The description, read from an app built for that purpose only (the spec needs no
    database); every generated request is sent to the test's own `app` fixture. The coverage
    phase (boundary and missing values, wrong methods: about 70 requests per operation)
    runs for one role; the others get the fuzzing phase only, to keep the sweep short."""
    config = SchemathesisConfig.from_dict(
        {
            "phases": {"coverage": {"enabled": coverage}},
            "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}},
        }
    )
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)


boundaries = _schema(coverage=True)
fuzzing = _schema(coverage=False)

SETTINGS = settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)

# anonymous, then a token of each role (`official`: a commune official; `province`: an
# official of the whole province); the admin, who may call nearly everything, also gets the
# coverage phase
ROLES = ["anonymous", "buyer", "manager", "official", "province"]


class UndocumentedStatus(Failure):
    """The answer's status is not among the operation's own documented responses."""

    def __init__(self, *, operation: str, status_code: int, documented: list[str]) -> None:
        self.operation = operation
        self.status_code = status_code
        self.documented = documented
        super().__init__(
            operation=operation,
            title="Undocumented status",
            message=f"{status_code} is not among the documented statuses {documented}",
        )

    @property
    def _unique_key(self) -> str:
        return f"{self.operation}:{self.status_code}"


PATH = ParameterLocation.PATH


def documented_status(ctx: Any, response: Any, case: Any) -> bool | None:
    """The status is one the operation lists (5xx are left to not_a_server_error; a request
    to a method or media type the operation does not have is schemathesis's own probe)."""
    status = response.status_code
    if status >= 500 or case.method.upper() != case.operation.method.upper():
        return None
    if status in (404, 405) and case.meta is not None and case.meta.is_negative_at(PATH):
        return None  # a path outside the document's bounds is no path of this operation
    documented = [k for k in case.operation.definition.raw.get("responses", {}) if k != "default"]
    if str(status) in documented or f"{status // 100}XX" in documented:
        return None
    raise UndocumentedStatus(
        operation=case.operation.label, status_code=status, documented=documented
    )


def _mapped(name: str, value: Any, ids: dict[str, list[int]]) -> Any:
    """Most drawn ids become one of the world's ids of the kind; one in four stays as drawn."""
    kind = ID_KINDS.get(name)
    if kind is None or not ids.get(kind) or not isinstance(value, int) or isinstance(value, bool):
        return value
    if value % 4 == 0:
        return value
    known = ids[kind]
    return known[value % len(known)]


def _map_body(body: Any, ids: dict[str, list[int]]) -> Any:
    if isinstance(body, dict):
        return {key: _map_body(_mapped(key, value, ids), ids) for key, value in body.items()}
    if isinstance(body, list):
        return [_map_body(item, ids) for item in body]
    return body


def point_at_world(case: Any, ids: dict[str, list[int]]) -> None:
    """Map the ids of the case's valid parts onto the world's (its invalid parts stay)."""
    meta = case.meta

    def valid(location: ParameterLocation) -> bool:
        return meta is None or not meta.is_negative_at(location)

    if case.path_parameters and valid(ParameterLocation.PATH):
        case.path_parameters = {k: _mapped(k, v, ids) for k, v in case.path_parameters.items()}
    if case.query and valid(ParameterLocation.QUERY):
        case.query = {k: _mapped(k, v, ids) for k, v in case.query.items()}
    if isinstance(case.body, dict | list) and valid(ParameterLocation.BODY):
        case.body = _map_body(case.body, ids)


# A CSV import's body is a file (`text/csv`): the document cannot describe its rows, so a
# file the document allows may still hold rows the service refuses. For these operations 422,
# with the problems listed by row, is the documented answer about the file's content.
FILE_IMPORTS = {
    "POST /api/v1/cooperatives/{cooperative_id}/households/import",
    "POST /api/v1/supports/import",
}


def _row_problems(response: Any) -> bool:
    """A 422 that lists the file's problems by row (households: `rows`; supports: `errors`
    as a list of {row, field, message})."""
    body = response.json() if response.status_code == 422 else None
    if not isinstance(body, dict):
        return False
    rows = body.get("rows") or body.get("errors")
    return isinstance(rows, list) and bool(rows) and all("row" in item for item in rows)


def file_content_acceptance(ctx: Any, response: Any, case: Any) -> bool | None:
    """positive_data_acceptance for an import: a valid request may also be answered 422 with
    the file's problems by row (a 422 for anything else still fails)."""
    if _row_problems(response):
        return None
    return positive_data_acceptance(ctx, response, case)


@pytest.fixture(params=ROLES)
def role(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def world(app: Any) -> World:
    return contract_world()


def _bearer(user: Any, app: Any) -> dict[str, str]:
    token = issue_token(user, app.config["TOKEN_LIFETIME"]).token
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def _call(case: Any, app: Any, world: World, role: str) -> None:
    point_at_world(case, world.ids)
    # the WSGI client hands over the bytes as sent, without undoing a Content-Encoding as an
    # HTTP client would: ask for the answers uncompressed
    headers = {"Accept-Encoding": "identity"}
    excluded = []
    checks: list[Any] = [documented_status]
    if case.operation.label in FILE_IMPORTS:
        excluded.append(positive_data_acceptance)
        checks.append(file_content_acceptance)
    if role != "anonymous":
        headers |= _bearer(world.users[role], app)
        if case.meta is not None and case.meta.is_negative_at(ParameterLocation.HEADER):
            # the case drops or spoils a header, but the role's Authorization header is sent
            # anyway: the request is no longer the negative one generated
            excluded.append(negative_data_rejection)
    case.call_and_validate(
        app=app,
        headers=headers,
        additional_checks=checks,
        excluded_checks=excluded,
    )


@fuzzing.parametrize()
@SETTINGS
def test_api_contract(case: Any, app: Any, world: World, role: str) -> None:
    _call(case, app, world, role)


@boundaries.parametrize()
@SETTINGS
def test_api_contract_as_admin(case: Any, app: Any, world: World) -> None:
    _call(case, app, world, "admin")
