"""HTTP client of the ministry's exchange endpoint, authenticated with the province credential.

Why: the province pushes every change up (部省联网). The client obtains a bearer token with the
province's exchange credential (issued by the ministry, stored hashed there), caches it until
shortly before it expires, and turns every transport failure into MinistryUnavailableError
so the forwarder can retry without losing anything; a 413 is RequestTooLargeError, so the
forwarder can send the request in halves. A batch is sent as the exchange/v1 envelope, in the
exact bytes its packing measured (chalicelib/exchange/requests.py). Only the standard library
is used: no HTTP dependency in the Lambda package.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.exchange.requests import RequestTooLargeError, encode, envelope


class MinistryUnavailableError(Exception):
    """The ministry could not be reached or answered with an error for the whole batch."""


class MinistryClient:
    def __init__(self, base_url: str, province_code: str, secret: str, timeout: float) -> None:
        self._base = base_url.rstrip("/")
        self._province = province_code
        self._secret = secret
        self._timeout = timeout
        self._token: tuple[str, datetime] | None = None
        self._lock = threading.Lock()

    def send(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """POST one request of items; return the per-item results in order."""
        data = encode(envelope(items))
        for attempt in range(2):
            status, body = self._post("/v1/exchange/batch", data, self._bearer())
            if status == 401 and attempt == 0:
                self._token = None  # expired or rotated: fetch a new token once
                continue
            if status == 413:
                raise RequestTooLargeError(f"exchange refused {len(data)} bytes (HTTP 413)")
            if status != 200 or not isinstance(body.get("results"), list):
                raise MinistryUnavailableError(f"exchange answered HTTP {status}")
            results: list[dict[str, Any]] = body["results"]
            if len(results) != len(items):
                raise MinistryUnavailableError("exchange answered a different number of items")
            return results
        raise MinistryUnavailableError("exchange credential refused")

    def _bearer(self) -> str:
        with self._lock:
            now = datetime.now(UTC)
            if self._token is None or self._token[1] <= now:
                status, body = self._post(
                    "/v1/exchange/token",
                    encode({"province_code": self._province, "secret": self._secret}),
                    None,
                )
                if status != 200:
                    raise MinistryUnavailableError(f"exchange token refused (HTTP {status})")
                expires = datetime.fromisoformat(body["expires_at"]) - timedelta(seconds=60)
                self._token = (str(body["access_token"]), expires)
            return self._token[0]

    def _post(self, path: str, data: bytes, token: str | None) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(
            self._base + path,
            data=data,
            headers=headers,
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            try:
                return exc.code, json.loads(exc.read() or b"{}")
            except ValueError:
                return exc.code, {}
        except (OSError, ValueError) as exc:
            raise MinistryUnavailableError(f"exchange unreachable: {exc}") from exc
