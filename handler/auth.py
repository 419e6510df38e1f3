"""API-key authentication for every /v1 route. Fails closed; never logs a key.

The key is accepted in either header, in both dialects: `Authorization: Bearer` (OpenAI's
SDKs, Anthropic's `auth_token`, Claude Code's ANTHROPIC_AUTH_TOKEN) or `x-api-key` (Anthropic's
`api_key`, Claude Code's ANTHROPIC_API_KEY). Both headers with different values is refused, not
guessed at: one key is verified per request, and it is the one the client meant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from apikeys.errors import InvalidApiKey
from apikeys.store import ApiKeyRecord
from handler.deps import KeyVerifierDep
from handler.errors import APIError

if TYPE_CHECKING:
    from apikeys.verifier import KeyVerifier

# auto_error=False: a missing key must get our OpenAI-shaped 401, not FastAPI's 403.
bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An AssistantRouter API key: `Authorization: Bearer ar-...`",
)

api_key_header = APIKeyHeader(
    name="x-api-key",
    auto_error=False,
    scheme_name="XApiKey",
    description="The same key in Anthropic's header: `x-api-key: ar-...`",
)

_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def _unauthorized(message: str) -> APIError:
    return APIError(401, message, code="invalid_api_key", headers=_CHALLENGE)


def _masked(key: str) -> str:
    """At most a short prefix of what the caller sent: enough to recognise it, useless to steal.
    Only printable ASCII is echoed: a control character or a stray code point is not."""
    prefix = key[: min(6, len(key) // 2)]
    if not (prefix.isascii() and prefix.isprintable()):
        prefix = ""
    return prefix + "***"


def presented_key(authorization: str | None, x_api_key: str | None) -> str:
    """The one key a request presents, from its `Authorization` and `x-api-key` headers, read
    as the operations' security schemes read them (`bearer_scheme`: a `Bearer` scheme, any
    case, and a non-blank token; `api_key_header`: any non-empty value). Raises the 401 for a
    malformed Authorization, for two different keys, and for none.

    Any str: under Mangum a header value is whatever the event held (non-ASCII, control
    characters, even a lone surrogate); the verifier refuses what is not a key without raising.
    """
    bearer = ""
    if authorization and authorization.strip():
        scheme, _, token = authorization.partition(" ")
        bearer = token.strip() if scheme.lower() == "bearer" else ""
        if not bearer:
            raise _unauthorized(
                "Malformed Authorization header. Provide your API key as "
                "'Authorization: Bearer YOUR_KEY' or in an 'x-api-key' header."
            )
    header_key = (x_api_key or "").strip()
    if bearer and header_key and bearer != header_key:
        raise _unauthorized(
            "Two different API keys were sent, in the Authorization and x-api-key headers. "
            "Send your key in one of them."
        )
    key = bearer or header_key
    if not key:
        raise _unauthorized(
            "You didn't provide an API key. You need to provide your API key in an "
            "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), "
            "or in an x-api-key header."
        )
    return key


def verified_key(verifier: KeyVerifier, key: str) -> ApiKeyRecord:
    """The record of `key`, or the 401 that names it masked."""
    try:
        return verifier.verify(key)
    except InvalidApiKey:
        raise _unauthorized(
            f"Incorrect API key provided: {_masked(key)}. Check the key, or create a new one."
        ) from None


async def require_api_key(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    _x_api_key: Annotated[str | None, Depends(api_key_header)],
    verifier: KeyVerifierDep,
) -> ApiKeyRecord:
    """The documented operations' security: the two schemes (so /openapi.json names them),
    and the key they carry verified. The served routes do the same without FastAPI's
    dependency resolution (handler/app.py, `_authenticated`)."""
    headers = request.headers
    key = presented_key(headers.get("authorization"), headers.get("x-api-key"))
    return verified_key(verifier, key)


ApiKeyDep = Annotated[ApiKeyRecord, Depends(require_api_key)]
