"""What a successful answer must be to be loaded: JSON parsed once, not nested too deep, no integer beyond 64 bits."""

from __future__ import annotations

from typing import Any

import orjson
from requests import Response


_UNPARSED = object()
# A run of 20 digits (2**64 has 20), found as 20 nines once every digit reads "9": a tenth
# of a regex search's cost, which was more than parsing the page.
_DIGITS_AS_NINES = bytes.maketrans(b"012345678", b"999999999")
_TWENTY_NINES = b"9" * 20


def has_twenty_digit_run(body: bytes) -> bool:
    return _TWENTY_NINES in body.translate(_DIGITS_AS_NINES)


class ParsedOnceResponse(Response):
    """A response that parses its JSON body once, with orjson.

    The check below, dlt's client (for the page's data) and the paginators (for the next
    page) each call `json()` on every page; each call parsed it anew. What orjson refuses
    (not UTF-8, numbers beyond a double) or would round (integers beyond 64 bits, which
    it reads as floats) is parsed as requests would, with its errors.
    """

    _parsed: Any = _UNPARSED
    may_hold_huge_integers = False  # a 20-digit run in the body: parsed by requests, integers kept whole

    def json(self, **kwargs: Any) -> Any:
        if kwargs:
            return super().json(**kwargs)
        if self._parsed is _UNPARSED:
            self._parsed = self._parse()
        return self._parsed

    def _parse(self) -> Any:
        self.may_hold_huge_integers = has_twenty_digit_run(self.content)
        if not self.may_hold_huge_integers:
            try:
                return orjson.loads(self.content)
            except orjson.JSONDecodeError:
                pass
        return super().json()


_CONTAINERS = (dict, list)
_INT64_RANGE = range(-(2**63), 2**64)  # signed and unsigned 64-bit integers: what dlt's files can hold


def huge_integer_at(value: Any, path: str = "$") -> str | None:
    """Where the first integer beyond 64 bits is (a JSONPath), or None; for JSON already checked for depth."""
    if type(value) is int:
        return None if value in _INT64_RANGE else path
    children = value.items() if type(value) is dict else enumerate(value) if type(value) is list else ()
    for key, child in children:
        if where := huge_integer_at(child, f"{path}[{key}]" if type(key) is int else f"{path}.{key}"):
            return where
    return None


def nesting_exceeds(value: Any, limit: int) -> bool:
    """Whether arrays/objects nest deeper than `limit`.

    Level by level, without recursion (no recursion limit to hit), and with exact type
    tests: it looks at every value of every page, and parsed JSON holds no subclasses.
    """
    level, depth = ([value] if type(value) in _CONTAINERS else []), 1
    while level:
        if depth > limit:
            return True
        deeper: list = []
        add = deeper.append
        for node in level:
            for child in node.values() if type(node) is dict else node:
                if type(child) in _CONTAINERS:
                    add(child)
        level, depth = deeper, depth + 1
    return False
