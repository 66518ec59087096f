"""Recording a support, and correcting or voiding it with a reason (its history kept).

Who may write: officials whose communes hold the household, and admins, any programme;
managers of one of the household's cooperatives the programmes a cooperative channels
(`MANAGER_PROGRAMMES`), and only supports of those programmes. Anyone else learns nothing
of the household (404); a manager asking for another programme is refused (403).
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from linkage.extensions import db
from linkage.services import audit
from linkage.services.errors import Conflict, DomainError, Invalid, NotFound, Unchanged
from linkage.services.scope import get_household_for, household_scope
from linkage.services.valuechain.corrections import check_reason, keep_change
from models import (
    AuditAction,
    ChangeAction,
    CollectionStatus,
    Household,
    Support,
    SupportProgramme,
    User,
    utcnow,
)
from models.types import MAX_ID

from .values import FIELDS, clean_support, in_future, product_ids, programmes_for

# The fields whose rule reads the programme: a loan has a term and an amount above zero.
WITH_THE_PROGRAMME = ("term_months", "amount_vnd")


def refuse_programme(actor: User, programme: SupportProgramme) -> None:
    """403 when the actor may not record (or change) supports of this programme."""
    if programme in programmes_for(actor):
        return
    raise DomainError(
        _(
            "A cooperative records only crop varieties, livestock breeds, vocational training "
            "and other support. Policy loans, housing repair and health insurance are recorded "
            "by the commune's officials."
        ),
        status=403,
        field="programme",
    )


def get_support_for(actor: User, support_id: int) -> Support:
    """A support of a household the actor may see; 404 for any other (reveals nothing)."""
    support = None
    if isinstance(support_id, int) and 1 <= support_id <= MAX_ID:
        support = db.session.scalars(
            select(Support)
            .join(Household, Household.id == Support.household_id)
            .where(Support.id == support_id, household_scope(actor))
            .options(
                joinedload(Support.household),
                joinedload(Support.purpose_product),
                joinedload(Support.recorded_by),
            )
        ).first()
    if support is None:
        raise NotFound(_("Support not found."))
    return support


def _raise_first(errors: list[tuple[str, str]], from_record: Container[str] = ()) -> None:
    """422 for the first error; 409 when its field is one of `from_record`: the support's
    record, not the request alone, made the values not go together."""
    if errors:
        field, message = errors[0]
        if field in from_record:
            raise Conflict(message, field=field)
        raise Invalid(message, field=field)


def _refuse_future(data: Mapping[str, Any]) -> None:
    if in_future(data.get("received_on")):
        # a rule about the present, which no document can express: 409
        raise Conflict(_("The date cannot be in the future."), field="received_on")


def _products_named(data: Mapping[str, Any]) -> dict[str, int]:
    code = data.get("purpose_product_code")
    return product_ids([code]) if isinstance(code, str) and code.strip() else {}


def record_support(actor: User, household: Household, data: Mapping[str, Any]) -> Support:
    """Record a support the household received; audited. `data` holds the typed values of
    `FIELDS` (programme, amount_vnd, received_on, purpose_product_code, term_months, note)."""
    household = get_household_for(actor, household.id)
    clean, errors = clean_support(data, _products_named(data), refuse_future=False)
    if "programme" in clean:
        refuse_programme(actor, clean["programme"])
    _raise_first(errors)
    _refuse_future(data)
    support = Support(
        household_id=household.id, **clean, recorded_by_id=actor.id, created_at=utcnow()
    )
    db.session.add(support)
    db.session.flush()
    audit.record(
        actor,
        AuditAction.CREATE,
        "support",
        support.id,
        new={"household_id": household.id, **kept_values(support)},
    )
    return support


def current_values(support: Support) -> dict[str, Any]:
    """The support's values as `FIELDS` name them (the product by its code)."""
    product = support.purpose_product
    return {
        "programme": support.programme,
        "amount_vnd": support.amount_vnd,
        "received_on": support.received_on,
        "purpose_product_code": product.code if product is not None else None,
        "term_months": support.term_months,
        "note": support.note,
    }


def kept_values(support: Support) -> dict[str, Any]:
    """The support's values as its history keeps them (JSON-safe)."""
    values = current_values(support)
    values["programme"] = support.programme.value
    values["received_on"] = support.received_on.isoformat()
    return values


def _lock(support: Support) -> None:
    """Concurrent changes of one support take turns, each starting from the last one's
    result: FOR UPDATE on PostgreSQL (writing requests on SQLite begin IMMEDIATE)."""
    db.session.execute(select(Support.id).where(Support.id == support.id).with_for_update())
    db.session.refresh(support)


def _writable(actor: User, support: Support) -> None:
    """The household in the actor's scope (else 404) and the programme theirs (else 403)."""
    get_household_for(actor, support.household_id)
    refuse_programme(actor, support.programme)


def correct_support(
    actor: User, support: Support, reason: str, changes: Mapping[str, Any]
) -> Support:
    """Correct a support's values (any of `FIELDS`), with a reason; the old values are kept.

    Changing a policy loan into another programme drops its term unless one is given. A
    term or amount that does not go with the programme is 422 when the correction gives
    both, 409 when one of them is the record's (a term for a support that is not a loan);
    so is a correction that changes nothing (the record already holds these values).
    """
    _writable(actor, support)
    _lock(support)
    if support.is_void:
        raise Conflict(_("This support is void; it can no longer be corrected."))
    reason = check_reason(reason)
    old = kept_values(support)
    data = current_values(support)
    data.update({name: changes[name] for name in FIELDS if name in changes})
    if "term_months" not in changes and data["programme"] != SupportProgramme.POLICY_LOAN:
        data["term_months"] = None
    clean, errors = clean_support(data, _products_named(data), refuse_future=False)
    if "programme" in clean:
        refuse_programme(actor, clean["programme"])
    from_record = [
        name for name in WITH_THE_PROGRAMME if name not in changes or "programme" not in changes
    ]
    _raise_first(errors, from_record)
    _refuse_future(data)
    for column, value in clean.items():
        setattr(support, column, value)
    db.session.flush()
    db.session.expire(support, ["purpose_product"])
    new = kept_values(support)
    changed = [name for name in FIELDS if new[name] != old[name]]
    if not changed:
        raise Unchanged(_("Nothing to correct: the values are the same."))
    support.status = CollectionStatus.CORRECTED
    keep_change(
        actor,
        "support",
        support.id,
        ChangeAction.CORRECT,
        reason,
        {name: old[name] for name in changed},
        {name: new[name] for name in changed},
    )
    db.session.flush()
    return support


def void_support(actor: User, support: Support, reason: str) -> Support:
    """Void a support, with a reason: it is kept with its history but counts nowhere."""
    _writable(actor, support)
    _lock(support)
    if support.is_void:
        raise Conflict(_("This support is already void."))
    reason = check_reason(reason)
    old = {"status": support.status.value, **kept_values(support)}
    support.status = CollectionStatus.VOID
    db.session.flush()
    keep_change(
        actor,
        "support",
        support.id,
        ChangeAction.VOID,
        reason,
        old,
        {"status": CollectionStatus.VOID.value},
    )
    return support
