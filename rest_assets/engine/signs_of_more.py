"""Signs in an answer that its listing goes on: what the partial-listing guard looks for (paginators.py).

An answer announces more records in its headers (`Link` with rel="next", `X-Total-Count`) or in
its envelope: the top level of a JSON object and the objects APIs keep their paging in (`meta`,
`pagination`, ...), never inside the records. `sign_of_more` returns the first sign it sees, in
plain words for an error message, or None.

A false sign fails a correct sync, so what counts is narrow:

- an explicit "no more" (`has_more: false`, Sentry's `results="false"` on its next link) wins
  over every other sign of the same answer;
- a next link, token or cursor counts only when it is not the request just made (its URL, or a
  value of its query string: the cursor it sent);
- a total counts only as an integer larger than what the whole listing has read so far (records,
  or pages for a page count), so a `count` that is a page's own size never does;
- an answer that is itself the record (a detail endpoint) has no envelope: only its headers count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Sequence
from urllib.parse import parse_qsl, urljoin, urlsplit

from requests import Response

# Keys of the envelope, by what they say. A next reference is a link, token, cursor or page number.
NEXT_REFERENCES = frozenset({
    "next", "next_page", "nextPage", "next_page_url", "nextPageUrl", "next_url", "nextUrl", "next_link",
    "nextLink", "@odata.nextLink", "odata.nextLink", "next_page_token", "nextPageToken", "next_token",
    "nextToken", "cursor", "next_cursor", "nextCursor",
})
MORE_FLAGS = frozenset({
    "has_more", "hasMore", "more", "has_next", "hasNext", "has_next_page", "hasNextPage", "more_items_in_collection",
})
RECORD_TOTALS = frozenset({
    "total", "total_count", "totalCount", "total_results", "totalResults", "total_items", "totalItems",
    "total_records", "totalRecords", "total_entries", "count",
})
PAGE_TOTALS = frozenset({"total_pages", "totalPages", "page_count", "pageCount"})
# Objects that hold paging, looked into at the top level and one level further (`meta.pagination`).
ENVELOPES = frozenset({
    "meta", "metadata", "pagination", "paging", "page_info", "pageInfo", "links", "_links",
    "response_metadata", "additional_data", "result_info",
})
TOTAL_HEADERS = ("X-Total-Count", "X-Total")
NEXT_PAGE_HEADER = "X-Next-Page"

_KINDS = {
    **{key: "next" for key in NEXT_REFERENCES}, **{key: "more" for key in MORE_FLAGS},
    **{key: "records" for key in RECORD_TOTALS}, **{key: "pages" for key in PAGE_TOTALS},
}
_NESTED_ENVELOPES = 2  # meta, then meta.pagination
_NO_MORE = "no more"  # an answer saying explicitly that nothing follows


@dataclass(frozen=True)
class Sign:
    """What the answer said (`what`, for an error message) and a dlt paginator that would follow it."""

    what: str
    paginator: str


def sign_of_more(response: Response, data: Sequence[Any] | None, records_read: int, pages_read: int,
                 parsed: Any = None) -> Sign | None:
    """The first sign in `response` that its listing has more than the `records_read` records and
    `pages_read` pages read so far (this page's among them); None if there is none. `parsed` is the
    answer's body where the caller parsed it already."""
    readings = [*_header_readings(response, records_read)]
    body = response.json() if parsed is None else parsed
    if type(body) is dict and not _is_the_data(body, data):
        readings += _envelope_readings(body, "", data, response, records_read, pages_read)
    if _NO_MORE in readings:
        return None
    return next((reading for reading in readings if reading is not None), None)


# --- headers ----------------------------------------------------------------------------------


_LINK = re.compile(r'<([^>]*)>((?:\s*;\s*[^\s;,=]+(?:\s*=\s*(?:"(?:[^"\\]|\\.)*"|[^\s;,]*))?)*)')
_LINK_PARAM = re.compile(r';\s*([^\s;,=]+)(?:\s*=\s*("(?:[^"\\]|\\.)*"|[^\s;,]*))?')


def header_links(value: str) -> Iterator[tuple[str, dict[str, str]]]:
    """The links of a `Link` header (RFC 8288): each target and its parameters, names lower-cased, quoted
    values unquoted (a comma or semicolon inside quotes or inside <...> does not split)."""
    for match in _LINK.finditer(value):
        params: dict[str, str] = {}
        for name, raw in _LINK_PARAM.findall(match.group(2)):
            if raw.startswith('"'):
                raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
            params.setdefault(name.lower(), raw)  # the first occurrence of a parameter counts
        yield match.group(1), params


def header_link(response: Response, rel: str = "next") -> tuple[str, dict[str, str]] | None:
    """The answer's first `Link` with this relation (`rel` holds space-separated relations), and its parameters."""
    return next(((target, params) for target, params in header_links(response.headers.get("Link") or "")
                 if rel.lower() in params.get("rel", "").lower().split()), None)


def says_no_results(params: Mapping[str, str]) -> bool:
    """A link marked `results="false"`: Sentry's next cursor with nothing behind it."""
    return params.get("results", "").strip().lower() == "false"


def _header_readings(response: Response, records_read: int) -> Iterator[Sign | str | None]:
    headers = response.headers
    if (next_link := header_link(response)) is not None:
        target, params = next_link
        if says_no_results(params):
            yield _NO_MORE
        elif not _is_this_request(target, response):
            yield Sign('the answer\'s Link header has rel="next"', "`header_link`")
    if (next_page := headers.get(NEXT_PAGE_HEADER, "").strip()) and not _is_this_request(next_page, response):
        yield Sign(f"the answer's {NEXT_PAGE_HEADER} header is {next_page}",
                   f"`header_cursor` with cursor_key: {NEXT_PAGE_HEADER}")
    for name in TOTAL_HEADERS:
        total = _integer(headers.get(name))
        if total is not None and total > records_read:
            yield Sign(f"the answer's {name} header is {total} but {_were_read(records_read, 'record')}",
                       "`offset` or `page_number`")


# --- the envelope -----------------------------------------------------------------------------


def _envelope_readings(
    envelope: Mapping[str, Any], prefix: str, data: Sequence[Any] | None, response: Response,
    records_read: int, pages_read: int,
) -> Iterator[Sign | str | None]:
    for key, value in envelope.items():
        path = f"{prefix}{key}"
        kind = _KINDS.get(key)
        if kind == "next":
            yield _next_reference(path, value, response)
        elif kind == "more":
            yield Sign(f"`{path}` is true", f"one with has_more_path: {path}") if value is True else (
                _NO_MORE if value is False else None)
        elif kind in ("records", "pages"):
            read, unit = (records_read, "record") if kind == "records" else (pages_read, "page")
            total = _integer(value)
            if total is not None and total > read:
                yield Sign(f"`{path}` is {total} but {_were_read(read, unit)}",
                           f"`offset` with total_path: {path}" if kind == "records"
                           else f"`page_number` with total_path: {path}")
        elif key in ENVELOPES and type(value) is dict and prefix.count(".") < _NESTED_ENVELOPES \
                and not _is_the_data(value, data):
            yield from _envelope_readings(value, f"{path}.", data, response, records_read, pages_read)


def _next_reference(path: str, value: Any, response: Response) -> Sign | None:
    if type(value) is dict:  # HAL and JSON:API: {"next": {"href": "..."}}
        key = "href" if value.get("href") else "url"
        value, path = value.get(key), f"{path}.{key}"
    if not value or type(value) not in (str, int) or _is_this_request(str(value), response):
        return None
    if type(value) is str and value.startswith(("http://", "https://", "/", "?")):
        return Sign(f"`{path}` holds a link to a next page", f"`json_link` with next_url_path: {path}")
    return Sign(f"`{path}` holds a reference to a next page", f"`cursor` with cursor_path: {path}")


# --- helpers ----------------------------------------------------------------------------------


def _is_the_data(value: Any, data: Sequence[Any] | None) -> bool:
    """Whether `value` is the page's data itself: its list, or its one record (a detail endpoint's answer)."""
    return data is not None and (value is data or (len(data) == 1 and value is data[0]))


def _is_this_request(reference: str, response: Response) -> bool:
    """A next reference that names the request just made: its URL, or a value it sent in its query string."""
    sent = response.request.url if response.request is not None else response.url
    if not sent:
        return False
    if urljoin(sent, reference) in (sent, response.url):
        return True
    return reference in {value for _, value in parse_qsl(urlsplit(sent).query)}


def _were_read(number: int, noun: str) -> str:
    return f"1 {noun} was read" if number == 1 else f"{number} {noun}s were read"


def _integer(value: Any) -> int | None:
    if type(value) is int:
        return value
    if type(value) is str and value.strip().isdigit():
        return int(value)
    return None
