"""Reference data: communes, ethnic groups, products, poverty standards."""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, CheckConstraint, Date, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from linkage.extensions import db

from .enums import (
    Area,
    CommuneKind,
    FormerProvince,
    ProductCategory,
    Region,
    Unit,
    str_enum,
)

UNIT_CODES = {Unit.KG: "KGM", Unit.LITRE: "LTR", Unit.ITEM: "H87"}
FORMER_PROVINCE_NAMES = {
    FormerProvince.PHU_THO: "Phú Thọ",
    FormerProvince.VINH_PHUC: "Vĩnh Phúc",
    FormerProvince.HOA_BINH: "Hòa Bình",
}


def shown_names(name_vi: str, name_en: str, locale: str | None) -> list[tuple[str, str]]:
    """A product's names as a page in `locale` shows them, each with its language: the
    Vietnamese name, which growers and buyers know, then on English pages the English one."""
    names = [("vi", name_vi)]
    if locale == "en":
        names.append(("en", name_en))
    return names


class Commune(db.Model):
    """A commune (xã) or ward (phường) of the merged Phu Tho province."""

    __tablename__ = "communes"

    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[CommuneKind] = mapped_column(str_enum(CommuneKind, "commune_kind"))
    province: Mapped[str] = mapped_column(String(60), default="Phú Thọ")
    former_province: Mapped[FormerProvince] = mapped_column(
        str_enum(FormerProvince, "former_province"), index=True
    )
    region: Mapped[Region] = mapped_column(str_enum(Region, "region"), index=True)
    area: Mapped[Area] = mapped_column(str_enum(Area, "area"))
    disadvantaged: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(Text)

    @property
    def former_province_name(self) -> str:
        return FORMER_PROVINCE_NAMES[self.former_province]

    def __repr__(self) -> str:
        return f"<Commune {self.code} {self.name}>"


class EthnicGroup(db.Model):
    """One of Vietnam's 54 recognised ethnic groups."""

    __tablename__ = "ethnic_groups"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(40), unique=True)
    name_ascii: Mapped[str] = mapped_column(String(40), unique=True)

    @property
    def is_minority(self) -> bool:
        return self.code != "01"

    def __repr__(self) -> str:
        return f"<EthnicGroup {self.code} {self.name_vi}>"


class Product(db.Model):
    """A product that cooperatives grow, process or sell."""

    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_vi: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    scientific_name: Mapped[str | None] = mapped_column(String(160))
    category: Mapped[ProductCategory] = mapped_column(
        str_enum(ProductCategory, "product_category"), index=True
    )
    unit: Mapped[Unit] = mapped_column(str_enum(Unit, "unit"))
    form: Mapped[str | None] = mapped_column(String(80))
    search_text: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str | None] = mapped_column(Text)

    @property
    def unit_code(self) -> str:
        """UN/ECE Recommendation 20 unit code (EPCIS uom)."""
        return UNIT_CODES[self.unit]

    def display_name(self, locale: str | None) -> str:
        """The product's name on a page in `locale`: "Ba kích", "Ba kích · Morinda root"."""
        return " · ".join(name for _, name in shown_names(self.name_vi, self.name_en, locale))

    def __repr__(self) -> str:
        return f"<Product {self.code}>"


class PovertyStandard(db.Model):
    """A national multidimensional poverty standard with its income lines."""

    __tablename__ = "poverty_standards"
    __table_args__ = (
        CheckConstraint("valid_to >= valid_from", name="valid_range"),
        CheckConstraint("rural_line_vnd >= 0 AND urban_line_vnd >= 0", name="lines_nonneg"),
        CheckConstraint(
            "deprivation_threshold >= 0 AND deprivation_threshold <= 12", name="threshold_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    rural_line_vnd: Mapped[int] = mapped_column(BigInteger)
    urban_line_vnd: Mapped[int] = mapped_column(BigInteger)
    deprivation_threshold: Mapped[int]
    source: Mapped[str | None] = mapped_column(Text)

    def line_for(self, area: Area) -> int:
        return self.urban_line_vnd if area == Area.URBAN else self.rural_line_vnd

    def __repr__(self) -> str:
        return f"<PovertyStandard {self.code}>"
