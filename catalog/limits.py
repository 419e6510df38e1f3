"""The caps and the syntax a catalog must keep, each stated once here (README quotes them).

A document `parse_catalog_json` (catalog/document.py) accepts is one the sync can write and the
API can serve. Hence these bounds:

- JSON interop: integers within +-(2**53 - 1) (what every JSON parser, JavaScript's included,
  reads exactly), floats finite (no NaN, no Infinity: neither is JSON), strings valid UTF-8
  (no lone surrogate, in values or keys), and strict JSON types: no bool where an integer is
  expected, no string for a number or a bool.
- Sizes: the list body GET /v1/models sends stays well inside Lambda's 6 MB response limit, one
  model is small, and every string, extra field and level of nesting is bounded, so no catalog
  can make the API slow to read or impossible to answer.
"""

from __future__ import annotations

import re

# -- the caps ---------------------------------------------------------------------------------

# Models in one catalog. Today's catalog has a few dozen; this leaves two orders of magnitude.
MAX_MODELS = 10_000
# GET /v1/models as sent (compact JSON, UTF-8): well inside Lambda's 6 MB response limit, with
# room for the API Gateway envelope and headers.
MAX_LIST_BYTES = 4 * 2**20
# One model's wire object, serialised the same way (GET /v1/models/{id}).
MAX_MODEL_BYTES = 64 * 2**10
# A catalog document before parsing: twice the list cap, so a pretty-printed document whose
# compact form is near MAX_LIST_BYTES still reads; anything larger is refused unparsed.
MAX_DOCUMENT_BYTES = 8 * 2**20
MAX_ID_LENGTH = 128
MAX_OWNED_BY_LENGTH = 64
# Any other string anywhere in a model (extra fields, their nested values and keys).
MAX_STRING_LENGTH = 4_096
# Levels of JSON containers in one model, the model object itself being level 1
# (`capabilities` is level 2; an extra field {"pricing": {"tiers": [...]}} reaches level 3).
MAX_DEPTH = 8
# Curated fields beyond the schema's, per model, and the length of their names.
MAX_EXTRA_FIELDS = 32
MAX_EXTRA_KEY_LENGTH = 64
# A model's other names (`aliases`) and its provider's name for it (`display_name`).
MAX_ALIASES = 32
MAX_DISPLAY_NAME_LENGTH = 128
# Price tiers above a prompt size (`pricing.tiers`), and dated price sets (`pricing_schedule`),
# per model: providers publish one or two of each; these caps keep the largest model without
# extra fields (every price set full) well under MAX_MODEL_BYTES.
MAX_PRICING_TIERS = 8
MAX_PRICING_SCHEDULE = 16
# The largest integer every JSON parser reads exactly (JavaScript's Number.MAX_SAFE_INTEGER).
MAX_SAFE_INTEGER = 2**53 - 1
# The latest `created` both dialects can serve: 9999-12-31T23:59:59Z. The Anthropic dialect
# writes it as an RFC 3339 date-time, whose year has four digits.
MAX_CREATED = 253_402_300_799
# The largest context window today is ~10M tokens; 100M leaves 10x headroom and still catches
# the typo of a few extra zeros, which 2**53 - 1 would let through.
MAX_CONTEXT_LENGTH = 100_000_000
# Problems listed for one model, and for a whole document: enough to fix a catalog in one pass,
# bounded so a hostile document cannot turn its list of problems into hundreds of MB.
MAX_PROBLEMS_PER_MODEL = 20
MAX_PROBLEMS = 1_000

# -- syntax -----------------------------------------------------------------------------------

# Ids are what routers and SDKs put in URLs: `/`, `:`, `.`, `@` are allowed (provider prefixes,
# version tags), `%` and whitespace are not, so a percent-decoded path can never be ambiguous.
# No `.` or `..` path segment (`gpt-4.1` is fine, `a/../b` is not): clients that normalise paths
# could not retrieve the model, and a successor's `Link` could point outside /v1/models/.
# Valid both as a Python and as an ECMA-262 (OpenAPI) regular expression.
MODEL_ID_PATTERN = re.compile(
    r"^(?!.*//)(?!(?:.*/)?\.\.?(?:/|$))[A-Za-z0-9](?:[A-Za-z0-9._:@/+-]{0,"
    + str(MAX_ID_LENGTH - 2)
    + r"}[A-Za-z0-9._:@+-])?$"
)
# A provider is a filter value (`?owned_by=`) and a metric dimension: a short, safe token.
OWNED_BY_PATTERN = r"^[A-Za-z0-9._-]+$"
# Dates as the curator writes them: a day (`lifecycle`'s dates), a month (`knowledge_cutoff`).
ISO_DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
YEAR_MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
