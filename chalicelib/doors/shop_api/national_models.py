"""The national `lcippro` upload payload -> our RecordIn, with errors named in its own terms.

Why: a shop's DMS that already talks to a provincial system must switch by changing only its
host. Its payload sends every value as a string, dates as YYYYMMDD, and lists either as arrays
or as JSON-encoded strings. We translate that shape into the REST schema (so one set of rules
applies) and translate error paths back (`basicInfo.repairdate`), so the DMS shows the field
its own user knows.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.domain.json_limits import MAX_DEPTH, JsonInputError, loads_bounded
from chalicelib.domain.record import RecordContent
from chalicelib.doors.kit.models import parse
from chalicelib.doors.kit.record_models import RecordIn
from chalicelib.errors import FieldError, ValidationFailedError

BASIC_INFO_FIELDS = {
    "vehicleplatenumber": "plate_number",
    "companyname": "company_name",
    "vin": "vin",
    "repairdate": "repair_date",
    "repairmileage": "repair_mileage",
    "settledate": "settlement_date",
    "faultdescription": "fault_description",
    "costlistcode": "settlement_list_code",
}
PROJECT_FIELDS = {"repairproject": "name", "workinghours": "labour_hours"}
PART_FIELDS = {"partsname": "name", "partscode": "code", "partsquantity": "quantity"}
LISTS = {
    "repairprojectlist": ("repair_items", PROJECT_FIELDS),
    "vehiclepartslist": ("parts", PART_FIELDS),
}
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_INTEGER = re.compile(r"^\d+$")


def parse_compat_record(payload: dict[str, Any]) -> RecordContent:
    """Translate and validate; raises ValidationFailedError with national field names."""
    basic = payload.get("basicInfo")
    if isinstance(basic, str):
        basic = _decode_json(basic, "basicInfo")
    if not isinstance(basic, dict):
        raise ValidationFailedError(
            [FieldError("basicInfo", "required", "basicInfo 缺失或不是对象")]
        )
    record = _basic_fields(basic, payload)
    errors: list[FieldError] = []
    for wire, (ours, fields) in LISTS.items():
        rows = _list_value(payload.get(wire, payload.get(wire.replace("list", "List"), [])), wire)
        if rows is None:
            errors.append(FieldError(wire, "array", f"{wire} 必须是数组或JSON数组字符串"))
        else:
            record[ours] = [_rename_row(row, fields) for row in rows]
    if errors:
        raise ValidationFailedError(errors)
    try:
        model: RecordIn = parse(RecordIn, record)
    except ValidationFailedError as exc:
        raise ValidationFailedError([_to_wire(e) for e in exc.errors]) from exc
    return model.to_content()


def _basic_fields(basic: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    """basicInfo in our names, with YYYYMMDD dates and integer mileage text converted."""
    record = {
        ours: _scalar(basic[wire]) for wire, ours in BASIC_INFO_FIELDS.items() if wire in basic
    }
    color = basic.get("vehicleplatecolor", payload.get("vehicleplatecolor"))
    if color not in (None, ""):
        record["plate_color"] = _scalar(color)
    for date_field in ("repair_date", "settlement_date"):
        match = _COMPACT_DATE.match(str(record.get(date_field, "")))
        if match:
            record[date_field] = "-".join(match.groups())
    mileage = str(record.get("repair_mileage", "")).strip()
    if "repair_mileage" in record and _INTEGER.match(mileage):
        record["repair_mileage"] = int(mileage)
    return record


def wire_field(field: str) -> str:
    """Our field path -> the national one, e.g. repair_items.0.labour_hours."""
    return _to_wire(FieldError(field, "", "")).field


def _to_wire(error: FieldError) -> FieldError:
    parts = error.field.split(".")
    ours_to_basic = {v: k for k, v in BASIC_INFO_FIELDS.items()}
    if parts[0] in ours_to_basic:
        path = f"basicInfo.{ours_to_basic[parts[0]]}"
    elif parts[0] == "plate_color":
        path = "basicInfo.vehicleplatecolor"
    elif parts[0] in ("repair_items", "parts"):
        wire, fields = next((w, f) for w, (o, f) in LISTS.items() if o == parts[0])
        inverse = {v: k for k, v in fields.items()}
        tail = [inverse.get(p, p) for p in parts[1:]]
        path = ".".join([wire, *tail])
    else:
        path = error.field
    message = error.message
    if parts[0] in ("repair_date", "settlement_date") and error.rule in ("format", "date"):
        message = "日期格式应为YYYYMMDD且为有效日期"
    return FieldError(path, error.rule, message, error.code)


def _scalar(value: Any) -> Any:
    """Every national value is a string; numbers sent by lenient clients are accepted as text."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return str(value)
    return value


def _rename_row(row: Any, fields: dict[str, str]) -> Any:
    if not isinstance(row, dict):
        return row
    # Unknown keys are dropped: DMS exports carry extras (ids, remarks) that we do not store.
    return {ours: _scalar(row[wire]) for wire, ours in fields.items() if wire in row}


def _list_value(value: Any, wire: str) -> list[Any] | None:
    if isinstance(value, str):
        value = _decode_json(value, wire) if value.strip() else []
    return value if isinstance(value, list) else None


def _decode_json(text: str, wire: str) -> Any:
    """JSON text sent in place of an object or array: None when it is not JSON (the caller
    names what it expected); nested past the limit, refused as a format error of `wire`."""
    try:
        return loads_bounded(text)
    except JsonInputError as exc:
        if exc.rule == "max_depth":
            message = f"{wire} 的JSON嵌套超过 {MAX_DEPTH} 层"
            raise ValidationFailedError([FieldError(wire, "max_depth", message)]) from exc
        return None


# --- the wire shapes, for the OpenAPI document --------------------------------------------
# The routes read these payloads by hand (so errors keep the national codes and field names);
# the models below describe what a DMS sends, for the document only.


class _Wire(BaseModel):
    model_config = ConfigDict(extra="allow", defer_build=True)


class CompatTokenRequest(_Wire):
    companycode: str = Field(min_length=1, description="企业编码 (15 digits)")
    companypassword: str = Field(min_length=1, description="the shop's secret")


class CompatBasicInfo(_Wire):
    vehicleplatenumber: str = Field(default="", description="车牌号码")
    vehicleplatecolor: str = Field(default="", description="车牌颜色 (optional)")
    companyname: str = Field(description="企业名称")
    vin: str = Field(description="车辆识别代码")
    repairdate: str = Field(pattern=r"^\d{8}$", description="送修日期 YYYYMMDD")
    repairmileage: str = Field(pattern=r"^\d+$", description="送修里程 (km)")
    settledate: str = Field(pattern=r"^\d{8}$", description="结算日期 YYYYMMDD")
    faultdescription: str = Field(description="故障描述")
    costlistcode: str = Field(description="结算清单编号")


class CompatRepairProject(_Wire):
    repairproject: str = Field(description="维修项目")
    workinghours: str = Field(description="维修工时")


class CompatPart(_Wire):
    partsname: str = Field(description="配件名称")
    partscode: str = Field(description="配件编码")
    partsquantity: str = Field(description="配件数量")


class CompatRecordRequest(_Wire):
    access_token: str = Field(description="from lcipprogetaccesstoken")
    basicInfo: CompatBasicInfo | str = Field(description="an object, or the same as JSON text")
    repairprojectlist: list[CompatRepairProject] | str = Field(
        default_factory=list, description="an array, or the same as JSON text"
    )
    vehiclepartslist: list[CompatPart] | str = Field(
        default_factory=list, description="an array, or the same as JSON text"
    )
