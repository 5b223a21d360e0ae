"""The national interface (`/restservices/lcipprodatarest/.../query`), drop-in compatible.

Why: DMS software already talks to provincial systems with this interface. Answers follow it:
HTTP 200 with `code` "1" on success and a negative code with a Chinese `status` otherwise
(-1 参数无效, -2 参数格式不对, -10 企业不存在, -11 密码错误, -99 异常). We add fields (our
receipt, structured `errors`) that such clients ignore. Both shop doors call the same
services; this one maps errors to its own answers (`national_errors`), once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from chalice import Response

from chalicelib.bootstrap import auth_service, record_service
from chalicelib.doors.kit.http import (
    ANY_CONTENT_TYPE,
    PayloadError,
    json_response,
    read_json,
    source_ip,
)
from chalicelib.doors.kit.models import conform
from chalicelib.doors.kit.operations import Doc
from chalicelib.doors.shop_api.door import door
from chalicelib.doors.shop_api.models import CompatAnswer, CompatTokenAnswer, CompatUploadAnswer
from chalicelib.doors.shop_api.national_models import (
    CompatRecordRequest,
    CompatTokenRequest,
    parse_compat_record,
)
from chalicelib.doors.shop_api.views import receipt_view
from chalicelib.errors import (
    AuthenticationError,
    ConflictError,
    DomainError,
    FieldError,
    ForbiddenError,
    LockedOutError,
    ServiceUnavailableError,
    ValidationFailedError,
)
from chalicelib.observability import logger
from chalicelib.services.auth import UnknownPrincipalError, WrongSecretError

BASE = "/restservices/lcipprodatarest"
TOKEN = Doc(
    "National interface: token exchange",
    "national",
    {200: CompatTokenAnswer},
    (),
    body=CompatTokenRequest,
    description="Always HTTP 200: the outcome is `code` (1, -1, -2, -10, -11, -99).",
)
UPLOAD = Doc(
    "National interface: upload one record",
    "national",
    {200: CompatUploadAnswer},
    (),
    body=CompatRecordRequest,
    description="Always HTTP 200: the outcome is `code`; every value is a string.",
)


def _answer(code: str, status: str, **extra: Any) -> Response:
    model = CompatAnswer
    if "access_token" in extra:
        model = CompatTokenAnswer
    elif "receipt" in extra:
        model = CompatUploadAnswer
    return json_response(conform(model, {"code": code, "status": status, **extra}))


def national_errors(view: Callable[..., Any]) -> Callable[..., Any]:
    """Map errors to the national `{code, status}` answers (always HTTP 200, as it does)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except PayloadError as exc:
            return _answer("-2", f"参数格式不对：{exc.error.message}", errors=[exc.error.as_dict()])
        except ValidationFailedError as exc:
            missing = any(e.rule == "required" for e in exc.errors)
            fields = "、".join(e.field for e in exc.errors)
            return _answer(
                "-1" if missing else "-2",
                f"{'参数无效' if missing else '参数格式不对'}：{fields}",
                errors=[e.as_dict() for e in exc.errors],
            )
        except DomainError as exc:
            code, status = _domain_answer(exc)
            return _answer(code, status, error=exc.code)
        except Exception:
            logger.exception("unhandled error in national interface")
            return _answer("-99", "异常")

    return wrapper


def _domain_answer(exc: DomainError) -> tuple[str, str]:
    if isinstance(exc, UnknownPrincipalError):
        return "-10", "企业不存在"
    if isinstance(exc, WrongSecretError):
        return "-11", "密码错误"
    if isinstance(exc, LockedOutError):
        return "-11", f"密码错误次数过多，请{-(-exc.retry_after // 60)}分钟后再试"
    if isinstance(exc, AuthenticationError):
        return "-1", "参数无效：access_token无效或已过期"
    if isinstance(exc, ForbiddenError):
        return "-1", "参数无效：企业已暂停上传"
    if isinstance(exc, ConflictError):
        return "-1", "参数无效：该结算清单的维修记录已作废"
    if isinstance(exc, ServiceUnavailableError):
        return "-99", "异常：系统繁忙，请稍后重试"
    return "-99", "异常"


@door.route(
    f"{BASE}/lcipprogetaccesstoken/query",
    methods=["POST"],
    content_types=ANY_CONTENT_TYPE,
    doc=TOKEN,
    errors=national_errors,
)
def get_access_token() -> Response:
    body = _object(read_json(door.request))
    companycode, password = body.get("companycode"), body.get("companypassword")
    if not isinstance(companycode, str) or not isinstance(password, str) or not password:
        return _answer("-1", "参数无效：companycode、companypassword")
    token, principal = auth_service().shop_token(
        companycode, password, source=source_ip(door.request)
    )
    return _answer("1", "获取成功", access_token=token, expires_at=principal.expires_at.isoformat())


@door.route(
    f"{BASE}/lcipprocarfixrecordadd/query",
    methods=["POST"],
    content_types=ANY_CONTENT_TYPE,
    doc=UPLOAD,
    errors=national_errors,
)
def add_record() -> Response:
    body = _object(read_json(door.request))
    token = body.get("access_token")
    service = auth_service()
    shop = service.shop_of(service.resolve(token if isinstance(token, str) else ""))
    logger.append_keys(companycode=shop.companycode)
    receipt = record_service().upload(shop, parse_compat_record(body))
    return _answer("1", "新增成功", receipt=receipt_view(receipt))


def _object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationFailedError([FieldError("body", "object", "请求体必须是JSON对象")])
    return value
