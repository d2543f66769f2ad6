"""The pagination styles of the five APIs, as generic functions `PageRequest -> body`.

Every style slices an `IndexView` (the listing in key order), so it works the
same for 0 rows or a million, and knows the total: an exactly-full last page
already says "no more".
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Callable

from .data import IndexView


class ApiError(Exception):
    """Answered as `{"error": message}` with `status`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@dataclass
class PageRequest:
    view: IndexView
    rows: Callable[[list[int]], list[dict]]  # indices -> records
    query: dict[str, str]
    selector: str  # key of the record list in the body
    url: Callable[[dict], str]  # absolute URL of this endpoint, with these query params changed
    index_of: Callable[[str], int]  # cursor value (a record key) -> row index

    def page(self, start: int, size: int) -> tuple[list[dict], bool]:
        """Records at positions [start, start + size) and whether more follow."""
        return self.rows(self.view.slice(start, start + size)), start + size < len(self.view)


def int_param(query: dict, name: str, default: int, minimum: int = 0, maximum: int | None = None) -> int:
    """An integer query parameter; 400 if malformed or too small, clamped to `maximum`."""
    raw = query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"invalid {name}") from None
    if value < minimum:
        raise ApiError(400, f"invalid {name}")
    return min(value, maximum) if maximum is not None else value


def page_meta(p: PageRequest) -> dict:
    """Task router: ?PageSize=&Page= (0-based); meta.next_page_url is absolute, null at the end."""
    size = int_param(p.query, "PageSize", 50, 1, 1000)
    page = int_param(p.query, "Page", 0)
    records, more = p.page(page * size, size)
    at = lambda n: p.url({"PageSize": size, "Page": n})  # noqa: E731
    return {
        p.selector: records,
        "meta": {
            "page": page,
            "page_size": size,
            "first_page_url": at(0),
            "previous_page_url": at(page - 1) if page else None,
            "url": at(page),
            "next_page_url": at(page + 1) if more else None,
            "key": p.selector,
        },
    }


def starting_after(p: PageRequest) -> dict:
    """Agency: ?limit=&startingAfter=<id of the last record seen>; hasMore false at the end."""
    limit = int_param(p.query, "limit", 100, 1, 100)
    cursor = p.query.get("startingAfter")
    try:
        # Keys increase with the index: the records after `cursor` start at index_of(cursor) + 1.
        start = 0 if cursor is None else p.view.count_below(p.index_of(cursor) + 1)
    except ValueError:
        raise ApiError(400, "invalid startingAfter") from None
    records, more = p.page(start, limit)
    return {p.selector: records, "hasMore": more}


def page_number(p: PageRequest) -> dict:
    """Resourcing: ?page= (1-based) &per-page=; no total, a page past the end is empty."""
    page = int_param(p.query, "page", 1, 1)
    per_page = int_param(p.query, "per-page", 200, 1, 200)
    records, _ = p.page((page - 1) * per_page, per_page)
    return {p.selector: records, "meta": {"page": page, "per_page": per_page}}


def encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def decode_token(token: str) -> int:
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        label, _, number = text.partition(":")
        if label != "offset" or not number.isdigit():
            raise ValueError(token)
        return int(number)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ApiError(400, "invalid pageToken") from None


def page_token(p: PageRequest) -> dict:
    """Workhub: ?limit=&pageToken=<opaque>; pagination.hasMore / nextPageToken."""
    limit = int_param(p.query, "limit", 100, 1, 100)
    token = p.query.get("pageToken")
    start = decode_token(token) if token else 0
    records, more = p.page(start, limit)
    return {p.selector: records, "pagination": {"hasMore": more, "nextPageToken": encode_token(start + limit) if more else None}}


def offset(p: PageRequest) -> dict:
    """Datasync jobs: ?offset=&limit=; only the data, a page past the end is empty."""
    start = int_param(p.query, "offset", 0)
    limit = int_param(p.query, "limit", 100, 1, 100)
    records, _ = p.page(start, limit)
    return {p.selector: records}


def next_link(p: PageRequest) -> dict:
    """Datasync connections/workspaces: `next` is the absolute URL of the next page, absent at the end."""
    start = int_param(p.query, "offset", 0)
    limit = int_param(p.query, "limit", 100, 1, 100)
    records, more = p.page(start, limit)
    body = {p.selector: records}
    if more:
        body["next"] = p.url({"limit": limit, "offset": start + limit})
    return body
