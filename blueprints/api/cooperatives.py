"""Cooperatives: public list and detail; admins create, approve and suspend."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import Select
from sqlalchemy.orm import selectinload

from linkage.extensions import db
from linkage.schemas.cooperatives import (
    CooperativeArgs,
    CooperativeCreateSchema,
    CooperativeSchema,
    StatusChangeSchema,
)
from linkage.security import PUBLIC
from linkage.services import cooperatives
from models import Cooperative, CooperativeStatus, Role

from .common import api_allow, method_view, operation, paged

blp = Blueprint("api_cooperatives", __name__, url_prefix="/api/v1", description="Cooperatives")


@blp.route("/cooperatives")
class Cooperatives(MethodView):
    @api_allow(PUBLIC)
    @paged(blp, CooperativeArgs, CooperativeSchema)
    def get(self, args: dict[str, Any]) -> Select:
        """Approved cooperatives."""
        return cooperatives.public_cooperatives_query(region=args.get("region")).options(
            selectinload(Cooperative.commune), selectinload(Cooperative.certifications)
        )

    @operation(
        blp,
        (Role.ADMIN,),
        body=CooperativeCreateSchema,
        answer=CooperativeSchema,
        status=201,
        refused=(409,),
    )
    def post(self, data: dict[str, Any]) -> Cooperative:
        """Register a cooperative (created approved by an admin)."""
        cooperative = cooperatives.register_cooperative(current_user, **data)
        db.session.commit()
        return cooperative


@blp.route("/cooperatives/<id:cooperative_id>")
class CooperativeDetail(MethodView):
    @operation(blp, (PUBLIC,), answer=CooperativeSchema, refused=(404,))
    def get(self, cooperative_id: int) -> Cooperative:
        """One approved cooperative."""
        return cooperatives.get_public_cooperative(cooperative_id)


def _status_view(action: str, status: CooperativeStatus, summary: str) -> type[MethodView]:
    """The admins' resource that sets a cooperative's status, with an optional reason."""

    @operation(
        blp,
        (Role.ADMIN,),
        body=StatusChangeSchema,
        required=False,
        answer=CooperativeSchema,
        refused=(404, 409),
    )
    def post(self: MethodView, data: dict[str, Any], cooperative_id: int) -> Cooperative:
        cooperative = cooperatives.set_cooperative_status(
            current_user, cooperative_id, status, data.get("reason")
        )
        db.session.commit()
        return cooperative

    post.__doc__ = summary
    return method_view(f"Cooperative{action.capitalize()}", post=post)


for _action, _status, _summary in (
    ("approve", CooperativeStatus.APPROVED, "Approve a cooperative: it appears to buyers."),
    (
        "suspend",
        CooperativeStatus.SUSPENDED,
        "Suspend a cooperative: its listings disappear from the catalog.",
    ),
):
    blp.route(f"/cooperatives/<id:cooperative_id>/{_action}")(
        _status_view(_action, _status, _summary)
    )
