"""Importing supports from CSV: Vietnamese or English columns and numbers, all or nothing,
every problem by row and field, households only from the official's jurisdiction."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from linkage.extensions import db
from linkage.services import supports
from linkage.services.errors import DomainError, NotFound
from linkage.services.households import ImportRejected
from models import AuditEntry, Support, SupportProgramme

from ..factories_supports import give, setting

VI_HEADER = (
    "Mã hộ,Chương trình hỗ trợ,Số tiền (đồng),Ngày nhận,Mã sản phẩm mục đích,"
    "Thời hạn vay (tháng),Ghi chú"
)
EN_HEADER = "household_code,programme,amount_vnd,received_on,purpose_product_code,term_months"


@pytest.fixture
def place(app):
    return setting()


def csv(header: str, *rows: str, bom: bool = False) -> bytes:
    return (("\ufeff" if bom else "") + "\r\n".join((header, *rows)) + "\r\n").encode("utf-8")


def counts() -> tuple[int, int]:
    return tuple(  # type: ignore[return-value]
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Support, AuditEntry)
    )


def rejected(actor, data: bytes, commune: str | None = None) -> list[tuple[int, str, str]]:
    before = counts()
    with pytest.raises(ImportRejected) as error:
        supports.import_supports(actor, data, commune)
    db.session.rollback()
    assert counts() == before, "nothing is written"
    return [(e.row, e.field, e.message) for e in error.value.errors]


def test_a_vietnamese_list_with_vietnamese_numbers_and_dates(place):
    data = csv(
        VI_HEADER,
        "DT-0001,Vay vốn chính sách,50.000.000,15/03/2025,PT-BA-KICH-TUOI,60,NHCSXH",
        "DT-0002,giong cay trong,2.500.000,2/4/2025,PT-BA-KICH-TUOI,,Cây giống",
        "DT-0001,Đào tạo nghề,1 500 000,2025-05-20,,,",
        ",,,,,,",  # an empty spreadsheet row
        bom=True,
    )
    assert supports.import_supports(place.official, data) == 3
    db.session.commit()
    rows = db.session.scalars(select(Support).order_by(Support.id)).all()
    assert [
        (s.household.code, s.programme, s.amount_vnd, s.received_on, s.term_months) for s in rows
    ] == [
        ("DT-0001", SupportProgramme.POLICY_LOAN, 50_000_000, date(2025, 3, 15), 60),
        ("DT-0002", SupportProgramme.CROP_VARIETY, 2_500_000, date(2025, 4, 2), None),
        ("DT-0001", SupportProgramme.VOCATIONAL_TRAINING, 1_500_000, date(2025, 5, 20), None),
    ]
    assert rows[0].purpose_product.code == "PT-BA-KICH-TUOI"
    assert rows[2].purpose_product_id is None and rows[2].note is None
    assert {s.recorded_by_id for s in rows} == {place.official.id}
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [e.entity_type for e in entries] == ["support"] * 3 + ["support_import"]
    assert entries[0].new_values["source"] == "csv"
    assert entries[0].entity_id == str(rows[0].id)


def test_english_titles_read_english_numbers(place):
    data = csv(
        "Household code,Programme,Amount (VND),Date received,Loan term (months)",
        'DT-0001,Policy loan,"50,000,000",15/03/2025,36',
        "DT-0001,livestock_breed,3000000,16/03/2025,",
    )
    assert supports.import_supports(place.admin, data) == 2
    amounts = db.session.scalars(select(Support.amount_vnd).order_by(Support.id)).all()
    assert amounts == [50_000_000, 3_000_000]


def test_every_problem_is_reported_by_row_and_field_and_nothing_is_written(place):
    data = csv(
        VI_HEADER,
        "DT-0001,Vay vốn chính sách,50.000.000,15/03/2025,PT-BA-KICH-TUOI,60,đúng",
        'DT-0001,Vay vốn chính sách,"50.000.000,5",15/03/2025,,,',  # decimals; no term
        "DT-0002,Giống cây trồng,1.5,31/02/2025,KHONG-CO,12,",
        "VT-0001,Giống cây trồng,100.000,01/01/2025,,,",  # outside the official's communes
        "XX-9999,Học bổng,100.000,01/01/2099,,,",
        ",Giống cây trồng,100.000,01/01/2025,,,",
    )
    problems = rejected(place.official, data)
    by_row: dict[int, list[str]] = {}
    for row, field, _message in problems:
        by_row.setdefault(row, []).append(field)
    assert by_row == {
        3: ["amount_vnd", "term_months"],
        4: ["amount_vnd", "received_on", "purpose_product_code", "term_months"],
        5: ["household_code"],
        6: ["household_code", "programme", "received_on"],
        7: ["household_code"],
    }
    messages = {(row, field): message for row, field, message in problems}
    assert "1.500" in messages[(4, "amount_vnd")]  # "1.5" asked back in Vietnamese
    assert "VT-0001" in messages[(5, "household_code")]


def test_a_file_imported_twice_is_refused_the_second_time(place):
    data = csv(VI_HEADER, "DT-0001,Giống cây trồng,2.500.000,02/04/2025,,,")
    assert supports.import_supports(place.official, data) == 1
    db.session.commit()
    assert [(row, field) for row, field, _m in rejected(place.official, data)] == [(2, "row")]


def test_the_same_support_twice_in_a_file(place):
    row = "DT-0001,Giống cây trồng,2.500.000,02/04/2025,,,"
    problems = rejected(place.official, csv(VI_HEADER, row, row))
    assert [(r, f) for r, f, _m in problems] == [(3, "row")]
    assert "2" in problems[0][2]


def test_a_void_support_does_not_block_its_import(place):
    support = give(place.official, place.household, received_on=date(2025, 3, 15))
    supports.void_support(place.official, support, "Nhập trùng, hủy")
    data = csv(VI_HEADER, "DT-0001,Vay vốn chính sách,50.000.000,15/03/2025,PT-BA-KICH-TUOI,60,")
    assert supports.import_supports(place.official, data) == 1


def test_a_file_for_one_commune(place):
    data = csv(VI_HEADER, "DT-0001,Giống cây trồng,2.500.000,02/04/2025,,,")
    assert supports.import_supports(place.official, data, "08914") == 1
    db.session.commit()
    town = csv(VI_HEADER, "VT-0001,Giống cây trồng,2.500.000,02/04/2025,,,")
    assert [f for _r, f, _m in rejected(place.admin, town, "08914")] == ["household_code"]
    with pytest.raises(NotFound):  # a commune outside the jurisdiction
        supports.import_supports(place.official, town, "07900")


@pytest.mark.parametrize("who", ["manager", "buyer"])
def test_only_officials_and_admins_import(place, who):
    data = csv(VI_HEADER, "DT-0001,Giống cây trồng,2.500.000,02/04/2025,,,")
    with pytest.raises(DomainError) as refused:
        supports.import_supports(getattr(place, who), data)
    assert refused.value.status == 403


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (b"", "file"),
        (b"\xff\xfe", "file"),
        ("Mã hộ;Chương trình hỗ trợ\r\n".encode(), "header"),
        ("Mã hộ,Chương trình hỗ trợ,Số tiền (đồng)\r\n".encode(), "header"),
        ("Mã hộ,Mã hộ,Chương trình,Số tiền (đồng),Ngày nhận,Màu\r\n".encode(), "header"),
    ],
)
def test_a_file_that_cannot_be_read(place, data, field):
    assert {f for _r, f, _m in rejected(place.official, data)} == {field}


def test_a_row_with_too_many_values(place):
    data = csv(VI_HEADER, "DT-0001,Giống cây trồng,2.500.000,02/04/2025,,,,thừa")
    assert [(r, f) for r, f, _m in rejected(place.official, data)] == [(2, "row")]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_template_imports_as_it_is(place, language):
    """The template's example rows import once their household codes are real ones."""
    text = supports.csv_template(language).replace("HTX-0001", "DT-0001")
    text = text.replace("HTX-0002", "DT-0002")
    assert text.splitlines()[0].startswith("Mã hộ" if language == "vi" else "Household code")
    assert supports.import_supports(place.official, text.encode("utf-8")) == 3
    loan = db.session.scalars(
        select(Support).where(Support.programme == SupportProgramme.POLICY_LOAN)
    ).one()
    assert (loan.amount_vnd, loan.term_months) == (50_000_000, 60)
