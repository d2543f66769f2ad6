"""Deterministic, lazily generated records plus small mutation overlays.

Row i of a resource is computed on demand from (seed, api, resource, i), so a
resource of a million rows costs no memory: a page generates only its slice.
Edits and additions live in per-table overlays (a dict of changes and a count
of added rows), which stay small.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from bisect import bisect_left
from datetime import datetime, timedelta, timezone
from heapq import merge
from itertools import islice
from typing import Any, Iterable

TS_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
UTC = timezone.utc
# Random base timestamps fall in [BASE_START, BASE_END); edits are stamped later.
BASE_START = datetime(2022, 1, 1, tzinfo=UTC)
BASE_END = datetime(2025, 1, 1, tzinfo=UTC)


def ts(moment: datetime) -> str:
    return moment.strftime(TS_FORMAT)


def parse_ts(text: str) -> datetime:
    """Strict "%Y-%m-%dT%H:%M:%SZ"; raises ValueError otherwise."""
    return datetime.strptime(text, TS_FORMAT).replace(tzinfo=UTC)


class Rand:
    """A stream of pseudo-random draws derived from a hash of `parts`."""

    __slots__ = ("_buf", "_pos")

    def __init__(self, *parts: Any) -> None:
        self._buf = hashlib.shake_256("|".join(map(str, parts)).encode()).digest(64)
        self._pos = 0

    def _u32(self) -> int:
        if self._pos + 4 > len(self._buf):  # exhausted: extend the stream deterministically
            self._buf = hashlib.shake_256(self._buf).digest(64)
            self._pos = 0
        value = int.from_bytes(self._buf[self._pos : self._pos + 4], "big")
        self._pos += 4
        return value

    def int(self, lo: int, hi: int) -> int:
        """Uniform integer in [lo, hi]."""
        return lo + self._u32() % (hi - lo + 1)

    def unit(self) -> float:
        return self._u32() / 2**32

    def float(self, lo: float, hi: float, digits: int = 2) -> float:
        return round(lo + (hi - lo) * self.unit(), digits)

    def chance(self, p: float) -> bool:
        return self.unit() < p

    def choice(self, seq):
        return seq[self._u32() % len(seq)]

    def sample(self, seq, k: int) -> list:
        pool = list(seq)
        return [pool.pop(self._u32() % len(pool)) for _ in range(min(k, len(pool)))]

    def maybe(self, value, p_null: float = 0.15):
        """`value`, or None with probability p_null (the documented "or null" fields)."""
        return None if self.chance(p_null) else value

    def hex(self, n: int) -> str:
        return "".join(f"{self._u32():08x}" for _ in range((n + 7) // 8))[:n]

    def time(self, start: datetime = BASE_START, end: datetime = BASE_END) -> datetime:
        return start + timedelta(seconds=int((end - start).total_seconds() * self.unit()))

    def after(self, moment: datetime) -> datetime:
        """A time between `moment` and BASE_END (e.g. updatedAt after createdAt)."""
        return self.time(moment, max(moment, BASE_END))


# --- primary keys -------------------------------------------------------------
# Each codec turns a row index into the resource's key and back, so update_rows
# can find a record by key without any index of the data.


class IntKey:
    """1, 2, 3, ... (increasing in API order)."""

    def encode(self, salt: str, i: int) -> int:
        return i + 1

    def decode(self, salt: str, key) -> int:
        return int(key) - 1


class PrefixedKey:
    """"tsk_000001", ... (the number is i + 1)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def encode(self, salt: str, i: int) -> str:
        return f"{self.prefix}{i + 1:06d}"

    def decode(self, salt: str, key) -> int:
        if not str(key).startswith(self.prefix):
            raise ValueError(key)
        return int(str(key)[len(self.prefix) :]) - 1


@lru_cache(maxsize=None)
def _mask(salt: str, bits: int) -> int:
    """A per-resource constant XORed into the index, so keys look random yet decode."""
    return Rand(salt, "mask").int(0, 2**bits - 1)


class SidKey:
    """Twilio-style "WS" + 32 hex: 24 hashed hex digits, then the (masked) index in 8 hex."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def encode(self, salt: str, i: int) -> str:
        return f"{self.prefix}{Rand(salt, 'key', i).hex(24)}{i ^ _mask(salt, 32):08x}"

    def decode(self, salt: str, key) -> int:
        return int(str(key)[-8:], 16) ^ _mask(salt, 32)


class UuidKey:
    """A UUID4-shaped string whose last group is the (masked) index."""

    def encode(self, salt: str, i: int) -> str:
        h = Rand(salt, "key", i).hex(19)
        return f"{h[:8]}-{h[8:12]}-4{h[12:15]}-{'89ab'[int(h[15], 16) % 4]}{h[16:19]}-{i ^ _mask(salt, 48):012x}"

    def decode(self, salt: str, key) -> int:
        return int(str(key)[-12:], 16) ^ _mask(salt, 48)


def random_uuid(rand: Rand) -> str:
    h = rand.hex(31)
    return f"{h[:8]}-{h[8:12]}-4{h[12:15]}-{'89ab'[int(h[15], 16) % 4]}{h[16:19]}-{h[19:31]}"


# --- index views --------------------------------------------------------------


class IndexView:
    """A sorted set of row indices: the range [lo, hi) minus `holes`, plus `extras`.

    This describes every listing the APIs need without materialising it: a whole
    resource is just [0, n); a `modified_since` filter is a suffix of the base
    range, minus edited rows (holes), plus the edited/added rows that pass
    (extras). Holes and extras come from the overlays, so they are small.
    """

    def __init__(self, lo: int, hi: int, holes: Iterable[int] = (), extras: Iterable[int] = ()) -> None:
        self.lo, self.hi = lo, max(lo, hi)
        self.holes = sorted({h for h in holes if lo <= h < hi})
        self._hole_set = set(self.holes)
        self.extras = sorted(set(extras))  # callers keep extras outside the range part

    def __len__(self) -> int:
        return self.hi - self.lo - len(self.holes) + len(self.extras)

    def count_below(self, x: int) -> int:
        """How many indices in the view are < x."""
        in_range = min(max(x, self.lo), self.hi) - self.lo
        return in_range - bisect_left(self.holes, x) + bisect_left(self.extras, x)

    def slice(self, start: int, stop: int) -> list[int]:
        """The indices at positions [start, stop), like list(view)[start:stop]."""
        stop = min(stop, len(self))
        if start >= stop:
            return []
        first = self._nth(start)
        in_range = (i for i in range(max(first, self.lo), self.hi) if i not in self._hole_set)
        extras = self.extras[bisect_left(self.extras, first) :]
        return list(islice(merge(in_range, extras), stop - start))

    def _nth(self, n: int) -> int:
        """The index at position n: the smallest x with count_below(x + 1) > n."""
        lo = min([self.lo] + self.extras[:1])
        hi = max([self.hi - 1] + self.extras[-1:])
        while lo < hi:
            mid = (lo + hi) // 2
            if self.count_below(mid + 1) > n:
                hi = mid
            else:
                lo = mid + 1
        return lo


# --- tables -------------------------------------------------------------------


class Row:
    """What a record generator sees: the row's index, key, random stream and context."""

    __slots__ = ("table", "i", "key", "rand")

    def __init__(self, table: "Table", i: int) -> None:
        self.table, self.i = table, i
        self.key = table.key(i)
        self.rand = Rand(table.salt, i)

    @property
    def creds(self):
        return self.table.dataset.creds

    @property
    def parent_key(self):
        return self.table.parent_key(self.i)

    def ref(self, resource: str):
        """Key of a pseudo-random base row of a sibling resource (None if it is empty)."""
        other = self.table.dataset.tables[(self.table.api, resource)]
        return other.key(self.rand.int(0, other.base - 1)) if other.base else None


class Table:
    """One resource: base rows [0, base) generated on demand, then added rows, plus edits."""

    def __init__(self, dataset: "Dataset", api: str, spec, size: int, parent: "Table | None" = None) -> None:
        self.dataset, self.api, self.spec, self.parent = dataset, api, spec, parent
        self.salt = f"{dataset.seed}|{api}|{spec.name}"
        # Child tables (taskrouter workers): `size` rows per parent row, laid out
        # parent-major; added rows remember their parent in `added_parent`.
        self.per_parent = size if parent else 0
        self.base = self.total = size * parent.base if parent else size
        self.changes: dict[int, dict] = {}  # row index -> edited fields
        self.clock: datetime | None = None  # last timestamp given by `touch`
        self.added_parent: dict[int, list[int]] = {}  # parent index -> added child indices
        self.renamed: dict[int, Any] = {}  # row index -> key given by `rename`
        self.deleted: set[int] = set()  # row indices the API no longer lists

    def key(self, i: int):
        return self.renamed[i] if i in self.renamed else self.spec.codec.encode(self.salt, i)

    def index(self, key, include_deleted: bool = False) -> int:
        """Row index of a primary-key value; KeyError if no such row (or it is deleted)."""
        renamed = next((i for i, new in self.renamed.items() if str(new) == str(key)), None)
        if renamed is not None:
            return renamed
        try:
            i = self.spec.codec.decode(self.salt, key)
        except (TypeError, ValueError):
            raise KeyError(key) from None
        if not (0 <= i < self.total and str(self.key(i)) == str(key)) or (i in self.deleted and not include_deleted):
            raise KeyError(key)
        return i

    def base_row(self, i: int) -> dict:
        return self.spec.make(Row(self, i))

    def row(self, i: int) -> dict:
        record = self.base_row(i)
        record.update(self.changes.get(i, {}))
        return record

    def parent_index(self, i: int) -> int:
        if i < self.base:
            return i // self.per_parent
        return next(p for p, kids in self.added_parent.items() if i in kids)

    def parent_key(self, i: int):
        return self.parent.key(self.parent_index(i)) if self.parent else None

    # -- views

    def view(self, since: str | None = None) -> IndexView:
        """All rows, or (with `since`) those whose spec.since field is >= since."""
        if since is None:
            return IndexView(0, self.total, holes=self.deleted)
        field = self.spec.since.field
        # Base values of the field increase with i, so the passing base rows are a suffix.
        first = bisect_left(range(self.base), since, key=lambda i: self.base_row(i)[field])
        overlaid = {i for i, ch in self.changes.items() if field in ch} | set(range(self.base, self.total))
        passing = [i for i in overlaid - self.deleted if self.row(i)[field] >= since]
        return IndexView(first, self.base, holes=overlaid | self.deleted, extras=passing)

    def child_view(self, parent_index: int) -> IndexView:
        """The rows of one parent, in order."""
        lo = parent_index * self.per_parent if parent_index < self.parent.base else 0
        hi = lo + self.per_parent if parent_index < self.parent.base else 0
        extras = [i for i in self.added_parent.get(parent_index, ()) if i not in self.deleted]
        return IndexView(lo, hi, holes=self.deleted, extras=extras)

    # -- mutations

    def tick(self) -> str:
        """A timestamp later than every value of spec.touch so far (strictly increasing)."""
        floor = BASE_END
        if self.spec.since and self.spec.since.field == self.spec.touch and self.base:
            floor = max(floor, parse_ts(self.base_row(self.base - 1)[self.spec.touch]))
        self.clock = max(floor, self.clock or floor) + timedelta(seconds=1)
        return ts(self.clock)

    def update(self, keys: list, changes: dict | None) -> None:
        changes = dict(changes or {})
        if self.spec.key_field in changes:
            raise ValueError("update_rows cannot change the primary key")
        indices = [self.index(k) for k in keys]  # validate all before editing any
        stamp = {self.spec.touch: self.tick()} if self.spec.touch else {}
        for i in indices:
            self.changes.setdefault(i, {}).update(stamp, **changes)

    def delete(self, keys: list) -> None:
        """Stop listing these rows (a child's listing goes with its deleted parent)."""
        self.deleted.update([self.index(k) for k in keys])  # validate all before deleting any

    def restore(self, keys: list) -> None:
        """List deleted rows again, as they were."""
        self.deleted.difference_update([self.index(k, include_deleted=True) for k in keys])

    def rename(self, renames: dict) -> None:
        """Give rows new keys (any string); their children's parent references follow."""
        indices = {self.index(old): new for old, new in renames.items()}  # validate all before renaming any
        if len({str(new) for new in indices.values()}) != len(indices) or any(
            self._exists(new) for new in indices.values()
        ):
            raise ValueError(f"new keys must be unique: {list(indices.values())}")
        self.renamed.update(indices)

    def _exists(self, key) -> bool:
        try:
            self.index(key)
        except KeyError:
            return False
        return True

    def add(self, n: int, parent_index: int | None = None) -> list[int]:
        if n < 0:
            raise ValueError("cannot add a negative number of rows")
        new = list(range(self.total, self.total + n))
        self.total += n
        if self.parent is not None:
            self.added_parent.setdefault(parent_index, []).extend(new)
        if self.spec.touch and new:
            stamp = self.tick()  # new rows must look newer than anything already synced
            for i in new:
                self.changes[i] = {self.spec.touch: stamp}
        return new


class Dataset:
    """All tables of all APIs for one simulator configuration."""

    def __init__(self, apis: dict, sizes: dict | None, default_rows: int, seed: int, creds) -> None:
        self.seed, self.creds = seed, creds
        sizes = sizes or {}
        _check_sizes(apis, sizes)
        self.tables: dict[tuple[str, str], Table] = {}
        for api in apis.values():
            for spec in api.resources.values():  # parents are listed before children
                size = sizes.get(api.name, {}).get(spec.name, default_rows)
                if size < 0:
                    raise ValueError(f"negative size for {api.name}/{spec.name}")
                parent = self.tables[(api.name, spec.parent)] if spec.parent else None
                self.tables[(api.name, spec.name)] = Table(self, api.name, spec, size, parent)

    def table(self, api: str, resource: str) -> Table:
        try:
            return self.tables[(api, resource)]
        except KeyError:
            raise KeyError(f"unknown resource {api}/{resource}") from None

    def children(self, table: Table) -> list[Table]:
        return [t for t in self.tables.values() if t.parent is table]

    def views(self, api: str, resource: str) -> list[IndexView]:
        """A full listing in API order: one view, or one per parent for child resources."""
        table = self.table(api, resource)
        if table.parent is None:
            return [table.view()]
        return [table.child_view(p) for p in table.parent.view().slice(0, table.parent.total)]

    def add(self, api: str, resource: str, n: int) -> list:
        table = self.table(api, resource)
        parent_index = None
        if table.parent is not None:  # new children go to the last parent: the end of API order
            if not table.parent.total:
                raise ValueError(f"{api}/{resource}: no parent rows to add children to")
            parent_index = table.parent.total - 1
        new = table.add(n, parent_index)
        for child in self.children(table):  # a new parent gets the usual number of children
            for p in new:
                child.add(child.per_parent, p)
        return [table.key(i) for i in new]


def _check_sizes(apis: dict, sizes: dict) -> None:
    for api, per_resource in sizes.items():
        if api not in apis:
            raise ValueError(f"unknown api in sizes: {api!r}")
        unknown = set(per_resource) - set(apis[api].resources)
        if unknown:
            raise ValueError(f"unknown {api} resources in sizes: {sorted(unknown)}")

