"""A stored catalog document parsed within bounds, its shape measured before any value is built.

`json.loads` recurses once per level of nesting and builds every value it reads: a document
nested 10,000 levels deep, or a list of a million entries, costs a RecursionError or hundreds of
MB before any check on the result could run. So the document's shape is measured first on its
bytes, with byte operations that run in C (no recursion, no Python object per value): the
strings are cut out, what remains is reduced to its brackets and commas, and the innermost
containers are removed one level a pass. A list whose entries are nested at most `max_depth`
levels is flat after `max_depth` passes, and its commas count its entries. Only a document
within both bounds is parsed.
"""

from __future__ import annotations

import json
import re
from typing import Any

# A container with no container inside it, its commas included: one pass removes a level.
_INNERMOST = re.compile(rb"\[[^\[\]]*\]")
# Objects and lists alike: only nesting and commas matter to the count.
_BRACKETS = bytes.maketrans(b"{}", b"[]")
_NOT_STRUCTURE = bytes(byte for byte in range(256) if byte not in b"[]{},")


def entries_within(
    body: bytes, *, prefix: bytes, suffix: bytes, max_entries: int, max_depth: int
) -> list[Any]:
    """The entries of the JSON list that `body` holds between `prefix` (ending with its `[`)
    and `suffix` (starting with its `]`), parsed only once the list is known to hold at most
    `max_entries` entries, each nested at most `max_depth` levels (the entry itself being
    level 1 when it is a container).

    Raises ValueError saying which bound is broken, or that `body` is not such a document.
    """
    if not (body.startswith(prefix) and body.endswith(suffix)) or len(body) < len(prefix + suffix):
        raise ValueError("it is not a catalog document as the sync writes one")
    shape = _structure(body[len(prefix) : len(body) - len(suffix)])
    for _ in range(max_depth):
        if b"[" not in shape and b"]" not in shape:
            break
        shape = _INNERMOST.sub(b"", shape)
    if b"[" in shape or b"]" in shape:
        raise ValueError(f"a model is nested deeper than {max_depth} levels (or it is not JSON)")
    entries = shape.count(b",") + 1
    if entries > max_entries:
        raise ValueError(f"{entries:,} models, over the cap of {max_entries:,}")
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"it is not valid JSON ({exc})") from None
    # The prefix and suffix frame one list only if nothing else sits between them.
    if not isinstance(document, dict) or not isinstance(document.get("data"), list):
        raise ValueError("it is not a catalog document as the sync writes one")
    data: list[Any] = document["data"]
    return data


def _structure(text: bytes) -> bytes:
    """`text` without its JSON strings, reduced to brackets (`[` and `]` for both kinds) and
    commas. Escapes go first (`\\\\`, then `\\"`), so every quote left opens or closes a string."""
    unescaped = text.replace(b"\\\\", b"").replace(b'\\"', b"")
    outside_strings = b"".join(unescaped.split(b'"')[::2])
    return outside_strings.translate(_BRACKETS, _NOT_STRUCTURE)
