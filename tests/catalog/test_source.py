"""Catalog sources: `bundled` or `s3://bucket/key`, read and validated before any write."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from catalog.bundled import bundled_models
from catalog.errors import InvalidCatalog, InvalidSource, SourceUnavailable
from catalog.source import CatalogSourceReader, SourceLocation
from tests.support.factories import CatalogBucket, model_doc

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
