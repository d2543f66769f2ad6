"""Records as 64-bit hashes: what a sync remembers of each row it listed.

Deletion tracking (deletions.py) compares the keys a listing brought with the
warehouse's; the paging guard (paginators.py) notices a page of records already
listed. A hash per row (8 bytes in an array, a few dozen in a set) instead of
the key itself: a set of key tuples held ~150 bytes a row.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Sequence

import orjson


def key_hash(values: Iterable[Any]) -> int:
    """The same number for a key read from the API and from the warehouse (compared as text)."""
    return hash(tuple(str(value) for value in values))


def record_hash(record: Any, key_fields: Sequence[str]) -> int:
    """A record's key hash, or, without a complete key, the hash of its content."""
    if key_fields and type(record) is dict:
        values = [record.get(field) for field in key_fields]
        if None not in values:
            return key_hash(values)
    try:
        return hash(orjson.dumps(record, option=orjson.OPT_SORT_KEYS))
    except TypeError:  # an integer beyond 64 bits, which only the slower encoder takes
        return hash(json.dumps(record, sort_keys=True, default=str))
