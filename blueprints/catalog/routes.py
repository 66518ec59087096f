"""Catalog pages: search, one listing with its provenance, one cooperative's profile."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import render_template, request, url_for

from blueprints.common import page_number
from linkage.security import PUBLIC, allow
from linkage.services import cooperatives, orders
from linkage.services.errors import DomainError
from linkage.services.impact import member_poverty_share
from linkage.services.listings import catalog
from linkage.services.paging import Page, paginate
from linkage.services.periods import current_day
from models import Region

from . import bp
from .forms import CatalogForm

PER_PAGE = 20


@bp.app_template_global("trace_url")
def lot_trace_url(code: str) -> str:
    return url_for("trace.lot", code=code)


# why a listing cannot be ordered for now: the words of the order service's refusal
bp.add_app_template_global(orders.below_minimum_message, "below_minimum_message")


def _paginate(statement: Any, number: int) -> Page[Any]:
    """A page of results; past the last page, the last page."""
    page = paginate(statement, number, PER_PAGE)
    if number > page.pages:
        page = paginate(statement, page.pages, PER_PAGE)
    return page


def _search_form() -> CatalogForm:
    """The form over the query string, with its options (cooperatives narrowed by place)."""
    communes = catalog.commune_options()
    commune = request.args.get("commune", "")
    region = request.args.get("region", "")
    cooperative = request.args.get("cooperative", "")
    cooperatives, complete = catalog.cooperative_options(
        commune=commune if any(c.code == commune for c in communes) else None,
        region=Region(region) if region in {r.value for r in Region} else None,
        selected=int(cooperative)
        if cooperative.isascii() and cooperative.isdigit() and len(cooperative) < 10
        else None,
    )
    form = CatalogForm(
        request.args,
        products=catalog.product_options(),
        communes=communes,
        cooperatives=cooperatives,
    )
    form.validate()
    form.cooperatives_complete = complete
    return form


@bp.route("/catalog")
@allow(PUBLIC)
def index() -> tuple[str, int]:
    form = _search_form()
    filters = form.filters()
    try:
        statement = catalog.search_listings(filters)
    except DomainError as error:
        if error.field != "min_price":
            raise
        form.min_price.errors.append(error.message)
        statement = catalog.search_listings(replace(filters, min_price=None, max_price=None))
    page = _paginate(statement, page_number())
    status = 422 if form.errors else 200
    return render_template("catalog/index.html", form=form, page=page, today=current_day()), status


@bp.route("/listings/<id:listing_id>")
@allow(PUBLIC)
def listing(listing_id: int) -> str:
    item = catalog.get_public_listing(listing_id)
    return render_template(
        "catalog/listing.html",
        listing=item,
        provenance=catalog.listing_provenance(item),
        today=current_day(),
    )


@bp.route("/cooperatives/<id:cooperative_id>")
@allow(PUBLIC)
def cooperative(cooperative_id: int) -> str:
    profile = cooperatives.get_public_cooperative(cooperative_id)
    statement = catalog.search_listings(catalog.CatalogFilters(cooperative=profile.id))
    return render_template(
        "catalog/cooperative.html",
        cooperative=profile,
        page=_paginate(statement, page_number()),
        today=current_day(),
        member_share=member_poverty_share(profile.id),  # None below 10 on each side (DESIGN 4.4)
    )
