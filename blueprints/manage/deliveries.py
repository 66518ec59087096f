"""Recording a delivery, from the lot page or the dashboard: an entry that looks wrong is shown
back for confirmation before anything is written; a saved one is announced with its amount."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from blueprints.common import commit_or_refuse, see_other
from blueprints.manage import bp
from linkage.labels import label
from linkage.security import allow
from linkage.services import valuechain
from linkage.services.cooperatives import get_cooperative_for
from linkage.services.periods import current_day
from linkage.services.valuechain import plausibility
from linkage.services.valuechain.deliveries import open_collection_lots
from linkage.templating import format_quantity, format_vnd
from models import Collection, Household, Lot, LotOrigin, Role, amount_vnd

from .dashboard import render_dashboard
from .delivery_forms import DeliveryForm
from .valuechain_forms import noon

COOPERATIVE = "/<id:cooperative_id>"


@dataclass(frozen=True)
class Confirmation:
    """A delivery shown back before it is saved, with why it looks wrong."""

    household: Household
    lot: Lot
    quantity: Decimal
    unit_price_vnd: int
    concerns: list[plausibility.Concern]
    values: list[tuple[str, Any]]  # the form's values, posted again by "Save anyway"

    @property
    def amount_vnd(self) -> int:
        return amount_vnd(self.quantity, self.unit_price_vnd)

    @property
    def unit(self) -> str:
        return label(self.lot.product.unit)


def confirmed() -> bool:
    """The manager chose "Save anyway" on the confirmation."""
    return request.form.get("confirmed") == "1"


def delivered_message(collection: Collection, lot: Lot, household: Household) -> str:
    """'Recorded 1,200 kg from household HH-1 (Dương Thị Liên): pay 96,000,000 ₫.'"""
    return _(
        "Recorded %(quantity)s %(unit)s from household %(household)s: pay %(amount)s.",
        quantity=format_quantity(collection.quantity),
        unit=label(lot.product.unit),
        household=f"{household.code} ({household.head_name})",
        amount=format_vnd(collection.amount_vnd),
    )


def record_checked(
    form: Any, lot: Lot, household: Household, data: dict[str, Any], values: list[tuple[str, Any]]
) -> Collection | Confirmation | None:
    """Records the delivery (committed, announced) when it is plausible or confirmed; else the
    confirmation to show. None when the service refused it (the reason is on the form)."""
    if lot.origin == LotOrigin.COLLECTION and not confirmed():  # else the service refuses
        concerns = plausibility.check_collection(
            lot, household.id, data["quantity"], data["unit_price_vnd"]
        )
        if concerns:
            return Confirmation(
                household, lot, data["quantity"], data["unit_price_vnd"], concerns, values
            )
    return commit_or_refuse(
        form,
        lambda: valuechain.record_collection(current_user, lot, **data),
        lambda collection: delivered_message(collection, lot, household),
    )


@bp.route(COOPERATIVE + "/deliveries", methods=["POST"])
@allow(Role.MANAGER, Role.ADMIN)
def delivery_new(cooperative_id: int) -> Response | tuple[str, int]:
    cooperative = get_cooperative_for(current_user, cooperative_id)
    lots = open_collection_lots(cooperative)
    form = DeliveryForm()
    form.set_lots(lots)
    valid = form.validate_on_submit()
    # the household is looked up even when another field is wrong: all the errors at once
    household = None if form.household.errors else form.resolve_household(cooperative)
    outcome = None
    if valid and household is not None:
        lot = valuechain.get_lot_for(current_user, int(form.lot_id.data), cooperative.id)
        data = {
            "household_id": household.id,
            "quantity": form.quantity.data,
            "unit_price_vnd": form.unit_price_vnd.data,
            "collected_at": noon(current_day()),
        }
        outcome = record_checked(form, lot, household, data, form.posted_values(household))
    if isinstance(outcome, Collection):
        return see_other(".dashboard", cooperative_id=cooperative.id, new=outcome.id)
    if isinstance(outcome, Confirmation):
        return render_dashboard(cooperative, lots, form, outcome), 200
    return render_dashboard(cooperative, lots, form), 422
