"""Mutated API Gateway events through the deployed Lambda handler: every one gets an answer.

Each sample in events/ is mutated a few hundred times (a key dropped; a value set to null, a
number, a list, an object, a lone surrogate, invalid base64...), deterministically: a failure
names its seed and mutations, and the same run reproduces it. Whatever the event, the answer is
a dict with a 2xx/304/4xx status, an OpenAI-shaped JSON error when it is not a success, and
`nosniff`; and the next good request is still served.
"""

from __future__ import annotations

import binascii
import copy
import json
import random
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from handler.api import lambda_handler
from handler.compose import build_api
from handler.settings import Settings
from tests.support.events import API_EVENTS, SAM_ENV, load
from tests.support.http import ERROR_KEYS, LambdaContext, lambda_body

if TYPE_CHECKING:
    from fastapi import FastAPI

SEED = 20261124
MUTATIONS_PER_EVENT = 450  # x 7 samples: about 3,000 mutated events

REPLACEMENTS: list[Any] = [
    None,
    0,
    1,
    -1,
    2.5,
    True,
    False,
    [],
    ["x"],
    [1, None],
    {},
    {"a": "b"},
    {"a": 1},
    "",
    " ",
    "\ud800",
    "a\udfffb",
    "Bearer \ud83d",
    "\x00",
    "é",
    "%",
    "%2F",
    "a:b:c",
    "x" * 5000,
    "!!not base64!!",
    "aGVsbG8=",
    "GET",
    "HEAD",
    "POST",
    "get",
    "/",
    "/v1/models",
    "/v1/models/gpt-4o",
    "1.0",
    "2.0",
    "3.0",
    "gzip",
    "gzip;q=0",
    '"etag"',
    "*",
]


# Values of the headers the API reads itself (conditional requests, gzip).
HEADER_VALUES: list[Any] = [
    "*",
    "gzip",
    "gzip;q=0",
    "gzip, br",
    "*;q=0.5, identity;q=1",
    "gzip;q=nan",
    '"x"',
    'W/"x", *',
    "bytes=0-10",
    "",
    "\ud800",
    1,
    None,
]


def locations(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path of every value in a JSON document, the document itself first."""
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from locations(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from locations(value, (*prefix, index))


def mutate(event: dict[str, Any], rng: random.Random) -> tuple[Any, list[str]]:
    """A copy of `event` with one to three mutations, and what they were."""
    mutated: Any = copy.deepcopy(event)
    done: list[str] = []
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        path = rng.choice(list(locations(mutated)))
        if not path:
            mutated = rng.choice(REPLACEMENTS)
            done.append(f"event = {mutated!a:.60}")
            if not isinstance(mutated, dict):
                break
            continue
        parent = mutated
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        roll = rng.random()
        if roll < 0.25 and isinstance(parent, dict):
            del parent[key]
            done.append(f"del {path!a}")
        elif roll < 0.35 and isinstance(mutated, dict):
            mutated["isBase64Encoded"] = True
            mutated["body"] = rng.choice(["!!not base64!!", "abc", "aGVsbG8=", "é", "", "YQ"])
            done.append(f"base64 body {mutated['body']!a}")
        elif roll < 0.4 and isinstance(parent, dict):
            name = rng.choice(["x-new", "Host", "X-Forwarded-Port", "\ud800", "cookies"])
            parent[name] = rng.choice(REPLACEMENTS)
            done.append(f"add {(*path[:-1], name)!a} = {parent[name]!a:.60}")
        elif roll < 0.5 and isinstance(mutated, dict) and isinstance(mutated.get("headers"), dict):
            name = rng.choice(["accept-encoding", "if-none-match", "Accept-Encoding", "Range"])
            mutated["headers"][name] = value = rng.choice(HEADER_VALUES)
            done.append(f"header {name!a} = {value!a:.60}")
        else:
            parent[key] = rng.choice(REPLACEMENTS)
            done.append(f"set {path!a} = {parent[key]!a:.60}")
    return mutated, done


def check_answer(response: Any) -> str:
    """Assert the answer is well formed; return its kind for the tally."""
    assert isinstance(response, dict)
    status = response["statusCode"]
    assert status in (200, 304) or 400 <= status < 500, status
    headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
    assert headers["x-content-type-options"] == "nosniff"
    assert isinstance(headers["x-request-id"], str)
    assert headers["x-request-id"]
    body = lambda_body(response)
    if status == 200:
        if body:  # a HEAD has none
            json.loads(body)
        return "200"
    if status == 304:
        assert body == b""
        return "304"
    if not body:
        return f"{status} (HEAD)"
    answer = json.loads(body)
    if answer.get("type") == "error":  # Anthropic's shape: the event kept anthropic-version
        assert set(answer) == {"type", "error", "request_id"}
        error = answer["error"]
        assert set(error) == {"type", "message"}
        assert isinstance(error["message"], str)
        assert error["type"] in ANTHROPIC_CLIENT_ERRORS
        assert headers["request-id"] == answer["request_id"] == headers["x-request-id"]
        unsupported = error["message"].startswith("This function only answers")
        return f"{status} {'unsupported_event' if unsupported else error['type']}"
    error = answer["error"]
    assert set(error) == ERROR_KEYS
    assert isinstance(error["message"], str)
    assert error["type"] == "invalid_request_error"
    assert "request-id" not in headers
    return f"{status} {error['code']}"


# What a client's mistake may be in Anthropic's shape (a 4xx, never a server error).
ANTHROPIC_CLIENT_ERRORS = {"invalid_request_error", "authentication_error", "not_found_error"}


@pytest.fixture
def sam_local_env(deployed_app: FastAPI) -> None:
    settings = Settings.from_environ(SAM_ENV["ModelsApiFunction"])
    deployed_app.state.services = build_api(settings)


@pytest.mark.usefixtures("sam_local_env")
@pytest.mark.parametrize("name", API_EVENTS)
def test_every_mutated_event_gets_an_answer_and_the_next_one_is_served(name: str) -> None:
    sample: dict[str, Any] = load(name)
    good = load("list-models.json")
    context = LambdaContext()
    rng = random.Random(f"{SEED}:{name}")
    tally: Counter[str] = Counter()
    for number in range(MUTATIONS_PER_EVENT):
        event, mutations = mutate(sample, rng)
        where = f"seed {SEED}, {name}, mutation #{number}: {mutations}"
        try:
            tally[check_answer(lambda_handler(event, context))] += 1
        except (AssertionError, KeyError, ValueError, binascii.Error) as exc:
            raise AssertionError(f"{where}: {exc!r}") from exc
        after = lambda_handler(good, context)
        assert after["statusCode"] == 200, where
    # The mutations reach both sides of the check: refused events and served ones.
    assert tally["400 unsupported_event"] > MUTATIONS_PER_EVENT // 5, tally
    served = sum(n for kind, n in tally.items() if kind != "400 unsupported_event")
    assert served > MUTATIONS_PER_EVENT // 10, tally
