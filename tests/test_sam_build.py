"""`sam build` makes artifacts that hold the runtime code only, and the API's works on its own.

The real SAM CLI (from .venv-sam, which `make test` installs; SAM_CLI overrides the path) builds
the template once per test session into pytest's tmp_path, as a developer's `sam build` does
(samconfig.toml applies) but with --no-cached and --build-dir, so the repository's .aws-sam is
left alone. The API artifact is then imported by a bare CPython of the template's runtime version:
`-I -S -B` (isolated: no PYTHON* variables, no user or site-packages, no bytecode written) with the
artifact as the only entry added to sys.path, since -I ignores PYTHONPATH. boto3 is not there,
just as it is not in the artifact: the list path on the bundled catalog must not need it. A
missing package or data file fails here, not on the first request after a deploy.

No SAM CLI or no interpreter of the runtime's version is a failure, not a skip: CI must run this.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from handler.template_tables import load_template
from tests.test_lambda_requirements import NEVER_IN_THE_ARTIFACT, REQUIREMENTS, parse_pins

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_PATH = ROOT / "template.yaml"
FUNCTIONS = ("ModelsApiFunction", "CatalogSyncFunction")
PACKAGES = ("handler", "catalog")
DEV_API_KEY = "ar-dev-local-key"  # the key events/list-models.json sends
# Repository content that must never reach the artifact (checked by name for a clear message;
# the allow-list in test_*_holds_only_runtime_code catches anything else).
NOT_RUNTIME = (
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
# Lambda takes at most 250 MB unzipped (50 MB zipped for a direct upload). The artifact is about
# a twentieth of this budget (README, "Build and deploy"); much more means something that is not
# runtime code got in.
MAX_UNZIPPED_BYTES = 25 * 2**20
MAX_ZIPPED_BYTES = 8 * 2**20

_CLEAN_INVOKE = """
import json, sys, sysconfig
artifact, event_path, out_path = sys.argv[1:4]
sys.path.insert(0, artifact)
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
               "version": list(sys.version_info[:2])}, f)
"""


@dataclass(frozen=True)
class Build:
    directory: Path
    seconds: float
    sam_dir_before: list[str]

    def artifact(self, function: str) -> Path:
        return self.directory / function


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


def lambda_python(version: str) -> Path:
    """A working CPython `version` (LAMBDA_PYTHON, else python3.X on PATH, else pyenv's)."""
    if configured := os.environ.get("LAMBDA_PYTHON"):
        candidates = [configured]
    else:
        pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
        installed = sorted(pyenv.glob(f"{version}*/bin/python{version}"), key=_version_key)
        candidates = [
            *filter(None, [shutil.which(f"python{version}")]),
            *(str(p) for p in reversed(installed)),
            f"/usr/bin/python{version}",
            f"/usr/local/bin/python{version}",
        ]
    for candidate in candidates:
        try:
            probe = subprocess.run(
                [candidate, "-I", "-c", "import sys; print(sys.executable); print(sys.version)"],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
        except OSError:
            continue
        lines = probe.stdout.splitlines()
        if probe.returncode == 0 and len(lines) >= 2 and lines[1].startswith(f"{version}."):
            return Path(lines[0])
    pytest.fail(
        f"no working Python {version} (the template's runtime) among {candidates}: install "
        f"CPython {version} (e.g. `pyenv install {version}`) or set LAMBDA_PYTHON to one",
        pytrace=False,
    )


def _version_key(path: Path) -> tuple[int, ...]:
    release = path.parent.parent.name.split("-")[0]
    return tuple(int(part) for part in release.split(".") if part.isdigit())


def listing(directory: Path) -> list[str]:
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*"))


def files_of(directory: Path) -> dict[str, int]:
    """Relative path -> size of every file under `directory`."""
    return {
        str(p.relative_to(directory)): p.stat().st_size for p in directory.rglob("*") if p.is_file()
    }


def source_files(package: str) -> dict[str, int]:
    """The repository's files of a package, as the build must copy them (no bytecode)."""
    return {
        path: size
        for path, size in files_of(ROOT / package).items()
        if "__pycache__" not in Path(path).parts and not path.endswith((".pyc", ".pyo"))
    }


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
    # A developer's shell, not the `make test` that may have started pytest: an inherited
    # MAKEFLAGS (jobserver, command-line variables) would leak into the build's own make.
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MAKE") and k != "MFLAGS"}
    environ["SAM_CLI_TELEMETRY"] = "0"
    command = [str(sam), "build", "--template-file", str(TEMPLATE_PATH)]
    command += ["--build-dir", str(build_dir), "--no-cached"]
    started = time.monotonic()
    result = subprocess.run(
        command, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=900, check=False
    )
    seconds = time.monotonic() - started
    if result.returncode != 0:
        output = f"{result.stdout}\n{result.stderr}"
        pytest.fail(f"`{' '.join(command)}` failed ({result.returncode}):\n{output}", pytrace=False)
    return Build(build_dir, seconds, before)


def assert_runtime_code_only(artifact: Path) -> None:
    assert artifact.is_dir(), f"sam build made no {artifact.name}"
    for name in NOT_RUNTIME:
        assert not (artifact / name).exists(), f"{name} is not runtime code"

    # Our packages, exactly as in the repository: every module, the bundled catalog and the
    # py.typed markers, and nothing else (no bytecode compiled by the build host).
    for package in PACKAGES:
        assert files_of(artifact / package) == source_files(package), package
    for data in ("catalog/models.json", "catalog/py.typed", "handler/py.typed"):
        assert (artifact / data).is_file(), data
    assert json.loads((artifact / "catalog/models.json").read_text()) == json.loads(
        (ROOT / "catalog/models.json").read_text()
    )
    assert [str(p.relative_to(artifact)) for p in artifact.rglob("*.py[co]")] == []
    assert [str(p.relative_to(artifact)) for p in artifact.rglob("__pycache__")] == []

    # Dependencies: exactly the pins of requirements-lambda.txt, at those versions.
    installed = distributions(artifact)
    pinned = {name: version for name, (version, _) in parse_pins(REQUIREMENTS.read_text()).items()}
    assert {name: version for name, (version, _) in installed.items()} == pinned
    for name in NEVER_IN_THE_ARTIFACT:
        assert name not in installed, name
        assert not (artifact / name).exists(), name

    # Anything else at the top level belongs to one of those distributions.
    owned = set().union(*(tops for _, tops in installed.values()))
    strays = sorted(p.name for p in artifact.iterdir() if p.name not in {*PACKAGES, *owned})
    assert strays == [], f"neither our packages nor an installed distribution: {strays}"


def test_sam_validate_lint_passes() -> None:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MAKE") and k != "MFLAGS"}
    environ["SAM_CLI_TELEMETRY"] = "0"
    result = subprocess.run(
        [str(sam_cli()), "validate", "--lint", "--template-file", str(TEMPLATE_PATH)],
        cwd=ROOT,
        env=environ,
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
    python = lambda_python(version)
    event = ROOT / "events" / "list-models.json"
    out = tmp_path / "result.json"
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    result = subprocess.run(
        [str(python), "-I", "-S", "-B", "-c", _CLEAN_INVOKE, str(artifact), str(event), str(out)],
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
    assert len(body["data"]) == 8
    bundled = json.loads((ROOT / "catalog" / "models.json").read_text())["data"]
    assert [m["id"] for m in body["data"]] == [m["id"] for m in bundled]

    # Everything it imported came from the artifact or from the standard library, none of it from
    # the interpreter's site-packages (inside its stdlib directory, hence checked first).
    site = tuple(root + os.sep for root in outcome["site"])
    allowed = (str(artifact) + os.sep, *(root + os.sep for root in outcome["stdlib"]))
    foreign = [f for f in outcome["files"] if f.startswith(site) or not f.startswith(allowed)]
    assert foreign == []
    assert str(artifact / "handler" / "api.py") in outcome["files"]
