"""`sam build` makes artifacts that hold the runtime code only, and the API's works on its own.

The real SAM CLI (from .venv-sam, which `make test` installs; SAM_CLI overrides the path) builds
the template once per test session into pytest's tmp_path, as a developer's `sam build` does
(samconfig.toml applies) but with --no-cached and --build-dir, so the repository's .aws-sam is
left alone. The artifacts ship bytecode compiled by CPython of the template's runtime version, for
every module. The API artifact is then imported by that same interpreter, the one the Makefile
resolves (`make -s print-lambda-python`, LAMBDA_PYTHON overrides it): `-I -S` (isolated: no
PYTHON* variables, no user or site-packages) with the artifact as the only entry added to sys.path,
since -I ignores PYTHONPATH. It must run from the shipped bytecode, as on Lambda's read-only
/var/task: no module of the artifact compiled from source, no file written into it. boto3 is not
there, just as it is not in the artifact: the list path on the bundled catalog must not need it. A
missing package or data file fails here, not on the first request after a deploy.

No SAM CLI or no interpreter of the runtime's version is a failure, not a skip: CI must run this.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from devtools.template_tables import load_template
from tests.support.factories import ids_listed_by_default
from tests.support.requirements import (
    AUDIT_REQUIREMENTS,
    NEVER_IN_THE_ARTIFACT,
    REQUIREMENTS,
    parse_pins,
)

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_PATH = ROOT / "template.yaml"
FUNCTIONS = ("ModelsApiFunction", "CatalogSyncFunction", "AuditFunction")
# What the Makefile ships (LAMBDA_PACKAGES): the packages the two functions import.
PACKAGES = ("handler", "catalog", "apikeys", "awsclients")
# The drift audit's artifact (AUDIT_PACKAGES), and its modules the other two leave out.
AUDIT_PACKAGES = ("handler", "catalog", "audit", "awsclients")
AUDIT_ONLY = ("handler/audit.py", "handler/audit_job.py", "handler/audit_metrics.py")
DEV_API_KEY = "ar-dev-local-key"  # the key events/list-models.json sends
# Repository content that must never reach the artifact (checked by name for a clear message;
# the allow-list in test_*_holds_only_runtime_code catches anything else).
NOT_RUNTIME = (
    "devtools",
    "tests",
    "events",
    "bench",
    "template.yaml",
    "samconfig.toml",
    "README.md",
    "Makefile",
    "pyproject.toml",
    "requirements-lambda.txt",
    ".venv",
    ".venv-sam",
    ".aws-sam",
    ".git",
)
# Lambda takes at most 250 MB unzipped (50 MB zipped for a direct upload). The artifact, bytecode
# included, is about 6 % of this budget (README, "Build and deploy"); much more means something that
# is not runtime code got in.
MAX_UNZIPPED_BYTES = 25 * 2**20
MAX_ZIPPED_BYTES = 8 * 2**20

_CLEAN_INVOKE = """
import json, sys, sysconfig
from importlib.machinery import SourceFileLoader
artifact, event_path, out_path = sys.argv[1:4]

# Every source file the import system compiles, for lack of usable bytecode beside it.
compiled = []
_source_to_code = SourceFileLoader.source_to_code
def _recording_source_to_code(self, data, path, *args, **kwargs):
    compiled.append(path)
    return _source_to_code(self, data, path, *args, **kwargs)
SourceFileLoader.source_to_code = _recording_source_to_code

sys.path.insert(0, artifact)
import handler.api
from handler.api import lambda_handler

class Context:
    function_name = "ModelsApiFunction"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:ModelsApiFunction"
    memory_limit_in_mb = 512
    aws_request_id = "00000000-0000-0000-0000-000000000000"
    log_group_name = "/aws/lambda/ModelsApiFunction"
    log_stream_name = "test"
    identity = None
    client_context = None

    def get_remaining_time_in_millis(self):
        return 10000

with open(event_path) as f:
    response = lambda_handler(json.load(f), Context())
files = sorted({m.__file__ for m in list(sys.modules.values()) if getattr(m, "__file__", None)})
stdlib = sorted({sysconfig.get_path("stdlib"), sysconfig.get_path("platstdlib")})
site = sorted({sysconfig.get_path("purelib"), sysconfig.get_path("platlib")})
with open(out_path, "w") as f:
    json.dump({"response": response, "files": files, "stdlib": stdlib, "site": site,
               "version": list(sys.version_info[:2]), "compiled": compiled,
               "api_cached": handler.api.__cached__}, f)
"""


@dataclass(frozen=True)
class Build:
    directory: Path
    seconds: float
    sam_dir_before: list[str]

    def artifact(self, function: str) -> Path:
        return self.directory / function


@functools.cache
def runtime_version() -> str:
    """ "3.13" for the template's `Runtime: python3.13` (Globals)."""
    runtime: str = load_template(TEMPLATE_PATH)["Globals"]["Function"]["Runtime"]
    assert runtime.startswith("python"), runtime
    return runtime.removeprefix("python")


def sam_cli() -> Path:
    configured = os.environ.get("SAM_CLI")
    sam = Path(configured) if configured else ROOT / ".venv-sam" / "bin" / "sam"
    if not (sam.is_file() and os.access(sam, os.X_OK)):
        pytest.fail(
            f"the SAM CLI is not at {sam}: `make sam` installs it into .venv-sam "
            "(`make test` does so itself)",
            pytrace=False,
        )
    return sam


def make_environ() -> dict[str, str]:
    """A developer's shell, not the `make test` that may have started pytest: an inherited
    MAKEFLAGS (jobserver, command-line variables) would leak into a nested make."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MAKE") and k != "MFLAGS"}
    environ["SAM_CLI_TELEMETRY"] = "0"
    return environ


def lambda_python() -> Path:
    """The CPython of the runtime's version that the build compiles the bytecode with."""
    result = subprocess.run(
        ["make", "-s", "print-lambda-python"],
        cwd=ROOT,
        env=make_environ(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"`make print-lambda-python` failed:\n{result.stderr}", pytrace=False)
    return Path(result.stdout.strip())


def bytecode_tag() -> str:
    """ "cpython-313": the tag of the runtime's bytecode files (__pycache__/NAME.TAG.pyc)."""
    return "cpython-" + runtime_version().replace(".", "")


def listing(directory: Path) -> list[str]:
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*"))


def stats_of(directory: Path) -> dict[str, tuple[int, int]]:
    """Relative path -> (size, mtime in ns) of every file under `directory`."""
    stats = {str(p.relative_to(directory)): p.stat() for p in directory.rglob("*") if p.is_file()}
    return {path: (stat.st_size, stat.st_mtime_ns) for path, stat in stats.items()}


def files_of(directory: Path) -> dict[str, int]:
    """Relative path -> size of every file under `directory`."""
    return {path: size for path, (size, _) in stats_of(directory).items()}


def source_files(package: str) -> dict[str, int]:
    """The repository's files of a package, as the build must copy them (no bytecode)."""
    return {
        path: size
        for path, size in files_of(ROOT / package).items()
        if "__pycache__" not in Path(path).parts and not path.endswith((".pyc", ".pyo"))
    }


def bytecode_path(source: Path) -> Path:
    """Where the runtime's interpreter looks for the bytecode of `source` (PEP 3147)."""
    return source.parent / "__pycache__" / f"{source.stem}.{bytecode_tag()}.pyc"


def distributions(artifact: Path) -> dict[NormalizedName, tuple[Version, set[str]]]:
    """Installed distributions: name -> (version, the top-level entries their RECORD lists)."""
    found: dict[NormalizedName, tuple[Version, set[str]]] = {}
    for dist_info in artifact.glob("*.dist-info"):
        name, version = dist_info.name.removesuffix(".dist-info").rsplit("-", 1)
        rows = (dist_info / "RECORD").read_text().splitlines()
        tops = {Path(row.split(",")[0]).parts[0] for row in rows if row}
        found[canonicalize_name(name)] = (Version(version), tops)
    return found


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    sam = sam_cli()
    sam_dir = ROOT / ".aws-sam"
    before = listing(sam_dir) if sam_dir.exists() else ["<absent>"]
    build_dir = tmp_path_factory.mktemp("sam") / "build"
    command = [str(sam), "build", "--template-file", str(TEMPLATE_PATH)]
    command += ["--build-dir", str(build_dir), "--no-cached"]
    started = time.monotonic()
    result = subprocess.run(
        command,
        cwd=ROOT,
        env=make_environ(),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    seconds = time.monotonic() - started
    if result.returncode != 0:
        output = f"{result.stdout}\n{result.stderr}"
        pytest.fail(f"`{' '.join(command)}` failed ({result.returncode}):\n{output}", pytrace=False)
    return Build(build_dir, seconds, before)


def assert_runtime_code_only(
    artifact: Path,
    *,
    packages: tuple[str, ...] = PACKAGES,
    requirements: Path = REQUIREMENTS,
    left_out: tuple[str, ...] = AUDIT_ONLY,
) -> None:
    assert artifact.is_dir(), f"sam build made no {artifact.name}"
    for name in NOT_RUNTIME:
        assert not (artifact / name).exists(), f"{name} is not runtime code"

    # Our packages, exactly as in the repository (every module, the bundled catalog and the
    # py.typed markers) plus the runtime's bytecode of every module, and nothing else (no
    # bytecode compiled by the build host).
    for package in packages:
        sources = {
            path: size
            for path, size in source_files(package).items()
            if f"{package}/{path}" not in left_out
        }
        built = files_of(artifact / package)
        bytecode = {
            str(bytecode_path(Path(path))) for path in sources if Path(path).suffix == ".py"
        }
        assert set(built) == set(sources) | bytecode, package
        assert {path: built[path] for path in sources} == sources, package
    for data in ("catalog/models.json", *(f"{package}/py.typed" for package in packages)):
        assert (artifact / data).is_file(), data
    assert json.loads((artifact / "catalog/models.json").read_text()) == json.loads(
        (ROOT / "catalog/models.json").read_text()
    )

    # Bytecode for every module, dependencies included, and no other: each .pyc is the runtime's
    # for a source beside it, hash-based and unchecked (flags 0b01 in the PEP 552 header), so a
    # zip that loses the mtimes cannot make it look stale.
    expected = {bytecode_path(p) for p in artifact.rglob("*.py") if p.is_file()}
    compiled = {p for p in artifact.rglob("*") if p.suffix in (".pyc", ".pyo")}
    assert len(expected) > 100
    assert sorted(str(p.relative_to(artifact)) for p in expected - compiled) == [], "missing"
    assert sorted(str(p.relative_to(artifact)) for p in compiled - expected) == [], "unexpected"
    flags = {str(p.relative_to(artifact)): p.read_bytes()[4:8] for p in compiled}
    assert {path: f for path, f in flags.items() if f != b"\x01\0\0\0"} == {}

    # Dependencies: exactly the pins of requirements-lambda.txt, at those versions.
    installed = distributions(artifact)
    pinned = {name: version for name, (version, _) in parse_pins(requirements.read_text()).items()}
    assert {name: version for name, (version, _) in installed.items()} == pinned
    for name in NEVER_IN_THE_ARTIFACT:
        assert name not in installed, name
        assert not (artifact / name).exists(), name

    # Anything else at the top level belongs to one of those distributions.
    # (__pycache__: the bytecode of top-level modules such as typing_extensions, checked above.)
    owned = set().union(*(tops for _, tops in installed.values()))
    tops = {*packages, *owned, "__pycache__"}
    strays = sorted(p.name for p in artifact.iterdir() if p.name not in tops)
    assert strays == [], f"neither our packages nor an installed distribution: {strays}"


def test_sam_validate_lint_passes() -> None:
    result = subprocess.run(
        [str(sam_cli()), "validate", "--lint", "--template-file", str(TEMPLATE_PATH)],
        cwd=ROOT,
        env=make_environ(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is a valid SAM Template" in result.stdout + result.stderr


def test_sam_build_leaves_the_repository_sam_directory_alone(build: Build) -> None:
    sam_dir = ROOT / ".aws-sam"
    assert (listing(sam_dir) if sam_dir.exists() else ["<absent>"]) == build.sam_dir_before
    built = load_template(build.directory / "template.yaml")["Resources"]
    for function in FUNCTIONS:
        assert built[function]["Properties"]["CodeUri"] == function


def test_api_artifact_holds_only_runtime_code(build: Build) -> None:
    assert_runtime_code_only(build.artifact("ModelsApiFunction"))


def test_api_artifact_carries_nothing_of_the_audit(build: Build) -> None:
    artifact = build.artifact("ModelsApiFunction")
    assert not (artifact / "audit").exists()
    assert [name for name in AUDIT_ONLY if (artifact / name).exists()] == []
    assert not {"httpx", "httpcore", "h11", "certifi"} & set(distributions(artifact))


def test_audit_artifact_holds_only_its_runtime_code(build: Build) -> None:
    assert_runtime_code_only(
        build.artifact("AuditFunction"),
        packages=AUDIT_PACKAGES,
        requirements=AUDIT_REQUIREMENTS,
        left_out=(),
    )


_CLEAN_AUDIT = """
import json, sys, time
artifact, out_path = sys.argv[1:3]
sys.path.insert(0, artifact)
started = time.perf_counter()
from handler.audit import lambda_handler
imported = time.perf_counter()
result = lambda_handler({}, None)
ran = time.perf_counter()
files = sorted({m.__file__ for m in list(sys.modules.values()) if getattr(m, "__file__", None)})
with open(out_path, "w") as f:
    json.dump({"result": result, "files": files, "import_ms": (imported - started) * 1000,
               "run_ms": (ran - imported) * 1000}, f)
"""


def test_audit_artifact_runs_in_a_clean_interpreter(
    build: Build, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No key, no table: every provider skipped, the bundled catalog read, no network; what it
    imports (httpx and pydantic included) all comes from the artifact."""
    artifact = build.artifact("AuditFunction")
    out = tmp_path / "result.json"
    result = subprocess.run(
        [str(lambda_python()), "-I", "-S", "-c", _CLEAN_AUDIT, str(artifact), str(out)],
        cwd=tmp_path,
        env={},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(out.read_text())
    assert outcome["result"]["skipped"] == ["openai", "anthropic", "gemini"]
    assert outcome["result"]["exit_code"] == 0
    assert str(artifact / "handler" / "audit.py") in outcome["files"]
    unzipped = sum(files_of(artifact).values())
    with capsys.disabled():
        print(
            f"\nAuditFunction artifact: {unzipped / 2**20:.1f} MiB in files; import of "
            f"handler.audit {outcome['import_ms']:.0f} ms, a run with every provider skipped "
            f"{outcome['run_ms']:.0f} ms (imports httpx, pydantic, the catalog)"
        )
    assert unzipped <= MAX_UNZIPPED_BYTES


def test_sync_artifact_holds_the_same_runtime_code(build: Build) -> None:
    sync = build.artifact("CatalogSyncFunction")
    assert_runtime_code_only(sync)
    assert files_of(sync) == files_of(build.artifact("ModelsApiFunction"))


def test_api_artifact_size_is_within_budget(
    build: Build, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    artifact = build.artifact("ModelsApiFunction")
    unzipped = sum(files_of(artifact).values())
    disk = subprocess.run(
        ["du", "-sk", str(artifact)], capture_output=True, text=True, check=True
    ).stdout.split()[0]
    archive = tmp_path / "ModelsApiFunction.zip"
    with zipfile.ZipFile(
        archive, "w", compression=zipfile.ZIP_DEFLATED
    ) as zipped:  # as `sam package`
        for path in sorted(artifact.rglob("*")):
            zipped.write(path, path.relative_to(artifact))
    zipped_size = archive.stat().st_size
    with capsys.disabled():
        print(
            f"\nsam build: {build.seconds:.1f} s; ModelsApiFunction artifact: "
            f"{unzipped / 2**20:.1f} MiB in files ({int(disk) / 1024:.1f} MiB on disk, du), "
            f"{zipped_size / 2**20:.1f} MiB zipped"
        )
    assert unzipped <= MAX_UNZIPPED_BYTES
    assert zipped_size <= MAX_ZIPPED_BYTES


def test_api_artifact_lists_the_models_in_a_clean_interpreter(build: Build, tmp_path: Path) -> None:
    artifact = build.artifact("ModelsApiFunction")
    version = runtime_version()
    python = lambda_python()
    event = ROOT / "events" / "list-models.json"
    out = tmp_path / "result.json"
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    before = stats_of(artifact)
    result = subprocess.run(
        [str(python), "-I", "-S", "-c", _CLEAN_INVOKE, str(artifact), str(event), str(out)],
        cwd=cwd,
        env={"DEV_API_KEY": DEV_API_KEY},  # MODELS_TABLE unset: the bundled catalog
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    outcome: dict[str, Any] = json.loads(out.read_text())
    assert outcome["version"] == [int(part) for part in version.split(".")]

    response = outcome["response"]
    assert response["statusCode"] == 200, response
    body = json.loads(response["body"])
    assert body["object"] == "list"
    # The default list: the bundled models not yet retired, in the document's order.
    assert [m["id"] for m in body["data"]] == ids_listed_by_default()

    # Everything it imported came from the artifact or from the standard library, none of it from
    # the interpreter's site-packages (inside its stdlib directory, hence checked first).
    site = tuple(root + os.sep for root in outcome["site"])
    allowed = (str(artifact) + os.sep, *(root + os.sep for root in outcome["stdlib"]))
    foreign = [f for f in outcome["files"] if f.startswith(site) or not f.startswith(allowed)]
    assert foreign == []
    assert str(artifact / "handler" / "api.py") in outcome["files"]

    # It ran from the shipped bytecode, as it must on Lambda's read-only /var/task: no module of
    # the artifact was compiled from source (which a read-only directory would make happen at
    # every cold start), and nothing was written into the artifact (bytecode written when the
    # shipped one is unusable: tests run as root, for whom a read-only mode would not stop it).
    assert outcome["api_cached"] == str(bytecode_path(artifact / "handler" / "api.py"))
    assert Path(outcome["api_cached"]).is_file()
    assert [path for path in outcome["compiled"] if path.startswith(str(artifact) + os.sep)] == []
    assert stats_of(artifact) == before


# Both functions at work in a fresh interpreter of the dev venv, against moto: the API on the
# tables (a dev key and a table key), the sync from S3 with an event bus. It prints the files of
# every module it imported.
_RUN_BOTH_FUNCTIONS = """
import json, os, sys
from pathlib import Path
import boto3
from moto import mock_aws

root, events = Path(sys.argv[1]), Path(sys.argv[2])
with mock_aws():
    dynamodb = boto3.client("dynamodb")
    schemas = {"models": [("pk", "HASH"), ("sk", "RANGE")], "keys": [("key_hash", "HASH")]}
    for name, key in schemas.items():
        dynamodb.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": a, "KeyType": t} for a, t in key],
            AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a, _ in key],
            BillingMode="PAY_PER_REQUEST",
        )
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="source")
    catalog = (root / "catalog/models.json").read_bytes()
    s3.put_object(Bucket="source", Key="models.json", Body=catalog)
    os.environ.update({
        "MODELS_TABLE": "models", "API_KEYS_TABLE": "keys", "DEV_API_KEY": "ar-dev-local-key",
        "CATALOG_SOURCE": "s3://source/models.json", "CATALOG_EVENT_BUS": "default",
    })
    from handler.sync import lambda_handler as sync
    report = sync(json.loads((events / "scheduled-sync.json").read_text()), None)
    assert report["version"] == 1, report

    from handler.api import lambda_handler as api
    for name, status in (("list-models.json", 200), ("unauthorized.json", 401)):
        event = json.loads((events / name).read_text())
        if name == "unauthorized.json":
            event["headers"]["authorization"] = "Bearer ar-not-a-stored-key"
        response = api(event, None)
        assert response["statusCode"] == status, response
    # The function serves /openapi.json too, and only that imports the documentation's models
    # (handler/dialects/anthropic_schema.py).
    event = json.loads((events / "list-models.json").read_text())
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/openapi.json"
    event["routeKey"] = event["requestContext"]["routeKey"] = "$default"
    response = api(event, None)
    assert response["statusCode"] == 200, response
    assert json.loads(response["body"])["openapi"].startswith("3."), response
files = {getattr(m, "__file__", None) for m in list(sys.modules.values())}
print(json.dumps(sorted(f for f in files if f)))
"""


def test_the_artifact_holds_only_modules_the_two_functions_import(build: Build) -> None:
    """Every module we ship is imported by a function doing its work: nothing dev-only, no
    dead module. (The reverse, that nothing they import is missing, is the clean-interpreter
    test above.)"""
    import sys

    result = subprocess.run(
        [sys.executable, "-c", _RUN_BOTH_FUNCTIONS, str(ROOT), str(ROOT / "events")],
        cwd=ROOT,
        env={
            **make_environ(),
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "x",
            "AWS_SECRET_ACCESS_KEY": "x",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    imported = {
        str(Path(path).relative_to(ROOT))
        for path in json.loads(result.stdout.splitlines()[-1])
        if Path(path).is_relative_to(ROOT)
    }
    artifact = build.artifact("ModelsApiFunction")
    shipped = {
        str(path.relative_to(artifact))
        for package in PACKAGES
        for path in (artifact / package).rglob("*.py")
    }
    assert sorted(shipped - imported) == [], "shipped but never imported by either function"
