"""JSON views of what a regulator reads and is handed: accounts' tokens, registry entries,
reminders, export jobs, provinces' credentials, agencies' keys and OEM accounts.

Why: a regulator sees a shop's contacts only if its role may (masked otherwise), and a secret
(a shop's, a province's, an agency key, an OEM's) is handed over once, in the answer that made
it, never its stored hash; building the views here keeps those rules reviewable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.domain.provinces import province_name
from chalicelib.domain.shop import SHOP_CLASSES, Shop
from chalicelib.doors.kit.auth import token_body
from chalicelib.doors.kit.feedback_views import complaint_regulator_view
from chalicelib.doors.kit.masking import MASK
from chalicelib.doors.kit.models import conform
from chalicelib.doors.regulator_api.models import (
    AgencyKeyWithSecret,
    ExportOut,
    IssuedCredentialOut,
    OemWithSecret,
    RegulatorComplaintPage,
    RegulatorTokenResponse,
    ReminderOut,
    ReminderPage,
    SearchPage,
    ShopOut,
    ShopWithSecret,
)
from chalicelib.errors import SearchTooBroadError
from chalicelib.services.record_export import criteria_to

if TYPE_CHECKING:  # pragma: no cover
    from chalicelib.domain.agency import Agency, AgencyKey
    from chalicelib.domain.complaint import Complaint
    from chalicelib.domain.oem import OemAccount
    from chalicelib.domain.principal import Principal
    from chalicelib.domain.reminder import Reminder
    from chalicelib.services.agencies import IssuedKey
    from chalicelib.services.exchange_credentials import CredentialStatus, IssuedCredential
    from chalicelib.services.record_export import ExportJob
    from chalicelib.services.record_search import SearchPage as SearchHits


def regulator_token_view(token: str, principal: Principal) -> dict[str, Any]:
    """The token answer, with the role and districts the console and tools scope by."""
    body = {
        **token_body(token, principal),
        "role": principal.role,
        "divisions": list(principal.divisions),
    }
    return conform(RegulatorTokenResponse, body)


def shop_view(shop: Shop, *, contacts: bool = True) -> dict[str, Any]:
    """A regulator's view of a registry entry (never the secret); contacts masked unless the
    role may see them (the contact person's name and phone are personal data)."""
    body = {
        "companycode": shop.companycode,
        "name": shop.name,
        "uscc": shop.uscc,
        "division_code": shop.division_code,
        "shop_class": shop.shop_class,
        "shop_class_label": SHOP_CLASSES.get(shop.shop_class, shop.shop_class),
        "address": shop.address,
        "contact_name": shop.contact_name if contacts else MASK,
        "contact_phone": shop.contact_phone if contacts else MASK,
        "status": shop.status,
        "created_at": shop.created_at.isoformat(),
        "updated_at": shop.updated_at.isoformat(),
        "version": shop.version,
    }
    return conform(ShopOut, body)


def reminder_view(reminder: Reminder) -> dict[str, Any]:
    """A sent reminder with how many shops received and read it."""
    body = {
        "reminder_id": reminder.reminder_id,
        "title": reminder.title,
        "body": reminder.body,
        "sender": reminder.sender,
        "recipients": reminder.recipients,
        "read": reminder.read,
        "created_at": reminder.created_at.isoformat(),
    }
    return conform(ReminderOut, body)


def export_view(job: ExportJob, link: str | None) -> dict[str, Any]:
    """An export job; its short-lived link once done, and why it failed when the requester can
    act on it."""
    body = {
        "job_id": job.job_id,
        "status": job.status,
        "rows": job.rows,
        "criteria": criteria_to(job.criteria),
        "created_at": job.created_at.isoformat(),
        "download_url": link,
        "error": job.error if job.error == SearchTooBroadError.code else None,
    }
    return conform(ExportOut, body)


def credential_view(status: CredentialStatus) -> dict[str, Any]:
    """A province's exchange credential as the ministry shows it (never the secret's hash)."""
    return {
        "province_code": status.province_code,
        "name": province_name(status.province_code) or "",
        "status": status.status,
        "generation": status.generation,
        "issued_at": status.issued_at,
        "revoked_at": status.revoked_at,
    }


def agency_view(agency: Agency, keys: list[AgencyKey]) -> dict[str, Any]:
    """An agency, its purposes and its keys' terms (never a key's digest)."""
    return {
        "agency_id": agency.agency_id,
        "name": agency.name,
        "kind": agency.kind,
        "purposes": [
            {"purpose": p.code, "label": p.label, "needs_grant": p.needs_grant}
            for p in agency.purposes()
        ],
        "created_at": agency.created_at.isoformat(),
        "keys": [k.public_view() for k in keys],
    }


def shop_with_secret_view(shop: Shop, secret: str) -> dict[str, Any]:
    """A registry entry as registered or rotated: the shop's new secret, shown this once."""
    return conform(ShopWithSecret, {**shop_view(shop), "secret": secret})


def issued_credential_view(issued: IssuedCredential) -> dict[str, Any]:
    """A province's credential as issued or rotated: its secret, shown this once."""
    body = {**credential_view(issued.status), "secret": issued.secret, "rotated": issued.rotated}
    return conform(IssuedCredentialOut, body)


def key_with_secret_view(issued: IssuedKey) -> dict[str, Any]:
    """An agency key as issued or rotated: the key itself, shown this once."""
    return conform(AgencyKeyWithSecret, {**issued.key.public_view(), "key": issued.secret})


def oem_with_secret_view(account: OemAccount, secret: str) -> dict[str, Any]:
    """An OEM account as registered or rotated: its secret, shown this once."""
    return conform(OemWithSecret, {**account.public_view(), "secret": secret})


def complaint_page_view(items: list[Complaint], cursor: str | None) -> dict[str, Any]:
    """A page of the complaint queue, each complaint as a regulator sees it."""
    body = {"complaints": [complaint_regulator_view(c) for c in items], "next_cursor": cursor}
    return conform(RegulatorComplaintPage, body)


def reminder_page_view(items: list[Reminder], cursor: str | None) -> dict[str, Any]:
    """A page of the reminders sent, with their read counts."""
    body = {"reminders": [reminder_view(r) for r in items], "next_cursor": cursor}
    return conform(ReminderPage, body)


def search_page_view(page: SearchHits) -> dict[str, Any]:
    """A page of search hits and the cursor of the next one."""
    return conform(SearchPage, {"records": page.records, "next_cursor": page.next_cursor})
