"""Manager pages: listings (list with a status filter, add, edit, activate/pause/archive)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from blueprints.common import commit_or_refuse, form_status, page_of, see_other
from blueprints.manage import bp
from linkage.extensions import db
from linkage.security import allow
from linkage.services import listings as service
from linkage.services.cooperatives import get_cooperative_for
from linkage.services.profile import certifications_of
from models import Cooperative, Listing, ListingStatus, Product, Role

from .listing_forms import STATUS_ACTIONS, ListingForm, ListingStatusForm

COOPERATIVE = "/<id:cooperative_id>/listings"
LISTING = COOPERATIVE + "/<id:listing_id>"
PER_PAGE = 20
DONE_MESSAGES = {
    ListingStatus.ACTIVE: _l("“%(title)s” is now on sale."),
    ListingStatus.PAUSED: _l("“%(title)s” is paused: buyers no longer see it."),
    ListingStatus.ARCHIVED: _l("“%(title)s” is archived."),
}


@bp.route(COOPERATIVE)
@allow(Role.MANAGER, Role.ADMIN)
def listings(cooperative_id: int) -> str:
    cooperative = get_cooperative_for(current_user, cooperative_id)
    return _list_page(cooperative)


def _list_page(cooperative: Cooperative) -> str:
    status = request.args.get("status") or None
    if status not in {s.value for s in ListingStatus}:
        status = None
    statement = service.cooperative_listings_query(cooperative, status=status)
    return render_template(
        "manage/listings/list.html",
        cooperative=cooperative,
        page=page_of(statement, PER_PAGE),
        status=status,
        status_actions=STATUS_ACTIONS,
    )


def _form(cooperative: Cooperative, listing: Listing | None = None) -> ListingForm:
    form = ListingForm(obj=listing)
    if listing is not None and listing.status != ListingStatus.DRAFT:
        del form.product_code  # the product of a listing on sale stays what buyers saw
    products = db.session.scalars(select(Product).order_by(Product.name_vi, Product.id)).all()
    form.set_choices(list(products), certifications_of(cooperative))
    if listing is not None and request.method == "GET":
        if "product_code" in form:
            form.product_code.data = listing.product.code
        form.certifications.data = [c.id for c in listing.certifications]
        form.stock_seen.data = str(listing.quantity_available)
    return form


def _render(
    cooperative: Cooperative, form: ListingForm, listing: Listing | None
) -> tuple[str, int]:
    return render_template(
        "manage/listings/form.html", cooperative=cooperative, form=form, listing=listing
    ), form_status(form)


@bp.route(COOPERATIVE + "/new", methods=["GET", "POST"])
@allow(Role.MANAGER, Role.ADMIN)
def listing_new(cooperative_id: int) -> str | Response | tuple[str, int]:
    cooperative = get_cooperative_for(current_user, cooperative_id)
    form = _form(cooperative)
    if form.validate_on_submit() and commit_or_refuse(
        form,
        lambda: service.create_listing(current_user, cooperative, form.listing_data()),
        lambda listing: _("Listing “%(title)s” saved as a draft.", title=listing.title),
    ):
        return redirect(url_for(".listings", cooperative_id=cooperative.id))
    return _render(cooperative, form, None)


@bp.route(LISTING + "/edit", methods=["GET", "POST"])
@allow(Role.MANAGER, Role.ADMIN)
def listing_edit(cooperative_id: int, listing_id: int) -> str | Response | tuple[str, int]:
    cooperative = get_cooperative_for(current_user, cooperative_id)
    listing = service.get_listing_for(current_user, listing_id, cooperative_id=cooperative.id)
    form = _form(cooperative, listing)
    if form.validate_on_submit():
        if commit_or_refuse(
            form,
            lambda: service.update_listing(
                current_user, listing, form.listing_data(), expected_quantity=_seen(form)
            ),
            lambda saved: _("Listing “%(title)s” saved.", title=saved.title),
        ):
            return redirect(url_for(".listings", cooperative_id=cooperative.id))
        # The next save replaces the stock as it is now (see service.update_listing).
        db.session.refresh(listing)
        form.stock_seen.data = str(listing.quantity_available)
    return _render(cooperative, form, listing)


def _seen(form: ListingForm) -> Decimal | None:
    """The stock shown when the form was opened: replaced only if nobody changed it since."""
    try:
        return Decimal(form.stock_seen.data or "")
    except InvalidOperation:
        return None


@bp.route(LISTING + "/status", methods=["POST"])
@allow(Role.MANAGER, Role.ADMIN)
def listing_status(cooperative_id: int, listing_id: int) -> Response | tuple[str, int]:
    cooperative = get_cooperative_for(current_user, cooperative_id)
    listing = service.get_listing_for(current_user, listing_id, cooperative_id=cooperative.id)
    form = ListingStatusForm()
    if not form.validate_on_submit():
        abort(400)
    new_status = ListingStatus(form.status.data)
    if not commit_or_refuse(
        None,  # the list is shown again: the refusal goes above it
        lambda: service.set_listing_status(current_user, listing, new_status),
        str(DONE_MESSAGES[new_status]) % {"title": listing.title},
    ):
        return _list_page(cooperative), 409  # the transitions refuse with Conflict
    return see_other(".listings", cooperative_id=cooperative.id)
