"""Cooperatives: public list and detail; admins create, approve and suspend."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy.orm import selectinload

from linkage.extensions import db
from linkage.schemas.common import envelope, page_of
from linkage.schemas.cooperatives import (
    CooperativeArgs,
    CooperativeCreateSchema,
    CooperativeSchema,
    StatusChangeSchema,
)
from linkage.security import PUBLIC
from linkage.services import cooperatives
from linkage.services.paging import paginate
from models import Cooperative, CooperativeStatus, Role

from .common import api_allow

blp = Blueprint("api_cooperatives", __name__, url_prefix="/api/v1", description="Cooperatives")

COOPERATIVE_ID = "<id:cooperative_id>"


@blp.route("/cooperatives")
class Cooperatives(MethodView):
    @api_allow(PUBLIC)
    @blp.arguments(CooperativeArgs, location="query")
    @blp.response(200, page_of(CooperativeSchema))
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Approved cooperatives."""
        statement = cooperatives.public_cooperatives_query(region=args.get("region")).options(
            selectinload(Cooperative.commune), selectinload(Cooperative.certifications)
        )
        return envelope(paginate(statement, args["page"], args["per_page"]))

    @api_allow(Role.ADMIN)
    @blp.arguments(CooperativeCreateSchema)
    @blp.response(201, CooperativeSchema)
    def post(self, data: dict[str, Any]) -> Cooperative:
        """Register a cooperative (created approved by an admin)."""
        cooperative = cooperatives.register_cooperative(current_user, **data)
        db.session.commit()
        return cooperative


@blp.route(f"/cooperatives/{COOPERATIVE_ID}")
class CooperativeDetail(MethodView):
    @api_allow(PUBLIC)
    @blp.response(200, CooperativeSchema)
    def get(self, cooperative_id: int) -> Cooperative:
        """One approved cooperative."""
        return cooperatives.get_public_cooperative(cooperative_id)


@blp.route(f"/cooperatives/{COOPERATIVE_ID}/approve")
class CooperativeApprove(MethodView):
    @api_allow(Role.ADMIN)
    @blp.arguments(StatusChangeSchema, required=False)
    @blp.response(200, CooperativeSchema)
    def post(self, data: dict[str, Any], cooperative_id: int) -> Cooperative:
        """Approve a cooperative: it appears to buyers."""
        cooperative = cooperatives.set_cooperative_status(
            current_user, cooperative_id, CooperativeStatus.APPROVED, data.get("reason")
        )
        db.session.commit()
        return cooperative


@blp.route(f"/cooperatives/{COOPERATIVE_ID}/suspend")
class CooperativeSuspend(MethodView):
    @api_allow(Role.ADMIN)
    @blp.arguments(StatusChangeSchema, required=False)
    @blp.response(200, CooperativeSchema)
    def post(self, data: dict[str, Any], cooperative_id: int) -> Cooperative:
        """Suspend a cooperative: its listings disappear from the catalog."""
        cooperative = cooperatives.set_cooperative_status(
            current_user, cooperative_id, CooperativeStatus.SUSPENDED, data.get("reason")
        )
        db.session.commit()
        return cooperative
