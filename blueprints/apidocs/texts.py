"""What the API documentation page says about the API and each group of operations, in the
reader's language. The OpenAPI description (`openapi.json`) stays in English: it is read by
programs; `tests/blueprints/test_apidocs.py` checks every tag of it has its texts here."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

TITLE = _l("Linkage API")
DESCRIPTION = _l(
    "Cooperative market-linkage platform of Phu Tho province: reference data, cooperatives, "
    "households, value chain, orders and income impact."
)

# tag (the API blueprint's name) -> (heading, what its operations do)
TAGS = {
    "api_tokens": (
        _l("Authentication"),
        _l("Exchange an email and password for a bearer token; list and revoke tokens."),
    ),
    "api_reference": (
        _l("Reference data (public)"),
        _l("Products, communes and wards of the province, national poverty standards."),
    ),
    "api_cooperatives": (
        _l("Cooperatives"),
        _l("Approved cooperatives; registering, approving and suspending them (admins)."),
    ),
    "api_catalog": (
        _l("Catalog: public listings"),
        _l("The listings on sale, as buyers and visitors see them."),
    ),
    "api_households": (
        _l("Member households"),
        _l("A cooperative's member households: register, edit, add or import from CSV."),
    ),
    "api_review": (
        _l("Review queue"),
        _l("Households of the jurisdiction that need an official's review."),
    ),
    "api_supports": (
        _l("Policy support"),
        _l("Support households received from policy programmes: record, import, correct, void."),
    ),
    "api_listings": (
        _l("Listings"),
        _l("A cooperative's own listings: create them and change them."),
    ),
    "api_valuechain": (
        _l("Value chain"),
        _l(
            "Lots, deliveries from households, processing and payments to households, with "
            "their corrections."
        ),
    ),
    "api_orders": (
        _l("Orders"),
        _l("Orders from buyers and their course: accept, ship, deliver, pay or cancel."),
    ),
    "api_impact": (
        _l("Income impact"),
        _l("Figures on sales, income reaching households and their poverty status, for officials."),
    ),
    "api_trace": (
        _l("Traceability of lots"),
        _l(
            "A lot's chain from the households to the buyer, as JSON and as GS1 EPCIS events; "
            "mass balance."
        ),
    ),
}


def tag_texts(name: str, description: str | None) -> tuple[str, str]:
    """The heading and description of a tag; a tag not listed here keeps the spec's text."""
    heading, text = TAGS.get(name, (description or name, ""))
    return str(heading), str(text)
