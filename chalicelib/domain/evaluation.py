"""Service evaluations (评价): five scores, tags, text, one per record, and the shop's rating.

Why: owners rate a repair once, and others choose shops by those ratings. The scores and tags
are those of the provincial platform (digest §2.3). A shop's rating is a shrunk (Bayesian)
average: `(C·m + Σ scores) / (C + n)` where `m` is the province's mean and `C` a number of
"prior" evaluations, so a shop with two reviews neither tops nor bottoms the list
(docs/assumptions.md). Pure: no storage here.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

SCORE_DIMENSIONS = ("appointment", "attitude", "quality", "speed", "price")
MIN_SCORE, MAX_SCORE = 1, 5
TEXT_MAX_LENGTH = 500
REPLY_MAX_LENGTH = 500

GOOD_TAGS: dict[str, str] = {
    "fair_price": "价格实惠",
    "warm_service": "服务热情",
    "quick_repair": "维修时间短",
    "wifi": "有WIFI",
    "many_bays": "维修工位多",
    "large_lounge": "客休区大",
    "good_meals": "客餐丰富可口",
    "easy_claims": "索赔方便",
    "pickup_service": "上门取车",
}
BAD_TAGS: dict[str, str] = {
    "overcharging": "乱收费",
    "slow_repair": "维修时间长",
    "bad_attitude": "态度差",
    "unprofessional": "不专业",
    "messy_workshop": "维修区杂乱",
    "rework_needed": "需要返工",
}
ALL_TAGS = {**GOOD_TAGS, **BAD_TAGS}

PRIOR_WEIGHT = 5
"""C: how many evaluations at the province mean every shop starts with."""
DEFAULT_PRIOR_MEAN = Decimal("3.5")
"""m before the province has enough evaluations of its own (PRIOR_MIN_COUNT)."""
PRIOR_MIN_COUNT = 20


@dataclass(frozen=True)
class Evaluation:
    """One owner's evaluation of one record (its id is the record's id)."""

    record_id: str
    companycode: str
    vin: str
    settlement_date: str
    scores: dict[str, int]
    tags: tuple[str, ...]
    text: str
    created_at: datetime
    reply: str | None = None
    replied_at: datetime | None = None

    @property
    def overall(self) -> Decimal:
        """The evaluation's own score: the mean of its five scores."""
        return Decimal(sum(self.scores.values())) / len(SCORE_DIMENSIONS)

    @property
    def level(self) -> str:
        """好评 / 差评 as the platform shows it: good at 3.0 and above."""
        return "good" if self.overall >= 3 else "bad"

    def content_hash(self) -> str:
        """What the owner asserted; a retry with the same content is the same evaluation."""
        canonical = json.dumps(
            {"scores": self.scores, "tags": sorted(self.tags), "text": self.text},
            sort_keys=True,
            ensure_ascii=False,
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class RatingTotals:
    """Running sums of a shop's (or the province's) evaluations."""

    count: int = 0
    sums: dict[str, int] = field(default_factory=dict)
    tag_counts: dict[str, int] = field(default_factory=dict)

    @property
    def overall_sum(self) -> Decimal:
        return Decimal(sum(self.sums.get(d, 0) for d in SCORE_DIMENSIONS)) / len(SCORE_DIMENSIONS)

    def mean(self) -> Decimal | None:
        return self.overall_sum / self.count if self.count else None


@dataclass(frozen=True)
class ShopRating:
    """What the page shows for a shop: the shrunk rating, the raw mean and the review count."""

    companycode: str
    rating: Decimal
    raw_mean: Decimal | None
    count: int
    dimensions: dict[str, Decimal]
    top_tags: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "companycode": self.companycode,
            "rating": str(self.rating),
            "raw_mean": str(self.raw_mean) if self.raw_mean is not None else None,
            "count": self.count,
            "dimensions": {k: str(v) for k, v in self.dimensions.items()},
            "top_tags": list(self.top_tags),
        }


def prior_mean(province: RatingTotals) -> Decimal:
    """m: the province's mean once it has PRIOR_MIN_COUNT evaluations, else a fixed 3.5."""
    mean = province.mean()
    if mean is None or province.count < PRIOR_MIN_COUNT:
        return DEFAULT_PRIOR_MEAN
    return mean


def shrunk(total: Decimal, count: int, prior: Decimal, weight: int = PRIOR_WEIGHT) -> Decimal:
    return _round((weight * prior + total) / (weight + count))


def shop_rating(companycode: str, shop: RatingTotals, province: RatingTotals) -> ShopRating:
    prior = prior_mean(province)
    dimensions = {
        d: shrunk(Decimal(shop.sums.get(d, 0)), shop.count, prior) for d in SCORE_DIMENSIONS
    }
    top = sorted(
        (t for t, n in shop.tag_counts.items() if n > 0 and t in ALL_TAGS),
        key=lambda t: (-shop.tag_counts[t], t),
    )[:3]
    raw = shop.mean()
    return ShopRating(
        companycode=companycode,
        rating=shrunk(shop.overall_sum, shop.count, prior),
        raw_mean=_round(raw) if raw is not None else None,
        count=shop.count,
        dimensions=dimensions,
        top_tags=tuple(top),
    )


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
