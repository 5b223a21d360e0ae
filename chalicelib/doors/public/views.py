"""Views of the consumers' door: the history entry, the vehicle page, the directory, grants.

Why: the consumer history must never carry credentials, contacts, internal keys or an
entry's own plate (it would show the vehicle's earlier plates, and so its earlier holders).
The JSON history and the vehicle page (and its PDF) are built from the same entry view, so
what a consumer may see is decided in one place; the pages' view models sit beside it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain.china_time import CST, china_date
from chalicelib.domain.record import StoredRecord
from chalicelib.domain.shop import SHOP_CLASSES
from chalicelib.doors.kit.feedback_views import evaluation_view
from chalicelib.doors.kit.models import conform
from chalicelib.doors.public.models import HistoryEntryOut, VehicleHistory

if TYPE_CHECKING:  # pragma: no cover
    from chalicelib.services.owner_grants import GrantOption, Overview
    from chalicelib.services.verify_report import ServedFile


def history_entry_view(record: StoredRecord) -> dict[str, Any]:
    """A consumer's view of one history entry: the work done and who did it, no internals.

    No plate: the caller proved the current one, and an entry's own plate would show the
    vehicle's earlier plates (previous owners, through vehicle registration) after a change.
    """
    content = record.content.to_dict()
    body = {
        "settlement_date": content["settlement_date"],
        "repair_date": content["repair_date"],
        "mileage": content["repair_mileage"],
        "fault_description": content["fault_description"],
        "repair_items": content["repair_items"],
        "parts": content["parts"],
        "shop": {
            "name": record.shop_name,
            "shop_class": record.shop_class,
            "shop_class_label": SHOP_CLASSES.get(record.shop_class, record.shop_class),
        },
        "province_code": record.companycode[:2] + "0000",
        "version": record.version,
        "corrected": record.version > 1,
        "flags": [_public_flag(f.to_dict()) for f in record.flags],
    }
    return conform(HistoryEntryOut, body)


def vehicle_history_view(vin: str, served: ServedFile) -> dict[str, Any]:
    """The JSON history: as on the page, only entries that still hash to their chain link."""
    body = {
        "vin": vin,
        "records": [history_entry_view(r) for r in served.records],
        "withheld": served.withheld,
    }
    return conform(VehicleHistory, body)


def vehicle_view(
    vin: str, served: ServedFile, feedback: dict[str, Any], today: date, lang: str
) -> dict[str, Any]:
    """The vehicle page (and its PDF): the card, the timeline in plain words, the chart."""
    from chalicelib.doors.public.mileage_chart import Reading, mileage_svg
    from chalicelib.doors.public.texts import TEXTS
    from chalicelib.doors.public.vehicle_card import decode_vin

    records = served.records
    entries = [_timeline_entry(record, feedback, lang) for record in records]
    readings = [
        Reading(
            r.content.settlement_date,
            r.content.repair_mileage,
            any(f.code == "mileage_rollback" for f in r.flags),
        )
        for r in records
    ]
    return {
        "vin": vin,
        "report_code": served.code,
        "withheld": served.withheld,
        "card": decode_vin(vin, today),
        "records": entries,
        "feedback_enabled": feedback["enabled"],
        "chart": _markup(mileage_svg(readings, TEXTS[lang]["chart"])),
        "grants_link": _grants_link(lang),
    }


def directory_rows(rows: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """The directory page's shops, each with its top tags in the page's language."""
    from chalicelib.doors.public.texts import tag_label

    for row in rows:
        row["tag_labels"] = [tag_label(t, lang) for t in row["top_tags"]]
    return rows


def grants_view(overview: Overview, options: list[GrantOption], lang: str) -> dict[str, Any]:
    """The owner's grants page once proven: grants, agency reads and what may be granted."""
    from chalicelib.web.sharing_texts import PURPOSE_LABELS

    labels = PURPOSE_LABELS[lang]
    grants = [
        {
            "grant_id": grant.grant_id,
            "agency": grant.agency_name,
            "purpose": labels.get(grant.purpose, grant.purpose),
            "expires": _local(grant.expires_at),
            "state": state,
        }
        for grant, state in overview.grants
    ]
    reads = [
        {
            "at": _local(read.at),
            "agency": read.agency_name,
            "purpose": labels.get(read.purpose, read.purpose),
            "outcome": read.outcome,
            "code": read.code,
            "records": read.records,
        }
        for read in overview.reads
    ]
    choices = [
        {"value": o.value, "label": f"{o.agency_name} · {labels.get(o.purpose, o.purpose)}"}
        for o in options
    ]
    return {"vin": overview.vin, "grants": grants, "reads": reads, "options": choices}


def _timeline_entry(record: StoredRecord, feedback: dict[str, Any], lang: str) -> dict[str, Any]:
    from chalicelib.web.i18n import explain_flag

    entry = history_entry_view(record)
    entry["explained_flags"] = [explain_flag(f, lang) for f in entry["flags"]]
    entry["ref"] = record.record_id
    entry["corrected_text"] = _corrected_text(record, lang)
    entry["rating"] = feedback["ratings"].get(record.companycode)
    evaluation = feedback["evaluations"].get(record.record_id)
    entry["evaluation"] = evaluation_view(evaluation) if evaluation else None
    return entry


def _public_flag(flag: dict[str, Any]) -> dict[str, Any]:
    flag["detail"] = {k: v for k, v in flag["detail"].items() if not k.endswith("_id")}
    return flag


def _corrected_text(record: StoredRecord, lang: str) -> str | None:
    """ "corrected on 2024-05-02 (reason)" for a record whose current version is a correction."""
    from chalicelib.doors.public.texts import consumer_texts

    if record.version <= 1:
        return None
    texts = consumer_texts(lang)
    day = china_date(record.updated_at).isoformat()
    if record.reason:
        return texts["corrected_on"].format(date=day, reason=record.reason)
    return texts["corrected_on_no_reason"].format(date=day)


def _grants_link(lang: str) -> str | None:
    """The ministry's page links to the owner's data-sharing page (grants, who read)."""
    from chalicelib.config import get_settings
    from chalicelib.web.sharing_texts import GRANT_TEXTS

    return GRANT_TEXTS[lang]["grants_link"] if get_settings().stack_role == "ministry" else None


def _markup(svg: str) -> Any:
    """The chart is built from escaped values only, so it may be inserted as markup."""
    from markupsafe import Markup

    return Markup(svg)  # noqa: S704 - every interpolated value is escaped in mileage_svg


def _local(moment: datetime) -> str:
    return str(moment.astimezone(CST).strftime("%Y-%m-%d %H:%M"))
