"""Value chain services: lots, collections (with farmgate payments), transformations, history."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from linkage.extensions import db
from linkage.services import valuechain
from linkage.services.errors import DomainError
from linkage.services.periods import VIETNAM
from models import (
    AuditEntry,
    Collection,
    Listing,
    ListingStatus,
    Lot,
    LotAllocation,
    LotOrigin,
    Membership,
    Order,
    OrderLine,
    Payment,
    PaymentKind,
    Process,
    Transformation,
    TransformationInput,
    amount_vnd,
)

from ..factories_valuechain import WHEN, lot_of, member_of, product


@pytest.fixture
def manager(make_user):
    user = make_user("manager")
    user.cooperatives[0].name = "HTX Dược liệu Đạo Trù"
    db.session.commit()
    return user


@pytest.fixture
def coop(manager):
    return manager.cooperatives[0]


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def audits(entity_type: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == entity_type)))


def this_year() -> int:
    return datetime.now(UTC).astimezone(VIETNAM).year


# --- lots ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "prefix"),
    [
        ("HTX Dược liệu Đạo Trù", "DT"),
        ("HTX Chè Bát Tiên Long Cốc", "LC"),
        ("Hợp tác xã Cam Cao Phong", "CP"),
        ("HTX", "LOT"),
    ],
)
def test_lot_code_prefix_is_the_place(name, prefix):
    assert valuechain.lot_code_prefix(name) == prefix


def test_create_lot_numbers_lots_by_prefix_and_year(manager, coop):
    first = valuechain.create_lot(manager, coop, "PT-BA-KICH-TUOI", " Vụ đông ")
    second = valuechain.create_lot(manager, coop, "PT-BA-KICH-TUOI")

    year = this_year()
    assert (first.code, second.code) == (f"DT-{year}-0001", f"DT-{year}-0002")
    assert first.origin == LotOrigin.COLLECTION
    assert first.quantity_in == first.quantity_remaining == Decimal("0")
    assert first.note == "Vụ đông"
    assert [a.entity_id for a in audits("lot")] == [str(first.id), str(second.id)]
    assert audits("lot")[0].new_values["code"] == first.code


def test_create_lot_continues_after_the_highest_number(manager, coop):
    lot_of(coop, code="PT-BA-KICH-TUOI").code = f"DT-{this_year()}-0041"
    db.session.flush()
    assert valuechain.create_lot(manager, coop, "PT-BA-KICH-TUOI").code.endswith("-0042")


def test_create_lot_retries_when_a_concurrent_writer_took_the_number(manager, coop, monkeypatch):
    taken = lot_of(coop)
    calls = []

    def next_code(prefix: str, year: int) -> str:
        calls.append(prefix)
        return taken.code if len(calls) == 1 else f"{prefix}-{year}-0777"

    monkeypatch.setattr(valuechain.lots, "_next_lot_code", next_code)
    lot = valuechain.create_lot(manager, coop, "PT-BA-KICH-TUOI")
    db.session.commit()

    assert lot.code.endswith("-0777")
    assert len(calls) == 2
    assert count(Lot) == 2


def test_create_lot_refuses_an_unknown_product_and_other_cooperatives(manager, coop, make_user):
    with pytest.raises(DomainError) as error:
        valuechain.create_lot(manager, coop, "NO-SUCH-PRODUCT")
    assert (error.value.status, error.value.field) == (422, "product_code")
    other = make_user("manager").cooperatives[0]
    with pytest.raises(DomainError) as error:
        valuechain.create_lot(manager, other, "PT-BA-KICH-TUOI")
    assert error.value.status == 404
    assert count(Lot) == 0


def test_lots_query_filters_by_product_and_stock(manager, coop, make_user):
    fresh = lot_of(coop, "12.5")
    empty = lot_of(coop, "0")
    dried = lot_of(coop, "3", code="PT-BA-KICH-KHO")
    lot_of(make_user("manager").cooperatives[0], "9")

    def ids(**kwargs):
        statement = valuechain.lots_query(manager, coop, **kwargs)
        return {lot.id for lot in db.session.scalars(statement)}

    assert ids() == {fresh.id, empty.id, dried.id}
    assert ids(product="PT-BA-KICH-KHO") == {dried.id}
    assert ids(with_stock=True) == {fresh.id, dried.id}
    assert ids(with_stock=False) == {empty.id}


def test_get_lot_for_answers_404_outside_the_managed_cooperatives(manager, coop, make_user):
    lot = lot_of(coop)
    assert valuechain.get_lot_for(manager, lot.id) is lot
    assert valuechain.get_lot_for(make_user("admin"), lot.id) is lot
    for actor, cooperative_id in (
        (make_user("manager"), None),
        (make_user("buyer"), None),
        (make_user("official"), None),
        (manager, coop.id + 1000),
    ):
        with pytest.raises(DomainError) as error:
            valuechain.get_lot_for(actor, lot.id, cooperative_id)
        assert error.value.status == 404
    with pytest.raises(DomainError):
        valuechain.get_lot_for(manager, 2**40)


# --- collections --------------------------------------------------------------------------------


def test_record_collection_fills_the_lot_and_pays_the_household(manager, coop):
    lot = lot_of(coop, "2")
    household = member_of(coop)

    collection = valuechain.record_collection(
        manager,
        lot,
        household.id,
        Decimal("12.5"),
        120_000,
        WHEN,
        grade="Loại 1",
        moisture_pct=Decimal("61.5"),
    )
    db.session.commit()

    assert collection.amount_vnd == 1_500_000
    assert (collection.grade, collection.moisture_pct) == ("Loại 1", Decimal("61.50"))
    db.session.refresh(lot)
    assert (lot.quantity_in, lot.quantity_remaining) == (Decimal("14.500"), Decimal("14.500"))
    payment = db.session.scalars(select(Payment)).one()
    assert payment.kind == PaymentKind.FARMGATE
    assert payment.collection_id == collection.id
    assert payment.amount_vnd == 1_500_000
    assert payment.paid_at == WHEN
    assert (payment.cooperative_id, payment.household_id) == (coop.id, household.id)
    assert payment.recorded_by_id == manager.id
    assert audits("collection")[0].new_values["amount_vnd"] == 1_500_000
    assert audits("collection")[0].actor_id == manager.id
    assert audits("payment")[0].entity_id == str(payment.id)


@pytest.mark.parametrize(
    ("quantity", "price", "amount"),
    [
        ("1.235", 10_001, 12_351),  # 12,351.235
        ("2.5", 1, 3),  # a half goes up, not to the even 2
        ("0.001", 500, 1),  # 0.5 -> 1
        ("0.001", 499, 0),  # 0.499 -> 0
        ("3.333", 3_000, 9_999),
        ("1.5", 0, 0),
    ],
)
def test_amount_is_rounded_half_up_to_whole_vnd(manager, coop, quantity, price, amount):
    assert amount_vnd(Decimal(quantity), price) == amount
    collection = valuechain.record_collection(
        manager, lot_of(coop), member_of(coop).id, Decimal(quantity), price, WHEN
    )
    assert collection.amount_vnd == amount
    assert db.session.scalars(select(Payment.amount_vnd)).one() == amount


# (change, status, field): a moment in the future is refused by the present, not by the
# request's shape (409); the rest are bad values (422)
BAD_COLLECTIONS = [
    ({"quantity": Decimal("0")}, 422, "quantity"),
    ({"quantity": Decimal("-1")}, 422, "quantity"),
    ({"quantity": Decimal("1.0005")}, 422, "quantity"),
    ({"quantity": Decimal("2000000000")}, 422, "quantity"),
    ({"unit_price_vnd": -1}, 422, "unit_price_vnd"),
    ({"collected_at": datetime(2026, 3, 10, 9, 0)}, 422, "collected_at"),  # noqa: DTZ001 (naive)
    ({"collected_at": datetime.now(UTC) + timedelta(days=2)}, 409, "collected_at"),
    ({"collected_at": datetime(1999, 1, 1, tzinfo=UTC)}, 422, "collected_at"),
    ({"moisture_pct": Decimal("101")}, 422, "moisture_pct"),
    ({"moisture_pct": Decimal("12.345")}, 422, "moisture_pct"),
    ({"grade": "x" * 41}, 422, "grade"),
]


@pytest.mark.parametrize(("change", "status", "field"), BAD_COLLECTIONS)
def test_bad_collections_are_refused_and_write_nothing(manager, coop, change, status, field):
    lot = lot_of(coop, "4")
    household = member_of(coop)
    db.session.commit()
    values = {
        "household_id": household.id,
        "quantity": Decimal("1"),
        "unit_price_vnd": 1000,
        "collected_at": WHEN,
        **change,
    }

    with pytest.raises(DomainError) as error:
        valuechain.record_collection(manager, lot, **values)
    db.session.rollback()

    assert (error.value.status, error.value.field) == (status, field)
    assert (count(Collection), count(Payment), count(AuditEntry)) == (0, 0, 0)
    assert db.session.get(Lot, lot.id).quantity_in == Decimal("4")


def test_collection_needs_a_current_member_household(manager, coop, make_user):
    lot = lot_of(coop)
    outsider = member_of(make_user("manager").cooperatives[0])
    former = member_of(coop)
    db.session.scalars(
        select(Membership).where(Membership.household_id == former.id)
    ).one().left_on = date(2025, 1, 1)
    for household_id in (outsider.id, former.id, 999_999, 2**40):
        with pytest.raises(DomainError) as error:
            valuechain.record_collection(manager, lot, household_id, Decimal("1"), 1, WHEN)
        assert error.value.status == 404
        assert "Household" in error.value.message or error.value.field == "household_id"
    assert count(Collection) == 0


def test_collection_refused_for_a_lot_of_another_cooperative(manager, coop, make_user):
    other_manager = make_user("manager")
    lot = lot_of(other_manager.cooperatives[0])
    household = member_of(other_manager.cooperatives[0])
    with pytest.raises(DomainError) as error:
        valuechain.record_collection(manager, lot, household.id, Decimal("1"), 1, WHEN)
    assert error.value.status == 404


def test_collection_refused_into_a_processing_output_lot(manager, coop):
    lot = lot_of(coop, "5", origin=LotOrigin.TRANSFORMATION)
    with pytest.raises(DomainError) as error:
        valuechain.record_collection(manager, lot, member_of(coop).id, Decimal("1"), 1, WHEN)
    assert error.value.status == 409
    assert lot.code in error.value.message


# --- transformations ----------------------------------------------------------------------------


@pytest.mark.parametrize("add_repeats", [False, True])
def test_a_lot_given_twice_is_refused_or_taken_for_the_sum(manager, coop, add_repeats):
    lot = lot_of(coop, "100")
    db.session.commit()
    record = lambda: valuechain.record_transformation(  # noqa: E731
        manager,
        coop,
        Process.DRYING,
        WHEN,
        [(lot.id, Decimal("30")), (lot.id, "1000000000")],
        "PT-BA-KICH-KHO",
        Decimal("10"),
        add_repeats=add_repeats,
    )
    with pytest.raises(DomainError) as error:
        record()
    # the pages refuse the repeat (422); the API takes the sum, more than the lot holds (409)
    assert error.value.status == (409 if add_repeats else 422)
    db.session.rollback()
    assert db.session.get(Lot, lot.id).quantity_remaining == Decimal("100")


def test_record_transformation_takes_inputs_and_fills_a_new_lot(manager, coop):
    first = lot_of(coop, "100")
    second = lot_of(coop, "40.5")

    transformation = valuechain.record_transformation(
        manager,
        coop,
        "drying",
        WHEN,
        [(first.id, Decimal("100")), (second.id, "20.25")],
        "PT-BA-KICH-KHO",
        Decimal("36.9"),
        "Sấy 55 °C",
    )
    db.session.commit()

    assert transformation.process == Process.DRYING
    output = transformation.output_lot
    assert output.origin == LotOrigin.TRANSFORMATION
    assert output.product.code == "PT-BA-KICH-KHO"
    assert (output.quantity_in, output.quantity_remaining) == (Decimal("36.900"),) * 2
    assert output.code == f"DT-{WHEN.astimezone(VIETNAM).year}-0001"
    assert output.cooperative_id == coop.id
    db.session.refresh(first)
    db.session.refresh(second)
    assert (first.quantity_remaining, second.quantity_remaining) == (Decimal("0"), Decimal("20.25"))
    assert first.quantity_in == Decimal("100")
    taken = {i.lot_id: i.quantity for i in transformation.inputs}
    assert taken == {first.id: Decimal("100"), second.id: Decimal("20.25")}
    entry = audits("transformation")[0]
    assert entry.new_values["inputs"] == {first.code: "100.000", second.code: "20.250"}
    assert entry.new_values["output_lot"] == output.code


def test_taking_more_than_a_lot_holds_is_refused_with_what_it_holds(manager, coop):
    lot = lot_of(coop, "3.5")
    db.session.commit()

    with pytest.raises(DomainError) as error:
        valuechain.record_transformation(
            manager,
            coop,
            Process.SORTING,
            WHEN,
            [(lot.id, Decimal("3.501"))],
            "PT-BA-KICH-TUOI",
            Decimal("3"),
        )

    assert error.value.status == 409
    # written in the default language outside a request: Vietnamese, 3,5 kg
    assert lot.code in error.value.message and "3,5 kg" in error.value.message
    # the service's savepoint already undid everything, before any rollback by the caller
    assert (count(Transformation), count(TransformationInput)) == (0, 0)
    assert count(Lot) == 1
    assert db.session.scalar(select(Lot.quantity_remaining).where(Lot.id == lot.id)) == Decimal(
        "3.5"
    )


def test_a_refused_second_input_leaves_the_first_untouched(manager, coop):
    enough = lot_of(coop, "10")
    short = lot_of(coop, "1")  # taken after `enough`: inputs are taken in id order
    db.session.commit()
    assert enough.id < short.id

    with pytest.raises(DomainError) as error:
        valuechain.record_transformation(
            manager,
            coop,
            Process.DRYING,
            WHEN,
            [(enough.id, Decimal("8")), (short.id, Decimal("2"))],
            "PT-BA-KICH-KHO",
            Decimal("3"),
        )
    db.session.rollback()  # as the error handler does

    assert short.code in error.value.message
    remaining = dict(db.session.execute(select(Lot.id, Lot.quantity_remaining)).all())
    assert remaining == {enough.id: Decimal("10"), short.id: Decimal("1")}
    assert (count(Transformation), count(TransformationInput), count(Lot)) == (0, 0, 2)
    assert count(AuditEntry) == 0


@pytest.mark.parametrize(
    ("inputs", "output", "process", "status", "field"),
    [
        ("none", ("PT-BA-KICH-KHO", "1"), "drying", 422, "inputs"),
        ("duplicate", ("PT-BA-KICH-KHO", "1"), "drying", 422, "inputs"),
        ("zero", ("PT-BA-KICH-KHO", "1"), "drying", 422, "inputs"),
        ("ok", ("NO-SUCH", "1"), "drying", 422, "output"),
        ("ok", ("PT-BA-KICH-KHO", "0"), "drying", 422, "output"),
        ("ok", ("PT-BA-KICH-KHO", "1"), "smoking", 422, "process"),
        ("foreign", ("PT-BA-KICH-KHO", "1"), "drying", 404, "inputs"),
        ("missing", ("PT-BA-KICH-KHO", "1"), "drying", 404, "inputs"),
    ],
)
def test_bad_transformations_are_refused_and_write_nothing(
    manager, coop, make_user, inputs, output, process, status, field
):
    lot = lot_of(coop, "5")
    foreign = lot_of(make_user("manager").cooperatives[0], "5")
    db.session.commit()
    inputs = {
        "none": [],
        "duplicate": [(lot.id, "1"), (lot.id, "1")],
        "zero": [(lot.id, "0")],
        "ok": [(lot.id, "1")],
        "foreign": [(lot.id, "1"), (foreign.id, "1")],
        "missing": [(lot.id, "1"), (987_654, "1")],
    }[inputs]

    with pytest.raises(DomainError) as error:
        valuechain.record_transformation(manager, coop, process, WHEN, inputs, *output)
    db.session.rollback()

    assert (error.value.status, error.value.field) == (status, field)
    assert (count(Transformation), count(Lot)) == (0, 2)
    assert db.session.get(Lot, lot.id).quantity_remaining == Decimal("5")


def test_transformation_in_another_cooperative_is_404(manager, make_user):
    other = make_user("manager").cooperatives[0]
    lot = lot_of(other, "5")
    with pytest.raises(DomainError) as error:
        valuechain.record_transformation(
            manager, other, "drying", WHEN, [(lot.id, "1")], "PT-BA-KICH-KHO", "1"
        )
    assert error.value.status == 404


# --- history ------------------------------------------------------------------------------------


def _ship(lot: Lot, quantity: str, buyer) -> LotAllocation:
    listing = Listing(
        cooperative_id=lot.cooperative_id,
        product=lot.product,
        title="Ba kích khô",
        unit_price_vnd=500_000,
        quantity_available=Decimal("10"),
        status=ListingStatus.ACTIVE,
    )
    order = Order(buyer_id=buyer.id, cooperative_id=lot.cooperative_id, total_vnd=500_000)
    line = OrderLine(
        order=order,
        listing=listing,
        quantity=Decimal(quantity),
        unit_price_vnd=500_000,
        amount_vnd=500_000,
    )
    allocation = LotAllocation(order_line=line, lot_id=lot.id, quantity=Decimal(quantity))
    db.session.add_all([listing, order, line, allocation])
    lot.quantity_remaining -= Decimal(quantity)
    db.session.flush()
    return allocation


def test_lot_history_upstream_and_downstream_in_bounded_queries(manager, coop, make_user):
    fresh = lot_of(coop)
    households = [member_of(coop) for _ in range(6)]
    for index, household in enumerate(households):
        valuechain.record_collection(
            manager, fresh, household.id, Decimal("10"), 100_000 + index, WHEN
        )
    drying = valuechain.record_transformation(
        manager, coop, "drying", WHEN, [(fresh.id, "60")], "PT-BA-KICH-KHO", "19.5"
    )
    dried = drying.output_lot
    packing = valuechain.record_transformation(
        manager, coop, "packing", WHEN, [(dried.id, "10")], "PT-BA-KICH-KHO", "9.8"
    )
    allocation = _ship(dried, "4", make_user("buyer"))
    db.session.commit()
    db.session.expire_all()
    dried = db.session.get(Lot, dried.id)

    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        history = valuechain.lot_history(manager, dried)
        names = [c.household.head_name for c in valuechain.lot_history(manager, fresh).collections]
        produced = [(i.lot.code, i.lot.product.code) for i in history.produced_by.inputs]
        consumed = [
            (i.transformation.process, i.transformation.output_lot.code)
            for i in history.consumed_by
        ]
        shipped = [(a.quantity, a.order_line.order.id) for a in history.allocations]
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)

    assert len(statements) <= 12, statements
    assert names == [h.head_name for h in households]
    assert produced == [(fresh.code, "PT-BA-KICH-TUOI")]
    assert consumed == [(Process.PACKING, packing.output_lot.code)]
    assert shipped == [(Decimal("4"), allocation.order_line.order_id)]
    assert history.collections == []
    assert (history.consumed, history.shipped) == (Decimal("10"), Decimal("4"))
    assert dried.quantity_in - history.consumed - history.shipped == dried.quantity_remaining
    with pytest.raises(DomainError):
        valuechain.lot_history(make_user("manager"), dried)


def test_member_households_search_ignores_accents(coop):
    member_of(coop, head_name="Triệu Văn Sinh", code="HH-DT-0001")
    member_of(coop, head_name="Lâm Thị Hạnh", code="HH-DT-0002")
    assert [h.code for h in valuechain.member_households(coop)] == ["HH-DT-0001", "HH-DT-0002"]
    assert [h.code for h in valuechain.member_households(coop, "trieu")] == ["HH-DT-0001"]
    assert [h.code for h in valuechain.member_households(coop, "DT-0002")] == ["HH-DT-0002"]


# --- demo ---------------------------------------------------------------------------------------


def test_demo_value_chain_is_full_and_balanced(app, monkeypatch):
    from werkzeug.security import generate_password_hash

    from linkage.seed.demo import seed_demo
    from linkage.services import accounts

    monkeypatch.setattr(
        accounts,
        "generate_password_hash",
        lambda p: generate_password_hash(p, method="pbkdf2:sha256:1000"),
    )
    seed_demo()
    db.session.expire_all()  # shipments changed lot quantities by Core UPDATEs

    assert count(Collection) >= 3000
    assert count(Transformation) >= 20
    assert db.session.scalar(select(func.min(Lot.quantity_remaining))) >= 0
    consumed = dict(
        db.session.execute(
            select(TransformationInput.lot_id, func.sum(TransformationInput.quantity)).group_by(
                TransformationInput.lot_id
            )
        ).all()
    )
    shipped = dict(
        db.session.execute(
            select(LotAllocation.lot_id, func.sum(LotAllocation.quantity)).group_by(
                LotAllocation.lot_id
            )
        ).all()
    )
    collected = dict(
        db.session.execute(
            select(Collection.lot_id, func.sum(Collection.quantity)).group_by(Collection.lot_id)
        ).all()
    )
    for lot in db.session.scalars(select(Lot)):
        taken = consumed.get(lot.id, 0) + shipped.get(lot.id, 0)
        assert lot.quantity_in - taken == lot.quantity_remaining, lot.code
        if lot.origin == LotOrigin.COLLECTION:
            assert collected.get(lot.id, 0) == lot.quantity_in, lot.code
    # every collection was paid at the farmgate, in full, and only members delivered
    unpaid = db.session.scalar(
        select(func.count())
        .select_from(Collection)
        .outerjoin(Payment, Payment.collection_id == Collection.id)
        .where((Payment.id.is_(None)) | (Payment.amount_vnd != Collection.amount_vnd))
    )
    assert unpaid == 0
    strangers = db.session.scalar(
        select(func.count())
        .select_from(Collection)
        .join(Lot, Lot.id == Collection.lot_id)
        .outerjoin(
            Membership,
            (Membership.household_id == Collection.household_id)
            & (Membership.cooperative_id == Lot.cooperative_id),
        )
        .where(Membership.id.is_(None))
    )
    assert strangers == 0
    kinds = set(db.session.scalars(select(Payment.kind).distinct()))
    assert kinds >= {PaymentKind.FARMGATE, PaymentKind.SURPLUS}
    assert product("PT-BA-KICH-KHO").id in set(db.session.scalars(select(Lot.product_id)))
