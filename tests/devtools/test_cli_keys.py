"""`ar-models keys create | list | revoke` against the keys table (moto)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from handler import keys
from handler.cli import main
from handler.keys import ApiKeyStore, hash_key

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


@pytest.fixture
def keys_env(keys_table: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("API_KEYS_TABLE", keys_table)
    return keys_table


def create(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["keys", "create", *args]) == 0
    return capsys.readouterr().out.strip().splitlines()[-1]


def test_create_prints_the_key_alone_last_and_stores_its_hash(
    keys_env: str, dynamodb: DynamoDBClient, capsys: pytest.CaptureFixture[str]
) -> None:
    key = create(capsys, "--name", "router-prod", "--tier", "pro")
    assert key.startswith("ar-")
    assert len(key) >= 40
    record = ApiKeyStore(keys_env, client=dynamodb).get(hash_key(key))
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


@pytest.mark.parametrize("how", ["full key", "prefix"])
def test_revoke_by_key_or_prefix(
    keys_env: str, dynamodb: DynamoDBClient, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    key = create(capsys, "--name", "leaked")
    assert main(["keys", "revoke", key if how == "full key" else key[:9]]) == 0
    assert "Revoked" in capsys.readouterr().out
    record = ApiKeyStore(keys_env, client=dynamodb).get(hash_key(key))
    assert record is not None
    assert record.status == "revoked"


def test_revoke_refuses_unknown_short_and_ambiguous_prefixes(
    keys_env: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    minted = iter(
        ["ar-samepref-one-xxxxxxxxxxxxxxxxxxxxxxx", "ar-samepref-two-yyyyyyyyyyyyyyyyyyyyyy"]
    )
    monkeypatch.setattr(keys, "generate_key", lambda: next(minted))
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
