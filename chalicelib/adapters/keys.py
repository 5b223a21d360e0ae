"""Every key string of the single table is spelled here and nowhere else.

Why: a single-table design overloads PK/SK/GSI1 with many item kinds; keeping the builders in
one module makes the access patterns reviewable (README's table mirrors this file) and lets
tests import builders instead of copying strings.

Item kinds (PK / SK):
- record head        REC#<record_id> / HEAD           (GSI1: SHOPREC#<cc> / <settle_date>#<id>;
                     GSI2: RECDAY#<province>#<settle_date> / <cc>#<id>)
- record version     REC#<record_id> / V#<000001>
- vehicle file entry VIN#<vin> / REC#<settle_date>#<record_id>
                     (GSI2: PLATE#<plate> / <settle_date>#<record_id>)
- chain head         VIN#<vin> / CHAIN                (latest link: seq, hash)
- chain link         VIN#<vin> / CHAIN#<seq:09d>      (record id, version, hashes)
- shop profile       SHOP#<cc> / PROFILE              (GSI1: REGISTRY#<province> / <division>#<cc>)
- shop credential    SHOP#<cc> / CRED
- USCC guard         USCC#<uscc> / GUARD
- code sequence      SEQ#<division> / SEQ
- regulator account  ADMIN#<username> / CRED        (GSI1: ADMINS / <username>)
- bearer token       TOKEN#<sha256(token)> / TOKEN   (TTL)
- audit entry        AUDIT#<yyyy-mm-dd>#<shard> / SEQ#<seq:010d> (a hash chain per UTC day and
                     shard; TTL, 400 days; entries from before the chain: <iso time>#<uuid>)
- evaluation         REC#<record_id> / EVAL           (GSI1: SHOPEVAL#<cc> / <created>#<id>)
- shop rating totals SHOP#<cc> / RATING; province totals RATING#<province> / RATING
- complaint          COMPLAINT#<id> / COMPLAINT
                     (GSI1: SHOPCOMPLAINT#<cc> / <created>#<id>;
                      GSI2: COMPLAINTQ#<province>#<status> / <created>#<id>)
- reminder           REMINDER#<id> / REMINDER         (GSI1: REMINDERS#<province> / <created>#<id>)
- reminder delivery  SHOPREMINDER#<cc> / <created>#<id>
- import job         IMPORT#<job_id> / JOB  (GSI1: SHOPIMPORT#<cc> / <created>#<job_id>; TTL)
- import chunk       IMPORT#<job_id> / CHUNK#<nnnn>    (rows to upload: the import handler's input)
- import outcomes    IMPORT#<job_id> / RESULT#<nnnn>#<checked|uploaded>  (per-row results)
Ministry stack only:
- exchange credential EXCH#<province_code> / CRED
- registry counts     REGCOUNT#<province_code> / COUNT (ministry: active copies by class)
- province status     PROVINCES / <province_code>
- agency             AGENCIES / <agency_id>           (one partition: the ministry's few agencies)
- agency key         AGENCYKEYS#<agency_id> / <key_id> (terms, status, current digest)
- key lookup         AGENCYKEY#<sha256(key)> / AGENCYKEY (copy of the key's terms, for reads)
- owner grant        GRANTS#<vin> / <grant_id>
- agency read        VINREADS#<vin> / <time>#<id> and AGENCYREADS#<agency_id>#<day> / <time>#<id>
                     (TTL 400 days, like the audit log)
Province stack only:
- OEM account        OEM#<oem_id> / CRED              (GSI1: OEMS / <oem_id>)
"""

from __future__ import annotations

from datetime import date

PK = "PK"
SK = "SK"
GSI1 = "GSI1"
GSI1PK = "GSI1PK"
GSI1SK = "GSI1SK"
TTL_ATTRIBUTE = "expires_at_epoch"

HEAD = "HEAD"
AUDIT_SHARDS = 8


def record_pk(record_id: str) -> str:
    return f"REC#{record_id}"


def record_head() -> dict[str, str]:
    return {SK: HEAD}


def version_sk(version: int) -> str:
    return f"V#{version:06d}"


def version_prefix() -> str:
    return "V#"


def shop_records_gsi_pk(companycode: str) -> str:
    return f"SHOPREC#{companycode}"


def shop_records_gsi_sk(settlement_date: date, record_id: str) -> str:
    return f"{settlement_date.isoformat()}#{record_id}"


def vehicle_pk(vin: str) -> str:
    return f"VIN#{vin}"


def vehicle_entry_sk(settlement_date: date, record_id: str) -> str:
    return f"REC#{settlement_date.isoformat()}#{record_id}"


CHAIN_HEAD = "CHAIN"


def chain_link_sk(seq: int) -> str:
    return f"CHAIN#{seq:09d}"


def chain_link_prefix() -> str:
    return "CHAIN#"


def vehicle_entry_prefix() -> str:
    return "REC#"


def vehicle_entries_until(settlement_date: date) -> str:
    """Upper bound (inclusive) of the entries settled on or before a date."""
    return f"REC#{settlement_date.isoformat()}#~"


def shop_pk(companycode: str) -> str:
    return f"SHOP#{companycode}"


SHOP_PROFILE = "PROFILE"
CREDENTIAL = "CRED"
SHOP_CREDENTIAL = CREDENTIAL


def registry_gsi_pk(province_code: str) -> str:
    return f"REGISTRY#{province_code}"


def registry_gsi_sk(division_code: str, companycode: str) -> str:
    return f"{division_code}#{companycode}"


def uscc_guard_pk(uscc: str) -> str:
    return f"USCC#{uscc}"


GUARD = "GUARD"


def sequence_pk(division_code: str) -> str:
    return f"SEQ#{division_code}"


SEQUENCE = "SEQ"


def admin_pk(username: str) -> str:
    return f"ADMIN#{username}"


ADMINS_GSI_PK = "ADMINS"
"""GSI1 partition listing every regulator account of the stack (GSI1SK = username)."""


def token_pk(digest: str) -> str:
    return f"TOKEN#{digest}"


TOKEN = "TOKEN"


def audit_pk(day: date, shard: int) -> str:
    return f"AUDIT#{day.isoformat()}#{shard}"


AUDIT_SEQ_PREFIX = "SEQ#"


def audit_entry_sk(seq: int) -> str:
    """An entry's place in its partition's chain: two writers at one seq collide on it."""
    return f"{AUDIT_SEQ_PREFIX}{seq:010d}"


def key(pk: str, sk: str) -> dict[str, str]:
    """A primary key in the plain (not yet DynamoDB-typed) form."""
    return {PK: pk, SK: sk}


def exchange_credential_pk(province_code: str) -> str:
    """Ministry table: a province's exchange credential (hash only)."""
    return f"EXCH#{province_code}"


def registry_count_pk(province_code: str) -> str:
    """Ministry table: a province's active registry copies by class (kept with each copy)."""
    return f"REGCOUNT#{province_code}"


REGISTRY_COUNT = "COUNT"


def province_of_credential_pk(pk: str) -> str:
    """The province code of an exchange credential's partition key."""
    return pk.removeprefix("EXCH#")


PROVINCES_PK = "PROVINCES"
"""Ministry table: one item per connected province (SK = province code), its exchange status."""


# Consumer feedback (issue 4).
EVALUATION = "EVAL"
"""A record's evaluation lives in the record's partition: REC#<record_id> / EVAL."""


def shop_evaluations_gsi_pk(companycode: str) -> str:
    return f"SHOPEVAL#{companycode}"


RATING = "RATING"
"""A shop's rating totals: SHOP#<cc> / RATING; the province's: RATING#<province> / RATING."""


def province_rating_pk(province_code: str) -> str:
    return f"RATING#{province_code}"


def complaint_pk(complaint_id: str) -> str:
    return f"COMPLAINT#{complaint_id}"


COMPLAINT = "COMPLAINT"
GSI2 = "GSI2"
GSI2PK = "GSI2PK"
GSI2SK = "GSI2SK"


def shop_complaints_gsi_pk(companycode: str) -> str:
    return f"SHOPCOMPLAINT#{companycode}"


def complaint_queue_gsi_pk(province_code: str, status: str) -> str:
    """GSI2: a province's complaints by status, oldest first (the regulator's queue)."""
    return f"COMPLAINTQ#{province_code}#{status}"


def reminder_pk(reminder_id: str) -> str:
    return f"REMINDER#{reminder_id}"


REMINDER = "REMINDER"


def reminders_gsi_pk(province_code: str) -> str:
    return f"REMINDERS#{province_code}"


def shop_reminders_pk(companycode: str) -> str:
    return f"SHOPREMINDER#{companycode}"


def records_by_day_gsi_pk(province_code: str, settlement_date: date) -> str:
    """GSI2: a province's records settled on one day, sorted by companycode (so a district's
    shops are one `begins_with`): the regulator's record search by date."""
    return f"RECDAY#{province_code}#{settlement_date.isoformat()}"


def records_by_day_gsi_sk(companycode: str, record_id: str) -> str:
    return f"{companycode}#{record_id}"


def plate_gsi_pk(plate: str) -> str:
    """GSI2: the vehicle entries recorded under a plate (the regulator's search by plate)."""
    return f"PLATE#{plate}"


def export_job_pk(job_id: str) -> str:
    """A CSV export job: EXPORT#<id> / EXPORT (its INSERT on the stream starts it)."""
    return f"EXPORT#{job_id}"


EXPORT = "EXPORT"


# Agency sharing (ministry) and the OEM feed (province), issue 5.
AGENCIES_PK = "AGENCIES"
"""Every agency of the ministry under one partition (SK = agency id): one query lists them."""


def agency_keys_pk(agency_id: str) -> str:
    return f"AGENCYKEYS#{agency_id}"


def agency_key_lookup_pk(digest: str) -> str:
    return f"AGENCYKEY#{digest}"


AGENCY_KEY_LOOKUP = "AGENCYKEY"


def grants_pk(vin: str) -> str:
    return f"GRANTS#{vin}"


def vin_reads_pk(vin: str) -> str:
    """An owner's "who read my vehicle's file": agency reads of one VIN, by time."""
    return f"VINREADS#{vin}"


def agency_reads_pk(agency_id: str, day: date) -> str:
    """An agency's reads of one China day, by time (the regulator's export)."""
    return f"AGENCYREADS#{agency_id}#{day.isoformat()}"


def oem_pk(oem_id: str) -> str:
    return f"OEM#{oem_id}"


OEMS_GSI_PK = "OEMS"
"""GSI1 partition listing the province's OEM accounts (GSI1SK = oem id)."""


def import_pk(job_id: str) -> str:
    """A spreadsheet import: its job, chunks and per-row outcomes share this partition."""
    return f"IMPORT#{job_id}"


IMPORT_JOB = "JOB"


def import_chunk_sk(index: int) -> str:
    return f"CHUNK#{index:04d}"


def import_result_sk(index: int, phase: str) -> str:
    return f"RESULT#{index:04d}#{phase}"


def import_result_prefix() -> str:
    return "RESULT#"


def shop_imports_gsi_pk(companycode: str) -> str:
    return f"SHOPIMPORT#{companycode}"


def shop_imports_gsi_sk(created_at: str, job_id: str) -> str:
    return f"{created_at}#{job_id}"
