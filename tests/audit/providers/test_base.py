"""audit/providers/base.py: what every provider shares: its base URL, the `new_upstream` filter,
and the strict readers of a provider's fields (types, token counts, dates)."""

from __future__ import annotations

from typing import Any

import pytest

from audit.errors import ProviderFailed
from audit.providers.base import UpstreamModel, field_of, iso_date, malformed, positive_or_none
from audit.providers.gemini import GeminiProvider
from audit.providers.openai import OpenAIProvider


def reason(call: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(ProviderFailed) as caught:
        call(*args, **kwargs)
    return caught.value.reason


def test_a_base_url_is_the_providers_own_unless_given_and_loses_its_trailing_slash() -> None:
    assert OpenAIProvider().base_url == OpenAIProvider.default_base_url
    assert OpenAIProvider("http://127.0.0.1:9/v1/").base_url == "http://127.0.0.1:9/v1"


def test_the_include_filter_is_the_default_unless_given_and_case_sensitive() -> None:
    assert GeminiProvider().include == GeminiProvider.default_include
    assert GeminiProvider(include=[]).include == ()  # an empty filter: nothing is new
    provider = GeminiProvider(include=["gemini-*-pro"])
    assert provider.is_candidate(UpstreamModel("gemini-3-pro"))
    assert not provider.is_candidate(UpstreamModel("gemini-3-flash"))
    assert not provider.is_candidate(UpstreamModel("Gemini-3-pro"))
    assert not provider.is_candidate(UpstreamModel("gemini-3-pro", generates=False))
    assert not GeminiProvider(include=[]).is_candidate(UpstreamModel("gemini-3-pro"))


def test_a_field_of_the_documented_type_is_read_and_any_other_is_malformed() -> None:
    entry = {"id": "m", "limit": 5, "flag": True, "none": None}
    assert field_of(entry, "id", str, where="data[0]") == "m"
    assert field_of(entry, "none", (int, type(None)), where="data[0]") is None
    assert field_of(entry, "absent", (int, type(None)), where="data[0]") is None
    assert field_of(entry, "flag", bool, where="data[0]") is True
    assert reason(field_of, entry, "limit", str, where="data[0]") == (
        "malformed body: data[0].limit is not of the documented type"
    )
    # A bool is an int to Python, never a token count to us.
    assert reason(field_of, entry, "flag", int, where="data[0]") == (
        "malformed body: data[0].flag is not of the documented type"
    )
    assert reason(field_of, ["m"], "id", str, where="data[3]") == (
        "malformed body: data[3] is not an object"
    )


def test_a_token_count_is_positive_or_not_stated() -> None:
    assert positive_or_none(1, where="x") == 1
    assert positive_or_none(None, where="x") is None
    assert (
        reason(positive_or_none, 0, where="m.max")
        == "malformed body: m.max is 0, not a token count"
    )
    assert reason(positive_or_none, -3, where="m.max") == (
        "malformed body: m.max is -3, not a token count"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2027-01-14", "2027-01-14"),
        ("2027-01-14T00:00:00Z", "2027-01-14"),
        ("2027-01-14T23:30:00-05:00", "2027-01-15"),  # the UTC date
        ("2027-01-15T01:00:00+02:00", "2027-01-14"),
        ("2027-01-14T12:00:00", "2027-01-14"),  # no offset: taken as given
        (None, None),
    ],
)
def test_a_date_or_datetime_is_read_as_its_utc_date(
    value: str | None, expected: str | None
) -> None:
    assert iso_date(value, where="x") == expected


@pytest.mark.parametrize("value", ["2027-02-30", "14/01/2027", "tomorrow", ""])
def test_anything_else_is_not_a_date(value: str) -> None:
    assert reason(iso_date, value, where="data[0].retires_at") == (
        "malformed body: data[0].retires_at is not a date"
    )


def test_malformed_is_a_provider_failure_saying_so() -> None:
    failure = malformed("page.data")
    assert isinstance(failure, ProviderFailed)
    assert failure.reason == "malformed body: page.data"
