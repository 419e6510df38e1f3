"""Prices as billed, through the deployed Lambda handler: the price set in effect switches at
00:00 UTC of its date, with no sync and no redeploy, the ETag with it (issue: a catalog that is
true today). The bundled catalog's real schedules: Gemini 4 Argon and Carbon double on
2026-12-01, Gemini 3.8 Flash on 2027-01-01."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi import FastAPI

from catalog.lifecycle import day_start
from handler.api import lambda_handler
from tests.support.events import SAM_ENV, load, retrieve_event
from tests.support.fakes import FakeClock
from tests.support.http import LambdaContext, lambda_body, lambda_headers
from tests.support.services import make_services

DEC_1 = day_start("2026-12-01")
JAN_1 = day_start("2027-01-01")


@pytest.fixture
def wall(deployed_app: FastAPI) -> FakeClock:
    """The deployed app on the bundled catalog, its wall clock under the test's hand."""
    clock = FakeClock(DEC_1 - 1)
    deployed_app.state.services = make_services(
        dev_key=SAM_ENV["ModelsApiFunction"]["DEV_API_KEY"], wall_clock=clock
    )
    return clock


def retrieve(model_id: str) -> tuple[dict[str, Any], str]:
    event = retrieve_event("retrieve-model.json", f"/v1/models/{model_id}")
    response = lambda_handler(event, LambdaContext())
    assert response["statusCode"] == 200, response
    return json.loads(lambda_body(response)), lambda_headers(response)["etag"]


def listed() -> tuple[dict[str, dict[str, Any]], str]:
    response = lambda_handler(load("list-models.json"), LambdaContext())
    assert response["statusCode"] == 200, response
    data = json.loads(lambda_body(response))["data"]
    return {model["id"]: model for model in data}, lambda_headers(response)["etag"]


ARGON_BEFORE = {"input_per_mtok": 2, "output_per_mtok": 10, "cached_input_per_mtok": 0.1}
ARGON_AFTER = {"input_per_mtok": 4, "output_per_mtok": 20, "cached_input_per_mtok": 0.2}


def test_gemini_4_argon_doubles_at_midnight_utc_on_december_1(wall: FakeClock) -> None:
    before, before_tag = retrieve("gemini-4-argon")
    listing, list_tag = listed()
    assert before["pricing"] == ARGON_BEFORE
    # The change to come is served, so a router can plan its billing.
    assert before["pricing_schedule"] == [{"effective_at": "2026-12-01", "pricing": ARGON_AFTER}]
    assert listing["gemini-4-carbon"]["pricing"] == ARGON_BEFORE

    wall.now = DEC_1  # 00:00 UTC: the new prices, no sync, no deploy
    after, after_tag = retrieve("gemini-4-argon")
    listing, new_list_tag = listed()
    assert after["pricing"] == ARGON_AFTER
    assert "pricing_schedule" not in after  # nothing more to come
    assert listing["gemini-4-carbon"]["pricing"] == ARGON_AFTER
    assert (after_tag, new_list_tag) != (before_tag, list_tag)
    assert after_tag != before_tag

    wall.now = DEC_1 + 86_400 * 10  # later: still the new prices
    assert retrieve("gemini-4-argon")[0]["pricing"] == ARGON_AFTER


def test_gemini_3_8_flash_doubles_on_january_1(wall: FakeClock) -> None:
    wall.now = JAN_1 - 0.001
    before, tag = retrieve("gemini-3.8-flash")
    assert (before["pricing"]["input_per_mtok"], before["pricing"]["output_per_mtok"]) == (
        0.75,
        3.75,
    )
    assert [entry["effective_at"] for entry in before["pricing_schedule"]] == ["2027-01-01"]
    wall.now = JAN_1
    after, new_tag = retrieve("gemini-3.8-flash")
    assert after["pricing"] == {
        "input_per_mtok": 1.5,
        "output_per_mtok": 7.5,
        "cached_input_per_mtok": 0.15,
    }
    assert "pricing_schedule" not in after
    assert new_tag != tag


@pytest.mark.usefixtures("sam_local_env_today")
def test_on_the_real_date_the_served_prices_are_those_in_effect() -> None:
    """Whatever today is: Argon's doubled prices (from 2026-12-01), Sonnet 5.5's cache read
    at 0.10 (from 2026-10-07), and no past entry served as to come."""
    listing, _ = listed()
    assert listing["gemini-4-argon"]["pricing"] == ARGON_AFTER
    assert listing["claude-sonnet-5-5"]["pricing"]["cached_input_per_mtok"] == 0.1
    assert "pricing_schedule" not in listing["claude-sonnet-5-5"]


@pytest.fixture
def sam_local_env_today(deployed_app: FastAPI) -> None:
    deployed_app.state.services = make_services(dev_key=SAM_ENV["ModelsApiFunction"]["DEV_API_KEY"])
