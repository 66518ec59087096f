"""Manager pages to correct or void a delivery and to void a payment, with the history kept."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from blueprints.common import commit_or_refuse, see_other
from blueprints.manage import bp
from linkage.extensions import db
from linkage.formats import format_day
from linkage.numbers import format_quantity, format_vnd
from linkage.security import allow
from linkage.services import valuechain
from linkage.services.cooperatives import get_cooperative_for
from linkage.services.errors import NotFound
from linkage.services.valuechain import corrections
from linkage.services.valuechain.history import history
from models import Collection, Cooperative, Household, Payment, RecordChange, Role

from .correction_forms import CorrectionForm, VoidForm
from .valuechain_forms import household_choices

COOPERATIVE = "/<id:cooperative_id>"
COLLECTION = COOPERATIVE + "/collections/<id:collection_id>"
PAYMENT = COOPERATIVE + "/payments/<id:payment_id>"


def _collection(cooperative_id: int, collection_id: int) -> tuple[Cooperative, Collection]:
    """The cooperative and one of its deliveries, which the caller manages; 404 otherwise."""
    collection = corrections.get_collection_for(current_user, collection_id)
    if collection.lot.cooperative_id != cooperative_id:
        raise NotFound(_("Delivery not found."))
    return collection.lot.cooperative, collection


def _household_choices(cooperative: Cooperative, delivery: Collection) -> list[Any]:
    households = valuechain.member_households(cooperative)
    if delivery.household not in households:  # a household that has left since
        households = [delivery.household, *households]
    return household_choices(households)


def _apply(form: Any, change: Callable[[], object], done: str) -> int | None:
    """Make the change when the form is valid and commit it (None), else the status of the
    refusal: 409 when the records refuse it (nothing written), 422 for the form."""
    if not form.validate_on_submit():
        return 422
    if commit_or_refuse(form, change, done) is not None:
        return None
    db.session.expire_all()  # rolled back: the page shows the records as they are
    return 409 if form.refusal.status == 409 else 422


def _page(
    cooperative: Cooperative,
    collection: Collection,
    correction: CorrectionForm | None = None,
    void: VoidForm | None = None,
) -> str:
    if correction is None:
        correction = CorrectionForm(formdata=None, prefix="correct")
        correction.fill(collection)
    correction.household_id.choices = _household_choices(cooperative, collection)
    void = void or VoidForm(formdata=None, prefix="void")
    return _record_page(cooperative, "collection", collection, correction=correction, void=void)


def _record_page(cooperative: Cooperative, kind: str, record: Any, **forms: Any) -> str:
    """A delivery's or a payment's page: the record, its history, its forms."""
    return render_template(
        f"manage/corrections/{kind}.html",
        cooperative=cooperative,
        history=history(kind, record.id),
        **{kind: record},
        **forms,
    )


def _posted(
    cooperative: Cooperative,
    delivery: Collection,
    change: Callable[[], object],
    done: str,
    **form: CorrectionForm | VoidForm,
) -> Response | tuple[str, int]:
    """A correction or void of a delivery posted: made, then back to its page; or the page
    with the refused form (`correction=` or `void=`) and its status."""
    status = _apply(next(iter(form.values())), change, done)
    if status is None:
        return see_other(".collection", cooperative_id=cooperative.id, collection_id=delivery.id)
    return _page(cooperative, delivery, **form), status


@bp.route(COLLECTION)
@allow(Role.MANAGER, Role.ADMIN)
def collection(cooperative_id: int, collection_id: int) -> str:
    cooperative, delivery = _collection(cooperative_id, collection_id)
    return _page(cooperative, delivery)


@bp.route(COLLECTION + "/correction", methods=["POST"])
@allow(Role.MANAGER, Role.ADMIN)
def collection_correct(cooperative_id: int, collection_id: int) -> Response | tuple[str, int]:
    cooperative, delivery = _collection(cooperative_id, collection_id)
    form = CorrectionForm(prefix="correct")
    form.household_id.choices = _household_choices(cooperative, delivery)
    return _posted(
        cooperative,
        delivery,
        correction=form,
        change=lambda: corrections.correct_collection(
            current_user, delivery, form.reason.data, **form.changes(delivery)
        ),
        done=_("The delivery is corrected; the old values are kept below."),
    )


@bp.route(COLLECTION + "/void", methods=["POST"])
@allow(Role.MANAGER, Role.ADMIN)
def collection_void(cooperative_id: int, collection_id: int) -> Response | tuple[str, int]:
    cooperative, delivery = _collection(cooperative_id, collection_id)
    form = VoidForm(prefix="void")
    return _posted(
        cooperative,
        delivery,
        void=form,
        change=lambda: corrections.void_collection(current_user, delivery, form.reason.data),
        done=_("The delivery is void: it counts in no total any more."),
    )


def _payment(cooperative_id: int, payment_id: int) -> tuple[Cooperative, Payment]:
    """The cooperative and one of its payments, which the caller manages; 404 otherwise."""
    cooperative = get_cooperative_for(current_user, cooperative_id)
    payment = corrections.get_payment_for(current_user, payment_id)
    if payment.cooperative_id != cooperative.id:
        raise NotFound(_("Payment not found."))
    return cooperative, payment


@bp.route(PAYMENT + "/void", methods=["GET", "POST"])
@allow(Role.MANAGER, Role.ADMIN)
def payment_void(cooperative_id: int, payment_id: int) -> str | Response | tuple[str, int]:
    cooperative, payment = _payment(cooperative_id, payment_id)
    if payment.collection_id is not None:  # a farmgate payment follows its delivery
        return see_other(
            ".collection", cooperative_id=cooperative.id, collection_id=payment.collection_id
        )
    form = VoidForm()
    status = 200
    if request.method == "POST":
        status = _apply(
            form,
            lambda: corrections.void_payment(current_user, payment, form.reason.data),
            _("The payment is void: it counts in no total any more."),
        )
        if status is None:
            return see_other(".payment_void", cooperative_id=cooperative.id, payment_id=payment.id)
    return _record_page(cooperative, "payment", payment, form=form), status


FIELD_LABELS = {
    "quantity": _l("Quantity"),
    "unit_price_vnd": _l("Price per unit"),
    "amount_vnd": _l("Amount paid"),
    "household_id": _l("Household"),
    "collected_at": _l("Date of delivery"),
    "paid_at": _l("Date paid"),
    "kind": _l("Kind"),
    "status": _l("Status"),
    "voided_at": _l("Voided on"),
}
STATUS_LABELS = {
    "recorded": _l("recorded"),
    "corrected": _l("corrected"),
    "void": _l("void"),
}


def _shown(name: str, value: Any) -> str:
    """One kept value as a manager reads it."""
    if value is None:
        return "–"
    if name == "quantity":
        return format_quantity(Decimal(str(value)))
    if name in ("unit_price_vnd", "amount_vnd"):
        return format_vnd(int(value))
    if name == "household_id":
        household = db.session.get(Household, int(value))
        return f"{household.code} — {household.head_name}" if household else str(value)
    if name in ("collected_at", "paid_at", "voided_at"):
        return format_day(datetime.fromisoformat(value))
    if name == "status":
        return str(STATUS_LABELS.get(value, value))
    return str(value)


@bp.app_template_global()
def change_rows(change: RecordChange) -> list[tuple[str, str, str]]:
    """(what, before, after) for each value a correction or void changed."""
    names = [n for n in FIELD_LABELS if n in change.old_values or n in change.new_values]
    return [
        (
            str(FIELD_LABELS[n]),
            _shown(n, change.old_values.get(n)),
            _shown(n, change.new_values.get(n)),
        )
        for n in names
        if change.old_values.get(n) != change.new_values.get(n)
    ]


@bp.app_template_global()
def record_status_label(status: str) -> str:
    return str(STATUS_LABELS.get(str(status), status))
