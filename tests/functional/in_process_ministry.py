"""The ministry's exchange door in this process, behind real HTTP, for province-side tests.

Why: a province's forwarder talks HTTP to the ministry (chalicelib/adapters/ministry_client.py),
and one process cannot also host the app as the ministry (the stack role is read once). This
server takes the same requests as `POST /v1/exchange/batch`: bodies up to the door's limit
(413 above it), the exchange/v1 envelope (400 without it), each item applied by the real
ExchangeService on its own table and DynamoDB client. It hands out any token.
"""

from __future__ import annotations

import json
import threading
import traceback
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from chalicelib.errors import ServiceUnavailableError, ValidationFailedError
from chalicelib.exchange.requests import MAX_BODY_BYTES

MINISTRY_TABLE = "vmehr-test-ministry"


class InProcessMinistry:
    def __init__(
        self, client: Any, province: str = "320000", max_body_bytes: int = MAX_BODY_BYTES
    ) -> None:
        from chalicelib.adapters.clock import SystemClock
        from chalicelib.adapters.dynamo_exchange import DynamoExchangeStore
        from chalicelib.adapters.dynamo_records import DynamoRecordRepository
        from chalicelib.services.exchange import ExchangeService

        records = DynamoRecordRepository(MINISTRY_TABLE, client, maintain_chain=False)
        store = DynamoExchangeStore(MINISTRY_TABLE, client)
        self.service = ExchangeService(records, store, SystemClock())
        self.province = province
        self.max_body_bytes = max_body_bytes
        self.unexpected: list[str] = []
        self.requests: list[tuple[int, int]] = []  # (items, bytes) of each batch taken
        self.refused_sizes: list[int] = []  # bytes of each batch refused for its size
        # A forwarder that gave up waiting retries while the first request still runs. Real
        # DynamoDB takes both; moto's in-memory tables are not thread-safe (a 300-upload soak
        # met "dictionary changed size during iteration" inside moto), so requests take turns.
        self._one_at_a_time = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def __enter__(self) -> InProcessMinistry:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._thread.join()
        self._server.server_close()

    def answer(self, path: str, raw: bytes) -> tuple[int, dict[str, Any]]:
        """What the door answers to a POST of `raw` to `path`."""
        from chalicelib.exchange.v1 import parse_batch

        if path == "/v1/exchange/token":
            expires = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
            return 200, {"access_token": "t", "expires_at": expires}
        if len(raw) > self.max_body_bytes:
            self.refused_sizes.append(len(raw))
            return 413, {"code": "payload_too_large"}
        try:
            batch = parse_batch(json.loads(raw))
            with self._one_at_a_time:
                results = self.service.apply_batch(self.province, batch.items)
        except ValidationFailedError as exc:
            return 400, {"code": "validation_failed", "errors": [e.as_dict() for e in exc.errors]}
        except ServiceUnavailableError:
            return 503, {"code": "service_unavailable"}
        except Exception as exc:  # an unhandled error: the test fails on it
            where = traceback.extract_tb(exc.__traceback__)[-1]
            self.unexpected.append(f"{exc!r} at {where.filename}:{where.lineno}")
            return 500, {"code": "internal_error"}
        self.requests.append((len(batch.items), len(raw)))
        return 200, {"results": [{"index": i, **r} for i, r in enumerate(results)]}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        ministry = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                status, body = ministry.answer(self.path, raw)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler
