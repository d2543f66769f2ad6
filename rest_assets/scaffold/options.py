"""What the user says that the document does not: keys, which endpoints, paginators.

The same options on `python -m rest_assets.openapi` and on `dg scaffold defs ... --openapi`, each
repeatable or comma-separated:

- `--primary-key gid` names the key of every resource whose records have that field (over what
  was inferred); `--primary-key tasks=gid` one resource's; `stats=date+project` a key of two fields.
- `--include /users*,tag:Users` / `--exclude ...`: paths (`/` first; `*` matches any text) or
  tags (`tag:` first, or any other word). An included child brings its parents; an excluded
  listing takes its children with it.
- `--paginator header_link` (a dlt paginator's name, or its JSON) fills in where the document
  shows no paging; `--paginator tasks={"type": "cursor", ...}` sets one resource's over what was
  inferred.
"""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from rest_assets.scaffold.document import OpenApiError, Operation

RESOURCE_PREFIX = re.compile(r"([a-z][a-z0-9_]*)=(.+)", re.DOTALL)


@dataclass
class Options:
    primary_keys: dict[str | None, tuple[str, ...]] = field(default_factory=dict)  # None: every resource
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    paginators: dict[str | None, Any] = field(default_factory=dict)  # None: where the document is silent

    @classmethod
    def parse(cls, primary_key: Iterable[str] = (), include: Iterable[str] = (), exclude: Iterable[str] = (),
              paginator: Iterable[str] = ()) -> "Options":
        options = cls(include=_split(include), exclude=_split(exclude))
        for value in _split(primary_key):
            resource, fields = _per_resource(value)
            options.primary_keys[resource] = tuple(f.strip() for f in fields.split("+") if f.strip())
        for value in paginator:  # not split on commas: a paginator's JSON has them
            resource, spec = _per_resource(value.strip())
            options.paginators[resource] = _paginator(spec)
        return options

    def selects(self, op: Operation) -> bool:
        """Whether the operation is among those --include names (all, without it)."""
        return not self.include or _matches(self.include, op)

    def excludes(self, op: Operation) -> bool:
        return _matches(self.exclude, op)

    def resources_named(self) -> set[str]:
        return {name for name in [*self.primary_keys, *self.paginators] if name is not None}


def _split(values: Iterable[str]) -> list[str]:
    return [part.strip() for value in values for part in str(value).split(",") if part.strip()]


def _per_resource(value: str) -> tuple[str | None, str]:
    """`tasks=gid` -> ("tasks", "gid"); `gid` -> (None, "gid")."""
    found = RESOURCE_PREFIX.fullmatch(value)
    return (found.group(1), found.group(2).strip()) if found else (None, value)


def _paginator(spec: str) -> Any:
    if spec.startswith("{"):
        try:
            value = json.loads(spec)
        except json.JSONDecodeError as error:
            raise OpenApiError(f"--paginator {spec}: not JSON ({error})") from None
        if not isinstance(value, dict) or not isinstance(value.get("type"), str):
            raise OpenApiError(f"--paginator {spec}: a paginator's JSON is an object with a `type`")
        return value
    if not re.fullmatch(r"[A-Za-z_][\w.:]*", spec):
        raise OpenApiError(f"--paginator {spec!r}: a dlt paginator's name (header_link, cursor, ...) or its JSON")
    return spec


def _matches(patterns: list[str], op: Operation) -> bool:
    tags = {t.lower() for t in op.tags}
    for pattern in patterns:
        if pattern.startswith("/"):
            if fnmatch.fnmatchcase(op.path, pattern) or fnmatch.fnmatchcase(op.path.rstrip("/"), pattern.rstrip("/")):
                return True
        elif pattern.lower().removeprefix("tag:") in tags:
            return True
    return False
