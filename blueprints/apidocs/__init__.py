"""A local, script-free page documenting the API from its OpenAPI description.

The page speaks the reader's language for the API's title, description and groups of
operations (`texts`); the operations' own summaries stay as the OpenAPI description has them.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from linkage.extensions import api
from linkage.security import PUBLIC, allow

from . import texts

bp = Blueprint("apidocs", __name__)

METHODS = ("get", "post", "put", "patch", "delete")


def _groups(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The spec's tags in its order, each with its texts and its operations (path order)."""
    operations = [
        {"path": path, "method": method.upper(), **operation}
        for path, item in sorted(spec.get("paths", {}).items())
        for method, operation in item.items()
        if method in METHODS
    ]
    tags = [tag["name"] for tag in spec.get("tags", [])]
    described = {tag["name"]: tag.get("description") for tag in spec.get("tags", [])}
    for operation in operations:  # an operation whose tag the spec does not list
        for name in operation.get("tags") or ["default"]:
            if name not in tags:
                tags.append(name)
    groups = []
    for name in tags:
        heading, description = texts.tag_texts(name, described.get(name))
        members = [op for op in operations if name in (op.get("tags") or ["default"])]
        if members:
            groups.append(
                {"name": name, "heading": heading, "description": description, "ops": members}
            )
    return groups


@bp.route("/api/v1/docs")
@allow(PUBLIC)
def docs() -> str:
    spec = api.spec.to_dict()
    schemas = spec.get("components", {}).get("schemas", {})
    return render_template(
        "apidocs/docs.html",
        spec=spec,
        title=texts.TITLE,
        description=texts.DESCRIPTION,
        groups=_groups(spec),
        schemas=schemas,
    )
