"""The public shop directory: a district's shops ranked by their shrunk rating.

Why: owners choose a shop before a repair (digest §1.1). Ranking by the shrunk average
(domain/evaluation.py) keeps a shop with two glowing reviews from topping shops with two
hundred good ones. Only public facts are shown: name, class, rating, review count.
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.divisions import current_divisions
from chalicelib.domain.shop import SHOP_CLASSES
from chalicelib.errors import FieldError, ValidationFailedError
from chalicelib.services.evaluations import EvaluationService
from chalicelib.services.ports import ShopDirectory


class ShopDirectoryService:
    def __init__(
        self, directory: ShopDirectory, evaluations: EvaluationService, province_code: str
    ) -> None:
        self._directory = directory
        self._evaluations = evaluations
        self._province = province_code

    def divisions(self) -> tuple[tuple[str, str], ...]:
        return current_divisions(self._province)

    def ranked(self, division_code: str) -> list[dict[str, Any]]:
        """Active shops of a district, best shrunk rating first (ties: more reviews, name)."""
        if division_code not in {code for code, _ in self.divisions()}:
            raise ValidationFailedError(
                [FieldError("division", "province_division", "not a district of this province")]
            )
        shops = [
            s for s in self._directory.division_shops(division_code) if s["status"] == "active"
        ]
        ratings = self._evaluations.ratings([s["companycode"] for s in shops])
        rows = []
        for shop in shops:
            rating = ratings[shop["companycode"]]
            rows.append(
                {
                    "companycode": shop["companycode"],
                    "name": shop["name"],
                    "shop_class": shop["shop_class"],
                    "shop_class_label": SHOP_CLASSES.get(shop["shop_class"], shop["shop_class"]),
                    **rating.to_dict(),
                }
            )
        return sorted(rows, key=lambda r: (-float(r["rating"]), -r["count"], r["name"]))
