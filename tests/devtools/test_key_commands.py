"""devtools/key_commands.py: `ar-models keys create | list | revoke` against the keys table
(moto)."""

from __future__ import annotations

import re
from datetime import datetime
from itertools import pairwise
from typing import TYPE_CHECKING

import pytest

from apikeys.material import has_valid_checksum, hash_key, looks_like_key
from apikeys.store import ApiKeyStore
from devtools.cli import main
from tests.support.fake_keys import legacy_key, store_legacy_key

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

COLUMNS = ["PREFIX", "NAME", "TIER", "STATUS", "CREATED"]


@pytest.fixture
def keys_env(keys_table: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The CLI is a composition root: it reads API_KEYS_TABLE from the environment at main()."""
    monkeypatch.setenv("API_KEYS_TABLE", keys_table)
    return keys_table


def create(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["keys", "create", *args]) == 0
    return capsys.readouterr().out.strip().splitlines()[-1]


def store(table: str, dynamodb: DynamoDBClient) -> ApiKeyStore:
    return ApiKeyStore(table, dynamodb=lambda: dynamodb)


def test_create_prints_the_key_alone_last_and_stores_its_hash(
    keys_env: str, dynamodb: DynamoDBClient, capsys: pytest.CaptureFixture[str]
) -> None:
    key = create(capsys, "--name", "router-prod", "--tier", "pro")
    assert re.fullmatch(r"ar-[A-Za-z0-9_-]{43}_[0-9A-Za-z]{6}", key), key
    assert has_valid_checksum(key)
    assert looks_like_key(key)
    record = store(keys_env, dynamodb).get(hash_key(key))
    assert record is not None
    assert (record.name, record.tier, record.status, record.prefix) == (
        "router-prod",
        "pro",
        "active",
        key[:11],
    )


def test_list_shows_prefixes_never_keys(keys_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    first = create(capsys, "--name", "one")
    second = create(capsys, "--name", "two")
    assert main(["keys", "list"]) == 0
    out = capsys.readouterr().out
    assert first not in out
    assert second not in out
    assert first[:11] in out
    assert second[:11] in out
    assert "one" in out
    assert "active" in out


def columns(line: str, starts: list[int]) -> list[str]:
    """The cells of a printed row, cut where the header's titles begin."""
    ends: list[int | None] = [*starts[1:], None]
    return [line[start:end].rstrip() for start, end in zip(starts, ends, strict=True)]


def test_list_aligns_its_columns_whatever_the_names(
    keys_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    wanted = [
        ("ci", "default"),
        ("the nightly batch router of the eu-west fleet", "enterprise"),
        ("x", "pro"),
    ]
    prefixes = {
        create(capsys, "--name", name, "--tier", tier)[:11]: (name, tier) for name, tier in wanted
    }
    assert main(["keys", "list"]) == 0
    header, *rows = capsys.readouterr().out.splitlines()

    assert header.split() == COLUMNS
    starts = [header.index(title) for title in COLUMNS]
    table = [columns(line, starts) for line in [header, *rows]]
    assert table[0] == COLUMNS
    # Each cell starts exactly at its column, two spaces after the previous column's widest cell
    # (the prefix column included: "ar-xxxxxxxx..." must not run into the name).
    for line in [header, *rows]:
        for start in starts[1:]:
            assert line[start - 2 : start] == "  ", line
            assert line[start] != " ", line
    for column, (start, end) in enumerate(pairwise(starts)):
        assert end - start == max(len(cells[column]) for cells in table) + 2, COLUMNS[column]
    assert not any(line.endswith(" ") for line in [header, *rows])

    listed = {cells[0]: cells[1:] for cells in table[1:]}
    assert set(listed) == {prefix + "..." for prefix in prefixes}
    for prefix, (name, tier) in prefixes.items():
        listed_name, listed_tier, status, created = listed[prefix + "..."]
        assert (listed_name, listed_tier, status) == (name, tier, "active")
        assert datetime.fromisoformat(created).tzinfo is not None


@pytest.mark.parametrize("how", ["full key", "prefix"])
def test_revoke_by_key_or_prefix(
    keys_env: str, dynamodb: DynamoDBClient, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    key = create(capsys, "--name", "leaked")
    assert main(["keys", "revoke", key if how == "full key" else key[:9]]) == 0
    assert "Revoked" in capsys.readouterr().out
    record = store(keys_env, dynamodb).get(hash_key(key))
    assert record is not None
    assert record.status == "revoked"


@pytest.mark.parametrize("how", ["full key", "prefix"])
def test_revoke_finds_keys_issued_before_checksums_too(
    keys_env: str, dynamodb: DynamoDBClient, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    old = legacy_key()
    store_legacy_key(dynamodb, keys_env, old)  # as `keys create` stored it then
    new = create(capsys, "--name", "new")
    assert main(["keys", "revoke", old if how == "full key" else old[:9]]) == 0
    assert f"Revoked {old[:11]}... (from before)" in capsys.readouterr().out
    records = {r.key_hash: r for r in store(keys_env, dynamodb).list()}
    assert records[hash_key(old)].status == "revoked"
    assert records[hash_key(new)].status == "active"


def test_revoke_refuses_unknown_short_and_ambiguous_prefixes(
    keys_env: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    minted = iter(
        ["ar-samepref-one-xxxxxxxxxxxxxxxxxxxxxxx", "ar-samepref-two-yyyyyyyyyyyyyyyyyyyyyy"]
    )
    # Where the store looks it up, not where it is defined.
    monkeypatch.setattr("apikeys.store.generate_key", lambda: next(minted))
    create(capsys, "--name", "a")
    create(capsys, "--name", "b")
    assert main(["keys", "revoke", "ar-samep"]) == 1
    assert "2 keys start with" in capsys.readouterr().err
    assert main(["keys", "revoke", "ar-zzzzzz"]) == 1
    assert "no key matches" in capsys.readouterr().err
    assert main(["keys", "revoke", "ar-"]) == 1
    assert "at least" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv", [["keys", "create", "--name", "x"], ["keys", "list"], ["keys", "revoke", "ar-abcdef"]]
)
def test_key_commands_need_the_table(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 1
    assert "API_KEYS_TABLE is not set" in capsys.readouterr().err


def test_key_commands_report_an_unreachable_table(
    mocked_aws: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("API_KEYS_TABLE", "missing-table")
    assert main(["keys", "list"]) == 1
    assert "missing-table" in capsys.readouterr().err
