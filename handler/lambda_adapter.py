"""The Lambda side of the API: every event gets an answer.

`build_lambda_handler(app)` checks an event's shape before Mangum reads it, adapts it with
Mangum, and answers anything it cannot serve with a JSON 400 `unsupported_event` (so the invoke
is neither a function failure nor retried), and a failure around the app with a JSON 500.
"""

from __future__ import annotations

import base64
import binascii
import functools
import logging
import re
import traceback
import uuid
from collections.abc import Callable, MutableMapping
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, NoReturn

from mangum import Mangum
from mangum.handlers import APIGateway, HTTPGateway

from catalog.problems import quoted
from handler.dialects import HeaderLookup
from handler.errors import INTERNAL_ERROR_MESSAGE, APIError
from handler.lambda_types import LambdaContext
from handler.middleware import request_id_from_event
from handler.text_body import TEXT_BODY, TextBodySlot

if TYPE_CHECKING:
    from fastapi import FastAPI

    from handler.dialects import Dialects

LambdaHandler = Callable[[Any, LambdaContext], dict[str, Any]]

logger = logging.getLogger(__name__)


def build_lambda_handler(app: FastAPI) -> LambdaHandler:
    """A Lambda entry point serving `app`: API Gateway HTTP API (payload 2.0 and 1.0) and REST
    API events. Every event gets an answer, and the next one is served as usual:

    - an event this function cannot serve (another trigger, a malformed request) gets a JSON
      400 `unsupported_event`, so the invoke is not a function failure (nor retried);
    - the app's own errors are its JSON 500 (handler.errors); if running it fails around the
      app (Mangum's event loop), a JSON 500 too, logged with its traceback.

    Mangum base64-encodes a body that is not UTF-8 (`isBase64Encoded: true`): a gzip body
    always is one, since gzip's second byte (0x8b) can never start a UTF-8 sequence.
    """
    # The public Mangum, lifespan off (it would run per invocation). Our handler comes first in
    # its list and takes every event: it checks the shape, then adapts it with Mangum's own
    # handler, so what Mangum raises (UnsupportedEvent) is told apart from a failure to run the
    # app (anything else).
    adapter = Mangum(app, lifespan="off", custom_handlers=[CheckedGatewayEvent])
    # The app's dialects answer the errors it never sees, as it would have.
    dialects: Dialects = app.state.dialects

    def lambda_handler(event: Any, context: LambdaContext) -> dict[str, Any]:
        try:
            response: dict[str, Any] = adapter(event, context)
        except UnsupportedEvent as exc:
            return _unsupported_event(event, context, str(exc), dialects)
        except Exception:
            request_id = _request_id(event, context)
            logger.exception("could not run the app for request %s", request_id)
            return _lambda_error(
                APIError(500, INTERNAL_ERROR_MESSAGE, type="server_error", code="internal_error"),
                request_id,
                event,
                dialects,
            )
        return response

    return lambda_handler


class CheckedGatewayEvent:
    """A Mangum `LambdaHandler` (its `custom_handlers=` extension point) for every event: it
    raises UnsupportedEvent for an event Mangum could not adapt, else adapts it with Mangum's
    own handler for it (HTTPGateway: `version` 1.0 or 2.0; APIGateway: REST).

    The scope and body are built once, here: Mangum's handlers rebuild them on each access,
    and a failure to build them (what the shape check missed) is still the event's fault.
    The scope offers the app the TEXT_BODY extension (handler/text_body.py): a prebuilt body
    left there as text is answered as is, not copied and decoded again by Mangum.
    """

    @classmethod
    def infer(cls, event: Any, _context: Any, _config: Any) -> bool:
        _check_event(event)
        return True

    def __init__(self, event: Any, context: Any, config: Any) -> None:
        gateway = _HTTPGateway if "version" in event else _APIGateway
        self._adapted = gateway(event, context, config)
        try:
            self.scope: MutableMapping[str, Any] = self._adapted.scope
            self.body: bytes = self._adapted.body
        except Exception as exc:
            raise UnsupportedEvent(f"Mangum raised {_raised_at(exc)}") from exc
        self._text_body = TextBodySlot()
        self.scope.setdefault("extensions", {})[TEXT_BODY] = self._text_body

    def __call__(self, response: Any) -> dict[str, Any]:
        answer: dict[str, Any] = self._adapted(response)
        text_body = self._text_body
        # Only a response that sent nothing besides its text: a failure after the text was
        # left (Mangum's own 500 body) is answered as Mangum built it.
        if text_body.text is not None and response["body"] == b"":
            answer["body"], answer["isBase64Encoded"] = text_body.text, text_body.base64
        return answer


# Mangum's handlers build their scope anew on each access, and HTTPGateway reads it again to
# answer: built once per event instead (about 5 % of a warm list's time, measured).
class _HTTPGateway(HTTPGateway):
    scope = functools.cached_property(HTTPGateway.scope.fget)  # type: ignore[attr-defined]


class _APIGateway(APIGateway):
    scope = functools.cached_property(APIGateway.scope.fget)  # type: ignore[attr-defined]


def _unsupported_event(
    event: Any, context: LambdaContext | None, reason: str, dialects: Dialects
) -> dict[str, Any]:
    request_id = _request_id(event, context)
    # The reason names fields, never their values: an event carries keys and client headers.
    logger.warning(
        "unsupported event, not an API Gateway request we can serve (request id %s): %s",
        request_id,
        reason,
    )
    error = APIError(
        400,
        "This function only answers well-formed API Gateway HTTP requests.",
        code="unsupported_event",
    )
    return _lambda_error(error, request_id, event, dialects)


def _request_id(event: Any, context: LambdaContext | None) -> str:
    """API Gateway's request id if the event has one, else the invocation's."""
    from_context = getattr(context, "aws_request_id", None)
    return (
        request_id_from_event(event)
        or (from_context if isinstance(from_context, str) else None)
        or uuid.uuid4().hex
    )


def _lambda_error(
    error: APIError, request_id: str, event: Any, dialects: Dialects
) -> dict[str, Any]:
    """An error answered without the app, as API Gateway takes it from any payload version,
    in the shape of the client's dialect as far as the event's headers say which."""
    dialect = dialects.select(_event_header_lookup(event))
    headers = {
        "content-type": "application/json",
        "x-content-type-options": "nosniff",
        "x-request-id": request_id,
        "vary": dialects.vary,
        **dialect.response_headers(request_id),
    }
    return {
        "statusCode": error.status,
        "headers": headers,
        "body": dialect.error_body(error, request_id).decode(),
        "isBase64Encoded": False,
    }


def _event_header_lookup(event: Any) -> HeaderLookup:
    """The event's headers (any case, any payload version) as a dialect asks for them; an
    event whose headers cannot be read has none. A header whose value is no string is present,
    empty (the event is refused for it, and the refusal still speaks the client's dialect)."""
    headers = event.get("headers") if isinstance(event, dict) else None
    lowered = (
        {
            name.lower(): value if isinstance(value, str) else ""
            for name, value in headers.items()
            if isinstance(name, str)
        }
        if isinstance(headers, dict)
        else {}
    )
    return lowered.get


def _raised_at(exc: BaseException) -> str:
    """An exception's type and where it was raised, not its message (which may quote a value)."""
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" at {PurePath(frame.filename).name}:{frame.lineno}" if frame else ""
    return type(exc).__name__ + where


# --- The shape of an event, checked before Mangum reads it --------------------------------------
#
# Exactly what Mangum 0.22's handlers read (mangum/handlers/api_gateway.py, utils.py):
#   HTTP API 2.0   requestContext.http.{method, path, sourceIp}, headers, rawQueryString,
#                  cookies, body, isBase64Encoded
#   HTTP API 1.0   (HTTPGateway) and REST API (APIGateway, no `version`): httpMethod, path,
#                  headers, multiValueHeaders, queryStringParameters,
#                  multiValueQueryStringParameters, requestContext.identity.sourceIp, body,
#                  isBase64Encoded
# plus the Host / X-Forwarded-Port headers it turns into the server address, and any string it
# encodes to UTF-8 (a lone surrogate, which JSON's \ud800 can carry, cannot be).


class UnsupportedEvent(ValueError):
    """An event this function cannot serve; the message says why without quoting values."""


_METHOD = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}")  # an RFC 9110 token
_COMMON_METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"))


def _check_event(event: Any) -> None:
    """Raise UnsupportedEvent unless Mangum can adapt `event` as an API Gateway request."""
    if not isinstance(event, dict):
        raise UnsupportedEvent(f"the event is {_kind(event)}, not an object")
    context = event.get("requestContext")
    if not isinstance(context, dict):
        keys = ", ".join(_name(key) for key in list(event)[:20])
        raise UnsupportedEvent(f"no requestContext object; top-level keys: {keys}")
    if "elb" in context:
        raise UnsupportedEvent("an Application Load Balancer event")
    if "version" not in event:
        if "resource" not in event:
            raise UnsupportedEvent("neither `version` (HTTP API) nor `resource` (REST API)")
        _check_v1(event, context)
    elif event["version"] == "2.0":
        _check_v2(event, context)
    elif event["version"] == "1.0":
        _check_v1(event, context)
    else:
        raise UnsupportedEvent("`version` is not 1.0 or 2.0")
    _check_body(event)


def _check_v2(event: dict[str, Any], context: dict[str, Any]) -> None:
    http = context.get("http")
    if not isinstance(http, dict):
        raise UnsupportedEvent("requestContext.http is not an object")
    _method(http.get("method"), "requestContext.http.method")
    _text(http.get("path"), "requestContext.http.path")
    _text(http.get("sourceIp"), "requestContext.http.sourceIp")
    headers = event.get("headers", {})  # absent: none; null is not handled by Mangum
    _server(*_text_map(headers, "headers"))
    _text(event.get("rawQueryString", ""), "rawQueryString")
    _text(event.get("rawPath", ""), "rawPath")
    cookies = event.get("cookies")
    if cookies is not None:
        _text_list(cookies, "cookies")


def _check_v1(event: dict[str, Any], context: dict[str, Any]) -> None:
    _method(event.get("httpMethod"), "httpMethod")
    _text(event.get("path"), "path")
    identity = context.get("identity", {})
    if not isinstance(identity, dict):
        raise UnsupportedEvent("requestContext.identity is not an object")
    _optional_text(identity.get("sourceIp"), "requestContext.identity.sourceIp")
    host, port = _text_map(event.get("headers") or {}, "headers")
    # Mangum joins each list with ", " over `headers`: the Host it reads may come from there.
    multi_host, multi_port = _text_lists(event.get("multiValueHeaders") or {}, "multiValueHeaders")
    _server(host if multi_host is None else multi_host, port if multi_port is None else multi_port)
    _text_map(event.get("queryStringParameters") or {}, "queryStringParameters")
    _text_lists(
        event.get("multiValueQueryStringParameters") or {}, "multiValueQueryStringParameters"
    )


def _check_body(event: dict[str, Any]) -> None:
    body = event.get("body")
    encoded = event.get("isBase64Encoded")
    if encoded not in (None, True, False):
        raise UnsupportedEvent("isBase64Encoded is not a boolean")
    if body is None:
        return
    _text(body, "body")
    if encoded:
        try:
            base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise UnsupportedEvent("body is not valid base64 (isBase64Encoded)") from None


def _server(host: str | None, port: str | None) -> None:
    """Mangum reads the server's address from Host (`name[:port]`) or X-Forwarded-Port."""
    if host is not None:
        _, colon, host_port = host.partition(":")
        if colon and not _is_port(host_port):
            raise UnsupportedEvent("the Host header's port is not a number")
    if port is not None and not _is_port(port):
        raise UnsupportedEvent("the X-Forwarded-Port header is not a number")


def _is_port(text: str) -> bool:
    return 0 < len(text) <= 5 and text.isascii() and text.isdigit()


def _text_map(value: Any, where: str) -> tuple[str | None, str | None]:
    """Check a JSON object of strings (headers, query parameters). Returns its Host and
    X-Forwarded-Port headers (or None), as Mangum reads them."""
    if not isinstance(value, dict):
        raise UnsupportedEvent(f"{where} is {_kind(value)}, not an object")
    # Every key and value at once: a join fails on a non-string, and concatenates strings
    # without ever pairing surrogate halves. Only a failure looks closer, to say where.
    try:
        names, items = "".join(value), "".join(value.values())
    except TypeError:
        _explain_text_map(value, where)
    if not ((names.isascii() and items.isascii()) or (_is_text(names) and _is_text(items))):
        _explain_text_map(value, where)
    return _server_headers(value, names)


def _explain_text_map(value: dict[Any, Any], where: str) -> NoReturn:
    for key, item in value.items():
        if not _is_text(key):
            raise _not_text(key, f"a name in {where}")
        if not _is_text(item):
            raise _not_text(item, f"{where}[{_name(key)}]")
    raise AssertionError(f"{where}: every key and value is text")  # pragma: no cover


def _text_lists(value: Any, where: str) -> tuple[str | None, str | None]:
    """The same for a JSON object of lists of strings (the `multiValue...` fields); a Host or
    X-Forwarded-Port comes back as Mangum joins its list."""
    if not isinstance(value, dict):
        raise UnsupportedEvent(f"{where} is {_kind(value)}, not an object")
    for key, items in value.items():
        if not _is_text(key):
            raise _not_text(key, f"a name in {where}")
        if not (isinstance(items, list) and _all_text(items)):
            _text_list(items, f"{where}[{_name(key)}]")  # raises, saying what is wrong
    host, port = _server_headers(value, "".join(value))
    return (
        None if host is None else ", ".join(host),
        None if port is None else ", ".join(port),
    )


def _server_headers(value: dict[str, Any], names: str) -> tuple[Any, Any]:
    """Host and X-Forwarded-Port of these headers (or None), whatever the case of their names:
    the last of each, as Mangum's lowercased dict keeps it."""
    if names.islower() or names == names.lower():  # HTTP API sends every name lowercase
        return value.get("host"), value.get("x-forwarded-port")
    lowered = {key.lower(): item for key, item in value.items()}
    return lowered.get("host"), lowered.get("x-forwarded-port")


def _text_list(value: Any, where: str) -> None:
    if not isinstance(value, list):
        raise UnsupportedEvent(f"{where} is {_kind(value)}, not a list")
    for item in value:
        if not _is_text(item):
            raise _not_text(item, f"an item of {where}")


def _method(value: Any, where: str) -> None:
    if not (isinstance(value, str) and (value in _COMMON_METHODS or _METHOD.fullmatch(value))):
        raise UnsupportedEvent(f"{where} is not an HTTP method")


def _optional_text(value: Any, where: str) -> None:
    if value is not None:
        _text(value, where)


def _text(value: Any, where: str) -> None:
    if not _is_text(value):
        raise _not_text(value, where)


def _all_text(values: list[Any]) -> bool:
    try:
        return _is_text("".join(values))
    except TypeError:
        return False


def _is_text(value: Any) -> bool:
    """A string Mangum can encode to UTF-8: a str without a lone surrogate."""
    if not isinstance(value, str):
        return False
    if value.isascii():
        return True
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def _not_text(value: Any, where: str) -> UnsupportedEvent:
    if isinstance(value, str):
        return UnsupportedEvent(f"{where} is not valid Unicode (a lone surrogate)")
    return UnsupportedEvent(f"{where} is {_kind(value)}, not a string")


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _name(key: Any) -> str:
    """A key, for a log line: quoted as every message quotes a value (a key may hold anything)."""
    return quoted(key) if isinstance(key, str) else _kind(key)
