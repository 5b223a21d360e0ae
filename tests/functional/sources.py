"""Requests from a chosen source address, through the same local API Gateway as chalice's
test client.

Why: `chalice.test.Client` sends every request as 127.0.0.1 (its event converter's
LOCAL_SOURCE_IP), but the token doors count attempts per source address, which API Gateway
passes in `requestContext.identity.sourceIp`. `SourceClient` builds the event exactly as
chalice's `LocalGateway` does (its own `LambdaEventConverter`), sets that one field, and
hands it to the same gateway: routing, content types, middleware and the app are chalice's
own. It offers what tests use of a Client (`.http.request(...)`), so `Api`, `PortalClient`
and the console `Browser` work unchanged on top of it:

    attacker = Api(SourceClient("198.51.100.7"))
    attacker.post("/v1/auth/token", {...})        # seen by the app as 198.51.100.7

Unlike `Client.http` it does not swap `os.environ` for the stage's variables around each
request (the test environment already holds them).
"""

from __future__ import annotations

from typing import Any

from chalice.config import Config
from chalice.local import LambdaEventConverter, LocalGateway, LocalGatewayException, RouteMatcher
from chalice.test import HTTPResponse


class _SourceEventConverter(LambdaEventConverter):
    def __init__(self, app: Any, source_ip: str) -> None:
        # As LocalGateway builds its converter, with the source added.
        super().__init__(RouteMatcher(list(app.routes)), app.api.binary_types)
        self._source_ip = source_ip

    def create_lambda_event(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None = None
    ) -> dict[str, Any]:
        event = super().create_lambda_event(method, path, headers, body)
        event["requestContext"]["identity"]["sourceIp"] = self._source_ip
        return event


class SourceHTTPClient:
    def __init__(self, app: Any, source_ip: str) -> None:
        self._gateway = LocalGateway(app, Config.create())
        self._gateway.event_converter = _SourceEventConverter(app, source_ip)

    def request(
        self,
        method: str,
        path: str,
        headers: dict[str, str] | None = None,
        body: bytes | str | None = b"",
    ) -> HTTPResponse:
        try:
            response = self._gateway.handle_request(
                method=method.upper(), path=path, headers=headers or {}, body=body
            )
        except LocalGatewayException as exc:
            return HTTPResponse(headers=exc.headers, body=exc.body or b"", status_code=exc.CODE)
        return HTTPResponse.create_from_dict(response)


class SourceClient:
    """The part of `chalice.test.Client` the tests' helpers use, sending from `source_ip`."""

    def __init__(self, source_ip: str) -> None:
        from app import app

        self.source_ip = source_ip
        self.http = SourceHTTPClient(app, source_ip)
