"""Names and text as the document writes them, compared and shortened the same way everywhere."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=None)
def norm(name: str) -> str:
    """A name compared without case, `_` or `-`: `per-page` = `PerPage` = `per_page`."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


@lru_cache(maxsize=None)
def _words(name: str) -> tuple[str, ...]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", name))
    return tuple(w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w)


def words(name: str) -> list[str]:
    """`updatedAtStart` -> [updated, at, start]; `modified_since` -> [modified, since]."""
    return list(_words(name))


def snake(name: str) -> str:
    return "_".join(words(name))


@lru_cache(maxsize=None)
def singular(name: str) -> str:
    if name.endswith("ies") and len(name) > 4:
        return name[:-3] + "y"
    if name.endswith(("sses", "xes", "ches", "shes")):
        return name[:-2]
    return name[:-1] if name.endswith("s") and not name.endswith("ss") else name


def one_line(value: Any) -> str:
    """Text from the document on one line: whitespace runs as one space, control characters dropped.

    What a comment or a description may hold: YAML ends a comment at a line break and refuses
    most control characters anywhere in a file.
    """
    if not value:
        return ""
    text = "".join(c for c in str(value) if c.isspace() or unicodedata.category(c) not in ("Cc", "Cs", "Cn", "Co"))
    return " ".join(text.split())


# A format extension some APIs end their paths with (`/posts.json`, `/users/{id}.json`): no part of a name.
FORMAT_SUFFIX = re.compile(r"\.(json|xml|ya?ml|csv)$", re.IGNORECASE)


def without_format(path: str) -> str:
    """A path without its trailing `/` and format extension: `/posts/{id}.json` -> `/posts/{id}`."""
    return FORMAT_SUFFIX.sub("", path.rstrip("/"))


def sentences(text: str, limit: int) -> str:
    """The text's first sentences that fit in `limit` characters (the first one cut short if it alone does not)."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = cut.rfind(". ")
    return cut[:end + 1] if end > 0 else cut.rstrip() + "…"


def is_field_name(name: str) -> bool:
    """A field name dlt's JSON paths and placeholders take as it is: letters, digits, `_` and `-`."""
    return re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", name) is not None


def has_braces(text: str) -> bool:
    """Braces that dlt would read as a placeholder in a path or a parameter (str.format)."""
    return "{" in text or "}" in text


def mentions(text: str, *phrases: str) -> bool:
    """Whether the text says one of the phrases (regular expressions), without case."""
    return any(re.search(phrase, text, re.IGNORECASE) for phrase in phrases)
