# Two commands do everything on a fresh clone: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# One venv, installed in steps: `make serve` needs only the runtime, uvicorn and the Swagger UI
# assets (the `serve` extra); `make dev` adds the local AWS server (the `local` extra); `make test`
# adds the whole dev toolchain (the `dev` extra). Each step has its stamp; an extra includes the
# one before it, so its install stamps those too.
SERVE_STAMP := $(VENV)/.installed-serve
LOCAL_STAMP := $(VENV)/.installed-local
STAMP := $(VENV)/.installed-dev

# `make serve PORT=3001`, `make dev PORT=3001`: the API's port (ar-models' own default otherwise).
PORT ?=
# Says what a long step is about to do, and about how long it takes (first run; measured).
step = @printf '==> %s\n' $(1)

# The SAM CLI lives in a venv of its own (its pins would fight the dev venv's); see requirements-sam.txt.
SAM_PYTHON ?= $(PYTHON)
SAM_VENV := .venv-sam
SAM := $(SAM_VENV)/bin/sam
SAM_STAMP := $(SAM_VENV)/.installed
# The SAM CLI must not try to send telemetry from a build or from CI.
export SAM_CLI_TELEMETRY ?= 0

# What the Lambda artifact is built from (see docs/build.md): the packages the two functions
# import, and nothing else (devtools/, tests/ and bench/ never ship; tests/test_sam_build.py checks).
LAMBDA_PACKAGES := handler catalog apikeys awsclients
LAMBDA_REQUIREMENTS := requirements-lambda.txt
# The drift audit's artifact (AuditFunction): its own packages and pins (pyproject's `audit`
# extra: pydantic for the catalog's schema, httpx for the providers), so the API's does not grow.
AUDIT_PACKAGES := handler catalog audit awsclients
AUDIT_REQUIREMENTS := requirements-audit.txt
# The audit's delivery modules in handler/: left out of the API's and the sync's artifacts.
AUDIT_ONLY_MODULES := handler/audit.py handler/audit_job.py handler/audit_metrics.py
# Lambda's python3.13 runtime: CPython 3.13 on Amazon Linux 2023 (glibc 2.34), x86_64 (template.yaml).
LAMBDA_PYTHON_VERSION := 3.13
LAMBDA_PLATFORMS := manylinux2014_x86_64 manylinux_2_28_x86_64 manylinux_2_34_x86_64

# The CPython 3.13 that compiles the artifact's bytecode (bytecode is specific to a minor version).
# Set LAMBDA_PYTHON to choose one; otherwise the first candidate that really runs as CPython 3.13:
# python3.13 on PATH (a pyenv shim there fails when pyenv's selected version is another one),
# pyenv's 3.13.x installs (`pyenv root`, PYENV_ROOT or ~/.pyenv), /usr/local/bin, /usr/bin.
# Found on first use only (a recipe that needs it), then kept for the rest of the run.
comma := ,
LAMBDA_PYTHON_CHECK := import sys; assert sys.implementation.name == "cpython" \
	and sys.version_info[:2] == ($(subst .,$(comma) ,$(LAMBDA_PYTHON_VERSION))); print(sys.executable)
LAMBDA_PYTHON ?= $(eval LAMBDA_PYTHON := $(shell \
	for cand in python$(LAMBDA_PYTHON_VERSION) \
		$$(pyenv root 2>/dev/null)/versions/$(LAMBDA_PYTHON_VERSION)*/bin/python$(LAMBDA_PYTHON_VERSION) \
		$${PYENV_ROOT:-$$HOME/.pyenv}/versions/$(LAMBDA_PYTHON_VERSION)*/bin/python$(LAMBDA_PYTHON_VERSION) \
		/usr/local/bin/python$(LAMBDA_PYTHON_VERSION) /usr/bin/python$(LAMBDA_PYTHON_VERSION); do \
		"$$cand" -I -c '$(LAMBDA_PYTHON_CHECK)' 2>/dev/null && break; \
	done))$(LAMBDA_PYTHON)
# A recipe command: prints LAMBDA_PYTHON's full path, or stops the build saying what to do.
LAMBDA_PYTHON_OR_STOP = "$(LAMBDA_PYTHON)" -I -c '$(LAMBDA_PYTHON_CHECK)' 2>/dev/null || { \
	echo '$(if $(LAMBDA_PYTHON),LAMBDA_PYTHON=$(LAMBDA_PYTHON): )no working CPython \
	$(LAMBDA_PYTHON_VERSION) (the Lambda runtime version, needed to compile the bytecode of the \
	artifact): install one (e.g. with pyenv install $(LAMBDA_PYTHON_VERSION)) or set \
	LAMBDA_PYTHON=/path/to/python$(LAMBDA_PYTHON_VERSION)' >&2; exit 1; }

.PHONY: serve dev test test-fast lint bench clean sam validate build lambda-requirements \
	print-lambda-python build-ModelsApiFunction build-CatalogSyncFunction build-AuditFunction \
	audit-requirements

# The dev venv gets exactly the runtime dependencies the Lambda ships: requirements-lambda.txt's
# pins are its constraints (tests/test_lambda_requirements.py fails on a drift), and changing them
# reinstalls it. A constraints file cannot carry hashes, hence the hash-free copy in the venv.
LAMBDA_CONSTRAINTS := $(VENV)/lambda-constraints.txt

$(LAMBDA_CONSTRAINTS): $(LAMBDA_REQUIREMENTS)
	$(call step,'Creating $(VENV) (a few seconds)')
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	sed -n 's/^\([A-Za-z0-9][A-Za-z0-9._-]*==[^[:space:];\\]*\).*/\1/p' \
		$(LAMBDA_REQUIREMENTS) > $(LAMBDA_CONSTRAINTS)

# pip's own lines show the install's progress (each package as it is fetched and installed).
$(SERVE_STAMP): pyproject.toml $(LAMBDA_CONSTRAINTS)
	$(call step,'Installing the runtime and uvicorn into $(VENV) (first run only: about 25 s)')
	$(BIN)/pip install --disable-pip-version-check -c $(LAMBDA_CONSTRAINTS) -e '.[serve]'
	touch $(SERVE_STAMP)

$(LOCAL_STAMP): pyproject.toml $(LAMBDA_CONSTRAINTS)
	$(call step,'Installing the local stack (moto$(comma) uvicorn) into $(VENV) (first run only: about 30 s)')
	$(BIN)/pip install --disable-pip-version-check -c $(LAMBDA_CONSTRAINTS) -e '.[local]'
	touch $(LOCAL_STAMP) $(SERVE_STAMP)

$(STAMP): pyproject.toml $(LAMBDA_CONSTRAINTS)
	$(call step,'Installing the dev toolchain into $(VENV) (first run only: about 60 s)')
	$(BIN)/pip install --disable-pip-version-check -c $(LAMBDA_CONSTRAINTS) -e '.[dev]'
	touch $(STAMP) $(LOCAL_STAMP) $(SERVE_STAMP)

$(SAM_STAMP): requirements-sam.txt
	$(call step,'Installing the pinned SAM CLI into $(SAM_VENV) (first run only: about 45 s)')
	$(SAM_PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install --quiet --upgrade pip
	$(SAM_VENV)/bin/pip install --disable-pip-version-check -r requirements-sam.txt
	touch $(SAM_STAMP)

serve: $(SERVE_STAMP)  ## run the API locally on the bundled catalog (port 3000; PORT=3001 for another)
	$(BIN)/ar-models serve$(if $(PORT), --port $(PORT))

dev: $(LOCAL_STAMP)  ## full local stack: moto DynamoDB + S3, synced catalog, API on port 3000 (PORT=)
	$(BIN)/ar-models dev$(if $(PORT), --port $(PORT))

test: $(STAMP) $(SAM_STAMP)  ## lint, type-check and run the whole test suite (sam build included)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(call step,'Type-checking (mypy --strict: about 20 s on a first run$(comma) seconds once cached)')
	$(BIN)/mypy
	$(call step,'Running the tests (the slow ones build the artifact and start servers: a few minutes)')
	SAM_CLI=$(CURDIR)/$(SAM) $(BIN)/pytest -n auto

test-fast: $(STAMP)  ## while iterating: lint, type-check, every test but the slow ones (no build)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(call step,'Type-checking (mypy --strict: about 20 s on a first run$(comma) seconds once cached)')
	$(BIN)/mypy
	$(BIN)/pytest -n auto -m "not slow" --no-cov

sam: $(SAM_STAMP)  ## install the pinned SAM CLI into .venv-sam

validate: $(SAM_STAMP)  ## sam validate --lint
	$(SAM) validate --lint

build: $(SAM_STAMP)  ## sam build into .aws-sam/build (runs the build-* targets below)
	$(SAM) build

# The interpreter the build compiles bytecode with (tests/test_sam_build.py imports with it too).
print-lambda-python:
	@$(LAMBDA_PYTHON_OR_STOP)

# `sam build` runs these (template.yaml: Metadata BuildMethod makefile) with ARTIFACTS_DIR set,
# in the source directory (samconfig.toml: build_in_source). The artifact is the runtime code
# only: the two packages (with catalog/models.json and the py.typed markers) plus the pinned
# runtime dependencies as Linux x86_64 CPython 3.13 wheels, whatever the host's Python.
# Then all of it is compiled to bytecode by CPython 3.13 (the host's own bytecode, if any, is
# removed first): Lambda's /var/task is read-only, so without shipped .pyc files every cold start
# compiles every module in memory again. unchecked-hash: the deployment zip does not reliably
# keep the files' mtimes, so timestamp-based .pyc files could look stale and be ignored; the
# artifact never changes once built, so the source need not be checked against them either.
# -I: no PYTHON* variable (PYTHONPYCACHEPREFIX, PYTHONOPTIMIZE) may change where or what it writes.
# -d /var/task: the source paths recorded in the bytecode are those on Lambda (LAMBDA_TASK_ROOT),
# not the build directory's, so both functions' artifacts are identical, whoever builds them.
# $(call lambda_artifact,REQUIREMENTS,PACKAGES,LEFT_OUT): the recipe of one function's artifact
# (LEFT_OUT: files of those packages it does not ship).
define lambda_artifact
	$(if $(ARTIFACTS_DIR),,$(error ARTIFACTS_DIR is not set: `sam build` runs this target))
	@{ $(LAMBDA_PYTHON_OR_STOP); } >/dev/null
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --no-compile \
		--no-deps --require-hashes --only-binary=:all: \
		--implementation cp --python-version $(LAMBDA_PYTHON_VERSION) \
		$(addprefix --platform ,$(LAMBDA_PLATFORMS)) \
		--target "$(ARTIFACTS_DIR)" -r $(1)
	rm -rf "$(ARTIFACTS_DIR)/bin"
	cp -R $(2) "$(ARTIFACTS_DIR)/"
	$(if $(3),rm -f $(addprefix "$(ARTIFACTS_DIR)/,$(addsuffix ",$(3))))
	find "$(ARTIFACTS_DIR)" -name __pycache__ -type d -prune -exec rm -rf {} +
	find "$(ARTIFACTS_DIR)" -name '*.py[co]' -type f -delete
	"$(LAMBDA_PYTHON)" -I -m compileall -q -j 0 --invalidation-mode unchecked-hash \
		-d /var/task "$(ARTIFACTS_DIR)"
endef

build-ModelsApiFunction build-CatalogSyncFunction:
	$(call lambda_artifact,$(LAMBDA_REQUIREMENTS),$(LAMBDA_PACKAGES),$(AUDIT_ONLY_MODULES))

# The audit's artifact: the same recipe on its own pins and packages.
build-AuditFunction:
	$(call lambda_artifact,$(AUDIT_REQUIREMENTS),$(AUDIT_PACKAGES))

# requirements-lambda.txt: pyproject's [project].dependencies without boto3 (the Lambda runtime
# provides it), resolved for the Lambda runtime with hashes. Existing pins are kept unless
# pyproject requires otherwise; `make lambda-requirements UPGRADE=1` moves to the newest releases.
lambda-requirements: $(STAMP)  ## regenerate requirements-lambda.txt from pyproject.toml
	$(BIN)/python -c 'import tomllib; from packaging.requirements import Requirement; \
		deps = tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]; \
		print("\n".join(d for d in deps if Requirement(d).name != "boto3"))' \
	| $(BIN)/uv pip compile - --quiet --no-header --generate-hashes \
		--python-version $(LAMBDA_PYTHON_VERSION) --python-platform x86_64-manylinux_2_34 \
		$(if $(UPGRADE),--upgrade) --output-file $(LAMBDA_REQUIREMENTS)
	{ printf '%s\n' \
		'# Runtime dependencies of the Lambda artifact. Generated, do not edit: `make lambda-requirements`' \
		'# (keeps these pins unless pyproject.toml rules them out; UPGRADE=1 takes the newest allowed).' \
		'# It runs `uv pip compile --generate-hashes --python-version 3.13 --python-platform' \
		'# x86_64-manylinux_2_34` on pyproject.toml [project].dependencies minus boto3, which the' \
		'# Lambda python3.13 runtime provides (with botocore); see docs/build.md, "The pinned requirements".'; \
	  cat $(LAMBDA_REQUIREMENTS); } > $(LAMBDA_REQUIREMENTS).tmp
	mv $(LAMBDA_REQUIREMENTS).tmp $(LAMBDA_REQUIREMENTS)

clean:
	rm -rf $(VENV) $(SAM_VENV) .aws-sam .pytest_cache .coverage .mypy_cache .ruff_cache

# requirements-audit.txt: pyproject's `audit` extra, resolved and hashed as requirements-lambda.txt
# is (same runtime, same platform; existing pins kept unless UPGRADE=1).
audit-requirements: $(STAMP)  ## regenerate requirements-audit.txt from pyproject.toml
	$(BIN)/python -c 'import tomllib; \
		print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["audit"]))' \
	| $(BIN)/uv pip compile - --quiet --no-header --generate-hashes \
		--python-version $(LAMBDA_PYTHON_VERSION) --python-platform x86_64-manylinux_2_34 \
		$(if $(UPGRADE),--upgrade) --output-file $(AUDIT_REQUIREMENTS)
	{ printf '%s\n' \
		'# Runtime dependencies of the AuditFunction artifact. Generated, do not edit: `make audit-requirements`' \
		'# (keeps these pins unless pyproject.toml rules them out; UPGRADE=1 takes the newest allowed).' \
		'# It runs `uv pip compile --generate-hashes --python-version 3.13 --python-platform' \
		'# x86_64-manylinux_2_34` on pyproject.toml [project.optional-dependencies].audit; boto3 is the' \
		'# Lambda runtime'"'"'s.'; \
	  cat $(AUDIT_REQUIREMENTS); } > $(AUDIT_REQUIREMENTS).tmp
	mv $(AUDIT_REQUIREMENTS).tmp $(AUDIT_REQUIREMENTS)
