"""What the manager needs to record a delivery in one go: the lots open for deliveries, the
household named by a code or part of a name, and the latest deliveries."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from linkage.extensions import db
from linkage.text import fold
from models import Collection, CollectionStatus, Cooperative, Household, Lot, LotOrigin

from .valuechain import member_households

SHOWN_LOTS = 50
SHOWN_DELIVERIES = 5
SEPARATOR = " — "  # a household's label is "code — name": a pasted label names the code


def open_collection_lots(cooperative: Cooperative, limit: int = SHOWN_LOTS) -> list[Lot]:
    """Collection lots that take deliveries, newest first: those still empty and those still
    holding produce (a lot emptied by processing or shipping is closed)."""
    return list(
        db.session.scalars(
            select(Lot)
            .where(
                Lot.cooperative_id == cooperative.id,
                Lot.origin == LotOrigin.COLLECTION,
                or_(Lot.quantity_in == 0, Lot.quantity_remaining > 0),
            )
            .options(joinedload(Lot.product))
            .order_by(Lot.created_at.desc(), Lot.id.desc())
            .limit(limit)
        ).all()
    )


def find_households(cooperative: Cooperative, text: str, limit: int = 500) -> list[Household]:
    """Current member households named by `text`: the one whose code it is, else those whose
    code or head name contains it, accents and case ignored ('lien' finds 'Dương Thị Liên')."""
    wanted = text.split(SEPARATOR)[0] if SEPARATOR in text else text
    matches = member_households(cooperative, wanted, limit)
    exact = [h for h in matches if fold(h.code) == fold(wanted)]
    return exact or matches


def recent_collections(cooperative: Cooperative, limit: int = SHOWN_DELIVERIES) -> list[Collection]:
    """The cooperative's latest recorded deliveries (not void), the last recorded first."""
    return list(
        db.session.scalars(
            select(Collection)
            .join(Lot, Lot.id == Collection.lot_id)
            .where(Lot.cooperative_id == cooperative.id, Collection.status != CollectionStatus.VOID)
            .options(
                joinedload(Collection.household),
                joinedload(Collection.lot).joinedload(Lot.product),
            )
            .order_by(Collection.id.desc())
            .limit(limit)
        ).all()
    )
