"""Catalog sources: `bundled`, `s3://bucket/key` or (from a shell) a local file, read and
validated before any write."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from catalog.bundled import bundled_models
from catalog.errors import InvalidCatalog, InvalidSource, SourceUnavailable
from catalog.source import CatalogSourceReader, SourceLocation
from tests.support.factories import CatalogBucket, model_doc, write_catalog

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


BUCKET = "curated-catalog"  # the `source_bucket` fixture's


@pytest.fixture
def s3(source_bucket: CatalogBucket) -> S3Client:
    """The client of an existing bucket; tests here put raw bodies, not only valid documents."""
    assert source_bucket.name == BUCKET
    return source_bucket.client


@pytest.mark.parametrize(
    ("text", "bucket", "key"),
    [
        ("bundled", None, None),
        (" bundled ", None, None),
        ("s3://b/models.json", "b", "models.json"),
        ("s3://b/dir/sub/models.json", "b", "dir/sub/models.json"),
    ],
)
def test_source_locations(text: str, bucket: str | None, key: str | None) -> None:
    location = SourceLocation.parse(text)
    assert (location.bucket, location.key) == (bucket, key)
    assert str(location) == text.strip()


@pytest.mark.parametrize(
    "text", ["", "s3://", "s3://bucket", "s3://bucket/", "/tmp/x.json", "BUNDLED"]
)
def test_anything_else_is_an_invalid_source(text: str) -> None:
    with pytest.raises(InvalidSource, match="'bundled' or 's3://bucket/key'"):
        SourceLocation.parse(text)


def test_bundled_source_is_the_packaged_catalog() -> None:
    def no_s3() -> S3Client:
        raise AssertionError("the bundled source must not ask for an S3 client")

    assert CatalogSourceReader(s3=no_s3).read(SourceLocation()) == list(bundled_models())


def test_s3_source_is_read_and_validated(s3: S3Client) -> None:
    docs = [model_doc("meta-llama/llama-3.1-70b-instruct", owned_by="meta"), model_doc("b")]
    s3.put_object(Bucket=BUCKET, Key="models.json", Body=json.dumps({"data": docs}).encode())
    models = CatalogSourceReader(s3=lambda: s3).read(SourceLocation(BUCKET, "models.json"))
    assert [m.id for m in models] == ["meta-llama/llama-3.1-70b-instruct", "b"]


def test_the_s3_client_is_asked_for_on_first_use(s3: S3Client) -> None:
    s3.put_object(Bucket=BUCKET, Key="k", Body=json.dumps({"data": [model_doc("a")]}).encode())
    asked: list[str] = []

    def provider() -> S3Client:
        asked.append("s3")
        return s3

    reader = CatalogSourceReader(s3=provider)
    assert asked == []
    assert len(reader.read(SourceLocation(BUCKET, "k"))) == 1
    assert asked == ["s3"]


@pytest.mark.parametrize(
    ("bucket", "key"), [(BUCKET, "missing.json"), ("no-such-bucket", "models.json")]
)
def test_a_missing_object_is_source_unavailable(s3: S3Client, bucket: str, key: str) -> None:
    with pytest.raises(SourceUnavailable, match="does not exist"):
        CatalogSourceReader(s3=lambda: s3).read(SourceLocation(bucket, key))


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe\x00", b""])
def test_an_object_that_is_not_json_is_an_invalid_catalog(s3: S3Client, body: bytes) -> None:
    s3.put_object(Bucket=BUCKET, Key="models.json", Body=body)
    with pytest.raises(InvalidCatalog) as caught:
        CatalogSourceReader(s3=lambda: s3).read(SourceLocation(BUCKET, "models.json"))
    assert caught.value.problems[0].startswith(f"s3://{BUCKET}/models.json is not valid JSON")


def test_every_problem_of_an_s3_catalog_is_listed(s3: S3Client) -> None:
    docs = [model_doc("a b"), model_doc("ok", context_length=0), model_doc("dup"), model_doc("dup")]
    s3.put_object(Bucket=BUCKET, Key="models.json", Body=json.dumps({"data": docs}).encode())
    with pytest.raises(InvalidCatalog) as caught:
        CatalogSourceReader(s3=lambda: s3).read(SourceLocation(BUCKET, "models.json"))
    problems = caught.value.problems
    assert len(problems) == 3
    assert problems[0].startswith("data[0] (a b).id")
    assert problems[1].startswith("data[1] (ok).context_length")
    assert problems[2] == "data[3] (dup): duplicate id 'dup'"


def test_an_oversized_object_is_refused_before_it_is_read(
    s3: S3Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("catalog.source.MAX_SOURCE_BYTES", 10)
    s3.put_object(Bucket=BUCKET, Key="models.json", Body=b'{"data": []}   ')
    with pytest.raises(InvalidCatalog, match="a catalog is at most 10"):
        CatalogSourceReader(s3=lambda: s3).read(SourceLocation(BUCKET, "models.json"))


# -- a local file: `ar-models sync --source ./models.json`, never the deployed function ---------


@pytest.mark.parametrize(
    "text", ["./models.json", "models.json", "{tmp}/models.json", "file://{tmp}/models.json"]
)
def test_a_path_is_a_source_when_files_are_allowed(
    text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    location = SourceLocation.parse(text.format(tmp=tmp_path), allow_files=True)
    expected = (tmp_path / "models.json").resolve()
    assert location == SourceLocation(path=expected)
    assert (location.bucket, location.key) == (None, None)
    assert str(location) == str(expected)  # what the report says: the absolute path
    assert expected.is_absolute()


def test_a_file_url_is_decoded(tmp_path: Path) -> None:
    location = SourceLocation.parse(
        f"file://localhost{tmp_path}/my%20models.json", allow_files=True
    )
    assert location.path == (tmp_path / "my models.json").resolve()


@pytest.mark.parametrize(
    "text", ["./models.json", "models.json", "/abs/models.json", "file:///abs/models.json"]
)
def test_a_path_is_refused_unless_files_are_allowed(text: str) -> None:
    with pytest.raises(InvalidSource, match="a deployed function has no such file"):
        SourceLocation.parse(text)


@pytest.mark.parametrize(
    "text",
    ["", "  ", "s3://bucket", "https://example.com/models.json", "file://host/models.json"],
)
def test_what_is_no_path_stays_an_invalid_source_with_files_allowed(text: str) -> None:
    with pytest.raises(InvalidSource, match="'bundled', 's3://bucket/key' or a file path"):
        SourceLocation.parse(text, allow_files=True)


def test_bundled_and_s3_are_the_same_with_files_allowed() -> None:
    assert SourceLocation.parse("bundled", allow_files=True) == SourceLocation()
    assert SourceLocation.parse("s3://b/k.json", allow_files=True) == SourceLocation("b", "k.json")


def no_s3() -> S3Client:
    raise AssertionError("a file source must not ask for an S3 client")


def test_a_file_source_is_read_and_validated(tmp_path: Path) -> None:
    path = write_catalog(tmp_path / "models.json", [model_doc("b"), model_doc("a")])
    location = SourceLocation.parse(str(path), allow_files=True)
    models = CatalogSourceReader(s3=no_s3).read(location)
    assert [m.id for m in models] == ["b", "a"]


@pytest.mark.parametrize("name", ["missing.json", "missing-dir/models.json"])
def test_a_missing_file_is_source_unavailable(tmp_path: Path, name: str) -> None:
    location = SourceLocation.parse(str(tmp_path / name), allow_files=True)
    with pytest.raises(SourceUnavailable, match=f"{tmp_path / name} does not exist"):
        CatalogSourceReader(s3=no_s3).read(location)


def test_a_directory_is_source_unavailable(tmp_path: Path) -> None:
    location = SourceLocation.parse(str(tmp_path), allow_files=True)
    with pytest.raises(SourceUnavailable, match="is a directory"):
        CatalogSourceReader(s3=no_s3).read(location)


def test_an_unreadable_file_is_source_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_catalog(tmp_path / "models.json", [model_doc("a")])

    def denied(*_: object, **__: object) -> object:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", denied)
    with pytest.raises(SourceUnavailable, match=f"cannot read {path}: Permission denied"):
        CatalogSourceReader(s3=no_s3).read(SourceLocation(path=path))


def test_every_problem_of_a_file_is_listed_by_the_same_parser(tmp_path: Path) -> None:
    path = write_catalog(
        tmp_path / "models.json", [model_doc("a b"), model_doc("a"), model_doc("a")]
    )
    with pytest.raises(InvalidCatalog) as caught:
        CatalogSourceReader(s3=no_s3).read(SourceLocation(path=path))
    assert [problem.split(":")[0] for problem in caught.value.problems] == [
        "data[0] (a b).id",
        "data[2] (a)",
    ]


def test_a_file_that_is_not_json_names_its_path(tmp_path: Path) -> None:
    path = tmp_path / "models.json"
    path.write_bytes(b"{not json")
    with pytest.raises(InvalidCatalog) as caught:
        CatalogSourceReader(s3=no_s3).read(SourceLocation(path=path))
    assert caught.value.problems[0].startswith(f"{path} is not valid JSON")


def test_an_oversized_file_is_refused_reading_no_more_than_the_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("catalog.source.MAX_SOURCE_BYTES", 10)
    path = tmp_path / "models.json"
    path.write_bytes(b'{"data": []}' + b" " * 1_000)
    read: list[int] = []
    real_open = Path.open

    def recording_open(self: Path, *args: object, **kwargs: object) -> object:
        file = real_open(self, *args, **kwargs)  # type: ignore[call-overload]
        real_read = file.read

        def counted(size: int = -1) -> bytes:
            data: bytes = real_read(size)
            read.append(len(data))
            return data

        file.read = counted
        return file

    monkeypatch.setattr(Path, "open", recording_open)
    with pytest.raises(InvalidCatalog, match="a catalog is at most that"):
        CatalogSourceReader(s3=no_s3).read(SourceLocation(path=path))
    assert read == [11]
