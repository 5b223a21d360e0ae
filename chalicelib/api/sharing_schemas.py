"""Request schemas of the OEM feed's token (province).

Why: the HTTP contract of issue 5's routes, apart from the record schemas; the regulators'
administration of agencies and OEM accounts has its models in `doors/regulator_api/models.py`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, frozen=True, defer_build=True
    )


class OemTokenRequest(_Strict):
    oem_id: str = Field(min_length=1, max_length=32)
    secret: str = Field(min_length=1, max_length=256)
