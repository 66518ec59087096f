"""Schemas of payments to households and their totals."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from linkage.services.valuechain.checks import MAX_AMOUNT_VND
from linkage.services.valuechain.payments import PaymentTotals
from models import PaymentKind

from .base import Schema
from .common import PaginationArgs, identifier, money, page_of
from .valuechain import Moment

MONTH = validate.Regexp(r"^20\d{2}-(0[1-9]|1[0-2])$", error="Enter a month as YYYY-MM.")


def month(**kwargs: Any) -> fields.String:
    metadata = {"example": "2026-03", **kwargs.pop("metadata", {})}
    return fields.String(validate=MONTH, metadata=metadata, **kwargs)


class PaymentCreateSchema(Schema):
    household_id = identifier(required=True)
    amount_vnd = money(minimum=1, maximum=MAX_AMOUNT_VND, required=True)
    kind = fields.String(
        required=True,
        validate=validate.OneOf([PaymentKind.SURPLUS.value, PaymentKind.OTHER.value]),
        metadata={"description": "surplus or other; farmgate payments come from collections"},
    )
    paid_at = Moment(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=1000))


class PaymentSchema(Schema):
    id = fields.Integer(required=True)
    cooperative_id = fields.Integer(required=True)
    household_id = fields.Integer(required=True)
    household_code = fields.String(attribute="household.code")
    kind = fields.Enum(PaymentKind, by_value=True, required=True)
    amount_vnd = fields.Integer(required=True)
    paid_at = fields.DateTime(required=True)
    collection_id = fields.Integer(allow_none=True)
    note = fields.String()


class PaymentArgs(PaginationArgs):
    period_start = month(metadata={"description": "YYYY-MM (alone: that month only)"})
    period_end = month(
        metadata={
            "description": "YYYY-MM (alone: that month only). The period runs from the earlier "
            "bound to the later, whichever is given first; the totals' period_start and "
            "period_end say which months were read"
        }
    )
    kind = fields.Enum(PaymentKind, by_value=True)
    household_id = identifier(strict=False)


# farmgate_vnd, surplus_vnd, other_vnd (one sum per kind of payment) and total_vnd
KIND_TOTALS = (*(f"{kind.value}_vnd" for kind in PaymentKind), "total_vnd")
KindTotalsSchema = Schema.from_dict(
    {name: fields.Integer(required=True) for name in KIND_TOTALS}, name="KindTotalsSchema"
)


class MonthTotalsSchema(KindTotalsSchema):
    month = fields.String(required=True, metadata={"example": "2026-03"})


class PaymentTotalsSchema(Schema):
    period_start = fields.String(required=True)
    period_end = fields.String(required=True)
    by_kind = fields.Nested(KindTotalsSchema, required=True)
    months = fields.List(fields.Nested(MonthTotalsSchema), required=True)


class PaymentListSchema(page_of(PaymentSchema)):  # type: ignore[misc]
    """A page of payments with the period's totals by kind and month."""

    totals = fields.Nested(PaymentTotalsSchema, required=True)


def kind_totals(by_kind: dict[PaymentKind, int]) -> dict[str, int]:
    """{farmgate_vnd, surplus_vnd, other_vnd, total_vnd} from sums by kind."""
    values = {f"{kind.value}_vnd": by_kind.get(kind, 0) for kind in PaymentKind}
    return {**values, "total_vnd": sum(values.values())}


def totals_of(totals: PaymentTotals) -> dict[str, object]:
    """A services.valuechain.payments.PaymentTotals as PaymentTotalsSchema's mapping."""
    return {
        "period_start": str(totals.period.start),
        "period_end": str(totals.period.end),
        "by_kind": kind_totals(totals.by_kind),
        "months": [{"month": str(m.month), **kind_totals(m.by_kind)} for m in totals.months],
    }
