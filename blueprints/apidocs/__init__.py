"""A local, script-free page documenting the API from its OpenAPI description."""

from __future__ import annotations

from flask import Blueprint, render_template

from linkage.extensions import api
from linkage.security import PUBLIC, allow

bp = Blueprint("apidocs", __name__)

METHODS = ("get", "post", "put", "patch", "delete")


@bp.route("/api/v1/docs")
@allow(PUBLIC)
def docs() -> str:
    spec = api.spec.to_dict()
    operations = [
        {"path": path, "method": method.upper(), **operation}
        for path, item in sorted(spec.get("paths", {}).items())
        for method, operation in item.items()
        if method in METHODS
    ]
    schemas = spec.get("components", {}).get("schemas", {})
    return render_template("apidocs/docs.html", spec=spec, operations=operations, schemas=schemas)
