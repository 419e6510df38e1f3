"""API-key authentication for every /v1 route. Fails closed; never logs a key.

The key is accepted in either header, in both dialects: `Authorization: Bearer` (OpenAI's
SDKs, Anthropic's `auth_token`, Claude Code's ANTHROPIC_AUTH_TOKEN) or `x-api-key` (Anthropic's
`api_key`, Claude Code's ANTHROPIC_API_KEY). Both headers with different values is refused, not
guessed at: one key is verified per request, and it is the one the client meant.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from apikeys.errors import InvalidApiKey
from apikeys.store import ApiKeyRecord
from handler.deps import KeyVerifierDep
from handler.errors import APIError

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


async def require_api_key(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    x_api_key: Annotated[str | None, Depends(api_key_header)],
    verifier: KeyVerifierDep,
) -> ApiKeyRecord:
    if request.headers.get("authorization", "").strip() and (
        credentials is None or not credentials.credentials.strip()
    ):
        raise _unauthorized(
            "Malformed Authorization header. Provide your API key as "
            "'Authorization: Bearer YOUR_KEY' or in an 'x-api-key' header."
        )
    # Any str: under Mangum a header value is whatever the event held (non-ASCII, control
    # characters, even a lone surrogate); the verifier refuses what is not a key without raising.
    bearer = credentials.credentials.strip() if credentials is not None else ""
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
    try:
        return verifier.verify(key)
    except InvalidApiKey:
        raise _unauthorized(
            f"Incorrect API key provided: {_masked(key)}. Check the key, or create a new one."
        ) from None


ApiKeyDep = Annotated[ApiKeyRecord, Depends(require_api_key)]
