"""The catalog's search form: a GET form, so a search is a link that can be shared."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import SearchField

from blueprints.forms import ChoiceField, FlaskForm, MoneyField, at_most
from linkage.labels import CATEGORY_LABELS, CERTIFICATION_LABELS, REGION_LABELS, product_name
from linkage.services.listings.catalog import CatalogFilters, Sort
from models import CertificationKind, Commune, Cooperative, Product, ProductCategory, Region

from .labels import SORT_LABELS, choices


class CatalogForm(FlaskForm):
    class Meta:
        csrf = False  # a search reads and changes nothing

    q = SearchField(_l("Search"), validators=[at_most(200)])
    product = ChoiceField(_l("Product"), default="")
    category = ChoiceField(_l("Category"), default="")
    commune = ChoiceField(_l("Commune"), default="")
    region = ChoiceField(_l("Region"), default="")
    certification = ChoiceField(_l("Certification (valid today)"), default="")
    cooperative = ChoiceField(_l("Cooperative"), default="")
    min_price = MoneyField(_l("Lowest price (₫ per unit)"))
    max_price = MoneyField(_l("Highest price (₫ per unit)"))
    sort = ChoiceField(_l("Sort by"), default=Sort.NEWEST.value)

    cooperatives_complete = True  # False: too many to list, a commune must be chosen first

    def __init__(
        self,
        formdata: Any,
        *,
        products: list[Product],
        communes: list[Commune],
        cooperatives: list[Cooperative],
    ) -> None:
        super().__init__(formdata=formdata)
        self.product.choices = [("", str(_l("All products")))] + [
            (p.code, product_name(p)) for p in products
        ]
        self.category.choices = choices(CATEGORY_LABELS, str(_l("All categories")))
        self.commune.choices = [("", str(_l("All communes")))] + [
            (c.code, c.name) for c in communes
        ]
        self.region.choices = choices(REGION_LABELS, str(_l("All regions")))
        self.certification.choices = choices(CERTIFICATION_LABELS, str(_l("Any or none")))
        self.cooperative.choices = [("", str(_l("All cooperatives")))] + [
            (str(c.id), c.name) for c in cooperatives
        ]
        self.sort.choices = [(str(k.value), str(v)) for k, v in SORT_LABELS.items()]

    def filters(self) -> CatalogFilters:
        """The filters of the fields that are valid; a wrong field is left out (and shown)."""

        def value(name: str) -> Any:
            field = self[name]
            return None if field.errors or field.data in ("", None) else field.data

        cooperative = value("cooperative")
        return CatalogFilters(
            q=value("q"),
            product=value("product"),
            category=ProductCategory(value("category")) if value("category") else None,
            commune=value("commune"),
            region=Region(value("region")) if value("region") else None,
            certification=(
                CertificationKind(value("certification")) if value("certification") else None
            ),
            cooperative=int(cooperative) if cooperative else None,
            min_price=value("min_price"),
            max_price=value("max_price"),
            sort=Sort(value("sort") or Sort.NEWEST),
        )

    @property
    def has_filters(self) -> bool:
        """True when any filter other than the sort order is set."""
        return any(field.data not in ("", None) for field in self if field is not self.sort)
