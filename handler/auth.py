"""Bearer-key authentication for every /v1 route. Fails closed; never logs a key."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

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
    verifier: KeyVerifierDep,
) -> ApiKeyRecord:
    if credentials is None or not credentials.credentials.strip():
        if request.headers.get("authorization", "").strip():
            raise _unauthorized(
                "Malformed Authorization header. Provide your API key as "
                "'Authorization: Bearer YOUR_KEY'."
            )
        raise _unauthorized(
            "You didn't provide an API key. You need to provide your API key in an "
            "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
        )
    # Any str: under Mangum a header value is whatever the event held (non-ASCII, control
    # characters, even a lone surrogate); the verifier refuses what is not a key without raising.
    key = credentials.credentials.strip()
    try:
        return verifier.verify(key)
    except InvalidApiKey:
        raise _unauthorized(
            f"Incorrect API key provided: {_masked(key)}. Check the key, or create a new one."
        ) from None


ApiKeyDep = Annotated[ApiKeyRecord, Depends(require_api_key)]
