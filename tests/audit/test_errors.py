"""audit/errors.py: a provider that cannot be read fails with a reason of ours."""

from __future__ import annotations

from audit.errors import ProviderFailed


def test_the_reason_is_kept_and_is_the_message() -> None:
    failure = ProviderFailed("HTTP 403: permission_error")
    assert failure.reason == "HTTP 403: permission_error"
    assert str(failure) == "HTTP 403: permission_error"
    assert isinstance(failure, Exception)
