"""Typed changes read from a table's stream: what the stream consumers are handed.

Why: the consumers (statistics, the ministry forwarder, export jobs, spreadsheet imports) act
on domain facts, never on stream records or table items. The edge (`streams/stream_records`)
reads each DynamoDB stream record into one of these, wrapped in a `Delivered` that carries
the record's sequence number as an opaque `delivery_id`: a consumer hands it back to report
the change as failed (Lambda's batchItemFailures) or keys a per-delivery marker with it, and
never reads anything into it.

An image the edge cannot read (a hand edit, a bug) becomes `Unreadable` with its reason, so
each consumer decides what an unreadable change means to it (retry it, or park it at once)
instead of the whole batch failing for ever.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from chalicelib.domain.record import StoredRecord
from chalicelib.domain.record_import import ImportChunk
from chalicelib.domain.shop import RegistryChange, Shop
from chalicelib.domain.statistics import RecordChange

C = TypeVar("C", covariant=True)


@dataclass(frozen=True)
class Delivered(Generic[C]):
    """One change as the stream delivered it; `delivery_id` is opaque to consumers."""

    delivery_id: str
    change: C


@dataclass(frozen=True)
class Unreadable:
    """A stream image that could not be read into its change, with the reason why."""

    kind: str
    identity: str
    reason: str


@dataclass(frozen=True)
class ExportRequested:
    """A regulator asked for a CSV export: the job to run."""

    job_id: str


StatisticsChange = RecordChange | RegistryChange | Unreadable
"""What the statistics aggregators count: a new record version, or a registry entry's
docking state (a province's own entry, or the ministry's copy of one)."""

ForwardedChange = StoredRecord | Shop | Unreadable
"""What a province forwards to the ministry: each new record version and registry entry."""

ExportChange = ExportRequested | Unreadable
ImportChange = ImportChunk | Unreadable
