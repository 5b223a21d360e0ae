"""Composition root: builds each service once per process with its concrete adapters.

Why: the only module that imports adapters. Everything is built on first use (not at import),
so a cold Lambda pays for boto3 only when a request needs storage. Every factory is declared
with `@singleton`, which caches it and records it, so `reset()` forgets all of them; the types
it names are imported for mypy only, so annotations cost nothing at import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.adapters.clock import SystemClock
from chalicelib.composition import Registry
from chalicelib.config import get_settings
from chalicelib.services.auth import AuthService, TokenCache
from chalicelib.services.records import RecordService
from chalicelib.services.shop_registry import ShopRegistryService
from chalicelib.services.vehicle_history import VehicleHistoryService

if TYPE_CHECKING:  # pragma: no cover - each class is imported where it is first built
    from chalicelib.adapters.dynamo_agencies import DynamoAgencyStore
    from chalicelib.adapters.dynamo_audit import DynamoAuditLog
    from chalicelib.adapters.dynamo_audit_search import DynamoAuditSearch
    from chalicelib.adapters.dynamo_auth import DynamoAccountRepository
    from chalicelib.adapters.dynamo_exchange import DynamoExchangeStore
    from chalicelib.adapters.dynamo_grants import DynamoAgencyReadLog, DynamoGrantStore
    from chalicelib.adapters.dynamo_imports import DynamoImportStore
    from chalicelib.adapters.dynamo_oem import DynamoOemAccountStore
    from chalicelib.adapters.dynamo_records import DynamoRecordRepository
    from chalicelib.adapters.dynamo_shops import DynamoShopRepository
    from chalicelib.adapters.dynamo_stats import DynamoStatsStore
    from chalicelib.adapters.secret_box import AesGcmSecretBox
    from chalicelib.services.agencies import AgencyService
    from chalicelib.services.agency_reads import AgencyReadService
    from chalicelib.services.aggregate_statistics import StatisticsAggregator
    from chalicelib.services.audit import AuditTrail
    from chalicelib.services.audit_digest import AuditDigestService
    from chalicelib.services.complaints import ComplaintService
    from chalicelib.services.evaluations import EvaluationService
    from chalicelib.services.exchange import ExchangeService
    from chalicelib.services.exchange_credentials import ExchangeCredentialService
    from chalicelib.services.forward_changes import ChangeForwarder
    from chalicelib.services.monitoring import MonitoringService
    from chalicelib.services.national_monitoring import NationalMonitoringService
    from chalicelib.services.oem_feed import OemAccountService, OemFeedService
    from chalicelib.services.owner_grants import OwnerGrantService
    from chalicelib.services.ports import Clock
    from chalicelib.services.public_gate import PublicGate
    from chalicelib.services.record_export import ExportService
    from chalicelib.services.record_import import RecordImportService
    from chalicelib.services.record_search import RecordSearchService
    from chalicelib.services.regulator_accounts import RegulatorAccountService
    from chalicelib.services.reminders import ReminderService
    from chalicelib.services.shop_directory import ShopDirectoryService
    from chalicelib.services.shop_records import ShopRecordFinder
    from chalicelib.services.shop_scorecard import ShopScorecardService
    from chalicelib.services.verify_report import ReportVerifier

# Every factory of this module is declared with it; `reset()` clears them all.
singleton = Registry()


@singleton
def _clock() -> SystemClock:
    return SystemClock()


@singleton
def _records() -> DynamoRecordRepository:
    from chalicelib.adapters.dynamo_records import DynamoRecordRepository

    settings = get_settings()
    # Only a province keeps chains: the ministry stores the provinces' links as they come.
    return DynamoRecordRepository(
        settings.table_name, maintain_chain=settings.stack_role == "province"
    )


@singleton
def _shops() -> DynamoShopRepository:
    from chalicelib.adapters.dynamo_shops import DynamoShopRepository

    return DynamoShopRepository(get_settings().table_name)


@singleton
def _audit() -> DynamoAuditLog:
    from chalicelib.adapters.dynamo_audit import DynamoAuditLog

    return DynamoAuditLog(get_settings().table_name, _clock())


def audit_log() -> DynamoAuditLog:
    """The stack's append-only audit log (for routes that audit reads themselves)."""
    return _audit()


@singleton
def auth_service() -> AuthService:
    return build_auth_service(_clock(), TokenCache())


def build_auth_service(clock: Clock, cache: TokenCache) -> AuthService:
    """An AuthService on this stack's tables with its own clock and token cache: the app's
    (`auth_service`), or another warm instance's in tests of what instances share."""
    from chalicelib.adapters.dynamo_attempts import DynamoAttemptCounter
    from chalicelib.adapters.dynamo_auth import DynamoAccountRepository, DynamoTokenStore
    from chalicelib.domain.source_ranges import parse_source_ranges
    from chalicelib.services.sign_in_gate import GateLimits, SignInGate

    settings = get_settings()
    limits = GateLimits.of(
        settings.login_max_failures,
        settings.login_source_max_failures,
        settings.login_lockout_seconds,
    )
    return AuthService(
        shops=_shops(),
        accounts=DynamoAccountRepository(settings.table_name),
        tokens=DynamoTokenStore(settings.table_name),
        cache=cache,
        clock=clock,
        token_ttl_seconds=settings.token_ttl_seconds,
        gate=SignInGate(DynamoAttemptCounter(settings.stats_table_name), clock, limits),
        secret_box=_secret_box(),
        audit=audit_trail(),
        province_code=settings.province_code,
        oems=_oem_store(),
        exchange_ranges=parse_source_ranges(settings.exchange_source_ranges),
    )


@singleton
def _secret_box() -> AesGcmSecretBox:
    from chalicelib.adapters.secret_box import AesGcmSecretBox

    return AesGcmSecretBox(get_settings().totp_key)


@singleton
def _audit_search() -> DynamoAuditSearch:
    from chalicelib.adapters.dynamo_audit_search import DynamoAuditSearch

    return DynamoAuditSearch(get_settings().table_name)


@singleton
def audit_trail() -> AuditTrail:
    from chalicelib.services.audit import AuditTrail

    return AuditTrail(_audit(), _audit_search())


@singleton
def audit_digests() -> AuditDigestService:
    """The daily digest of the audit log (the scheduled handler and `infra.admin`)."""
    from chalicelib.adapters.s3_audit_digests import S3AuditDigestStore
    from chalicelib.services.audit_digest import AuditDigestService

    settings = get_settings()
    if not (settings.audit_digest_bucket and settings.audit_digest_key):
        raise RuntimeError("AUDIT_DIGEST_BUCKET and AUDIT_DIGEST_KEY must be set")
    return AuditDigestService(
        _audit(),
        S3AuditDigestStore(settings.audit_digest_bucket),
        settings.audit_digest_key.encode("utf-8"),
        settings.province_code,
        _clock(),
    )


@singleton
def regulator_accounts() -> RegulatorAccountService:
    from chalicelib.adapters.dynamo_auth import DynamoAccountRepository
    from chalicelib.services.regulator_accounts import RegulatorAccountService

    settings = get_settings()
    return RegulatorAccountService(
        DynamoAccountRepository(settings.table_name),
        _secret_box(),
        audit_trail(),
        _clock(),
        stack=settings.stack_role,
        province_code=settings.province_code,
    )


@singleton
def record_service() -> RecordService:
    settings = get_settings()
    key = settings.signing_key.encode("utf-8") if settings.signing_key else None
    return RecordService(_records(), _clock(), settings.clock_skew_seconds, key)


@singleton
def history_service() -> VehicleHistoryService:
    return VehicleHistoryService(_records(), _audit())


@singleton
def shop_registry() -> ShopRegistryService:
    return ShopRegistryService(_shops(), _audit(), _clock(), get_settings().province_code)


@singleton
def account_repository() -> DynamoAccountRepository:
    from chalicelib.adapters.dynamo_auth import DynamoAccountRepository

    return DynamoAccountRepository(get_settings().table_name)


@singleton
def report_verifier() -> ReportVerifier:
    from chalicelib.services.verify_report import ReportVerifier

    settings = get_settings()
    key = settings.signing_key.encode("utf-8") if settings.signing_key else None
    return ReportVerifier(_records(), key, chains_here=settings.stack_role == "province")


@singleton
def stats_store() -> DynamoStatsStore:
    from chalicelib.adapters.dynamo_stats import DynamoStatsStore

    return DynamoStatsStore(get_settings().stats_table_name)


@singleton
def statistics_aggregator() -> StatisticsAggregator:
    from chalicelib.adapters.dynamo_directory import DynamoShopDirectory
    from chalicelib.services.aggregate_statistics import StatisticsAggregator

    settings = get_settings()
    registry = DynamoShopDirectory(settings.table_name)
    return StatisticsAggregator(stats_store(), settings.stack_role, registry)


@singleton
def change_forwarder() -> ChangeForwarder:
    from chalicelib.adapters.ministry_client import MinistryClient
    from chalicelib.adapters.sqs_dead_letters import SqsDeadLetters
    from chalicelib.services.forward_changes import ChangeForwarder

    settings = get_settings()
    if not (settings.ministry_url and settings.exchange_secret and settings.dead_letter_queue_url):
        raise RuntimeError("MINISTRY_URL, EXCHANGE_SECRET and DEAD_LETTER_QUEUE_URL must be set")
    client = MinistryClient(
        settings.ministry_url,
        settings.province_code,
        settings.exchange_secret,
        settings.exchange_timeout_seconds,
    )
    return ChangeForwarder(
        client,
        stats_store(),
        SqsDeadLetters(settings.dead_letter_queue_url),
        settings.forward_max_attempts,
    )


@singleton
def exchange_store() -> DynamoExchangeStore:
    from chalicelib.adapters.dynamo_exchange import DynamoExchangeStore

    return DynamoExchangeStore(get_settings().table_name)


@singleton
def exchange_service() -> ExchangeService:
    from chalicelib.services.exchange import ExchangeService

    return ExchangeService(_records(), exchange_store(), _clock())


@singleton
def exchange_credentials() -> ExchangeCredentialService:
    from chalicelib.services.exchange_credentials import ExchangeCredentialService

    return ExchangeCredentialService(exchange_store(), audit_trail(), _clock())


@singleton
def national_monitoring() -> NationalMonitoringService:
    from chalicelib.adapters.dynamo_directory import DynamoShopDirectory
    from chalicelib.services.national_monitoring import NationalMonitoringService

    return NationalMonitoringService(
        stats_store(),
        DynamoShopDirectory(get_settings().table_name),
        exchange_store(),
        _clock(),
    )


@singleton
def evaluation_service() -> EvaluationService:
    from chalicelib.adapters.dynamo_feedback import DynamoFeedbackRepository
    from chalicelib.services.evaluations import EvaluationService

    settings = get_settings()
    return EvaluationService(
        _records(),
        DynamoFeedbackRepository(settings.table_name),
        _audit(),
        _clock(),
        settings.province_code,
    )


@singleton
def complaint_service() -> ComplaintService:
    from chalicelib.adapters.dynamo_complaints import DynamoComplaintRepository
    from chalicelib.adapters.s3_photos import S3PhotoStore
    from chalicelib.services.complaints import ComplaintService

    settings = get_settings()
    if not settings.signing_key:
        raise RuntimeError("SIGNING_KEY must be set: complaint codes are keyed with it")
    return ComplaintService(
        records=_records(),
        complaints=DynamoComplaintRepository(settings.table_name),
        photos=S3PhotoStore(settings.photo_bucket) if settings.photo_bucket else None,
        shops=_shops(),
        audit=_audit(),
        clock=_clock(),
        id_key=settings.signing_key.encode("utf-8"),
        province_code=settings.province_code,
        clock_skew_seconds=settings.clock_skew_seconds,
    )


@singleton
def public_gate() -> PublicGate:
    from chalicelib.adapters.dynamo_rate import DynamoRateCounter
    from chalicelib.services.public_gate import Limits, PublicGate

    settings = get_settings()
    limits = Limits(
        per_ip=settings.public_ip_limit,
        per_vin=settings.public_vin_limit,
        submissions_per_ip=settings.public_submit_limit,
    )
    return PublicGate(DynamoRateCounter(settings.stats_table_name), _clock(), limits)


@singleton
def shop_directory() -> ShopDirectoryService:
    from chalicelib.adapters.dynamo_directory import DynamoShopDirectory
    from chalicelib.services.shop_directory import ShopDirectoryService

    settings = get_settings()
    return ShopDirectoryService(
        DynamoShopDirectory(settings.table_name), evaluation_service(), settings.province_code
    )


@singleton
def monitoring_service() -> MonitoringService:
    from chalicelib.adapters.dynamo_directory import DynamoShopDirectory
    from chalicelib.services.monitoring import MonitoringService

    settings = get_settings()
    return MonitoringService(
        stats_store(), DynamoShopDirectory(settings.table_name), _clock(), settings.province_code
    )


@singleton
def reminder_service() -> ReminderService:
    from chalicelib.adapters.dynamo_directory import DynamoShopDirectory
    from chalicelib.adapters.dynamo_reminders import DynamoReminderStore
    from chalicelib.services.reminders import ReminderService

    settings = get_settings()
    return ReminderService(
        DynamoReminderStore(settings.table_name),
        DynamoShopDirectory(settings.table_name),
        _audit(),
        _clock(),
        settings.province_code,
    )


@singleton
def record_search_service() -> RecordSearchService:
    from chalicelib.adapters.dynamo_search import DynamoRecordSearch
    from chalicelib.services.record_search import RecordSearchService

    settings = get_settings()
    return RecordSearchService(
        DynamoRecordSearch(settings.table_name),
        settings.province_code,
        page_read_items=settings.search_read_items,
        page_read_requests=settings.search_read_requests,
    )


@singleton
def export_service() -> ExportService:
    from chalicelib.adapters.dynamo_exports import DynamoExportJobStore
    from chalicelib.adapters.dynamo_search import DynamoRecordSearch
    from chalicelib.adapters.s3_exports import S3ExportSink
    from chalicelib.services.record_export import ExportService
    from chalicelib.services.record_search import RecordSearchService

    settings = get_settings()
    if not settings.photo_bucket:
        raise RuntimeError("PHOTO_BUCKET must be set: exports are written to that bucket")
    # A job reads page after page: each read waits out a busy table (up to 6 tries).
    search = DynamoRecordSearch(settings.table_name, read_attempts=6)
    return ExportService(
        RecordSearchService(search, settings.province_code),
        DynamoExportJobStore(settings.table_name),
        S3ExportSink(settings.photo_bucket),
        _audit(),
        _clock(),
        read_items=settings.export_read_items,
        read_requests=settings.export_read_requests,
    )


# --- Agency sharing (ministry) and the OEM feed (province), issue 5 -------------------------


@singleton
def _oem_store() -> DynamoOemAccountStore:
    from chalicelib.adapters.dynamo_oem import DynamoOemAccountStore

    return DynamoOemAccountStore(get_settings().table_name)


@singleton
def oem_accounts() -> OemAccountService:
    from chalicelib.services.oem_feed import OemAccountService

    settings = get_settings()
    return OemAccountService(
        _oem_store(), _shops(), audit_trail(), _clock(), settings.province_code
    )


@singleton
def oem_feed() -> OemFeedService:
    from chalicelib.services.oem_feed import OemFeedService

    return OemFeedService(record_service(), _shops(), audit_trail())


@singleton
def _agency_store() -> DynamoAgencyStore:
    from chalicelib.adapters.dynamo_agencies import DynamoAgencyStore

    return DynamoAgencyStore(get_settings().table_name)


@singleton
def _grant_store() -> DynamoGrantStore:
    from chalicelib.adapters.dynamo_grants import DynamoGrantStore

    return DynamoGrantStore(get_settings().table_name)


@singleton
def _agency_read_log() -> DynamoAgencyReadLog:
    from chalicelib.adapters.dynamo_grants import DynamoAgencyReadLog

    return DynamoAgencyReadLog(get_settings().table_name)


@singleton
def agency_service() -> AgencyService:
    from chalicelib.services.agencies import AgencyService

    return AgencyService(_agency_store(), audit_trail(), _clock())


@singleton
def agency_read_service() -> AgencyReadService:
    from chalicelib.adapters.dynamo_rate import DynamoRateCounter
    from chalicelib.services.agency_reads import AgencyReadService

    return AgencyReadService(
        store=_agency_store(),
        grants=_grant_store(),
        log=_agency_read_log(),
        records=_records(),
        counter=DynamoRateCounter(get_settings().stats_table_name),
        audit=_audit(),
        trail=audit_trail(),
        clock=_clock(),
    )


@singleton
def owner_grant_service() -> OwnerGrantService:
    from chalicelib.services.owner_grants import OwnerGrantService

    return OwnerGrantService(
        records=_records(),
        agencies=_agency_store(),
        grants=_grant_store(),
        reads=_agency_read_log(),
        audit=_audit(),
        clock=_clock(),
    )


@singleton
def import_store() -> DynamoImportStore:
    from chalicelib.adapters.dynamo_imports import DynamoImportStore

    return DynamoImportStore(get_settings().table_name)


@singleton
def record_import_service() -> RecordImportService:
    from chalicelib.services.record_import import RecordImportService

    return RecordImportService(import_store(), record_service(), _shops(), _clock())


@singleton
def shop_scorecard() -> ShopScorecardService:
    from chalicelib.services.shop_scorecard import ShopScorecardService

    return ShopScorecardService(stats_store())


@singleton
def shop_record_finder() -> ShopRecordFinder:
    from chalicelib.services.shop_records import ShopRecordFinder

    return ShopRecordFinder(_records(), _records())


def reset() -> None:
    """Forget every built service and client: tests switch settings and endpoints between suites."""
    from chalicelib.adapters.aws import reset_clients
    from chalicelib.adapters.s3_photos import s3_client
    from chalicelib.adapters.sqs_dead_letters import reset as reset_sqs

    singleton.clear()
    reset_clients()
    s3_client.cache_clear()
    reset_sqs()
    get_settings.cache_clear()
