"""Paginators for pagination styles dlt does not ship, and a guard around every paginator.

All are small subclasses of dlt's own paginator classes, so the rest of dlt's
REST client (retries, auth, data selection, incremental) applies unchanged.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any, List, Optional, Sequence

from dlt.common import jsonpath
from dlt.sources.helpers.rest_client.detector import PaginatorFactory
from dlt.sources.helpers.rest_client.paginators import (
    BasePaginator,
    BaseReferencePaginator,
    HeaderLinkPaginator,
    PageNumberPaginator,
    RangePaginator,
    SinglePagePaginator,
)
from dlt.sources.rest_api.config_setup import PAGINATOR_MAP, register_paginator
from requests import Request, Response

from rest_assets.engine.errors import PaginationStuck, PartialListing, UnusableResponse
from rest_assets.engine.keys import record_hash
from rest_assets.engine.signs_of_more import Sign, header_link, says_no_results, sign_of_more

_log = logging.getLogger(__name__)


class LastRecordCursorPaginator(BaseReferencePaginator):
    """Cursor = the key of the last record of the previous page (`?startingAfter=<id>`).

    The API says whether more pages follow in a boolean (`hasMore`); the cursor
    itself is not in the response, so dlt's JSONResponseCursorPaginator cannot
    be used.
    """

    def __init__(
        self,
        cursor_param: str = "startingAfter",
        cursor_field: str = "id",
        has_more_path: jsonpath.TJsonPath = "hasMore",
    ) -> None:
        super().__init__()
        self.cursor_param = cursor_param
        self.cursor_field = cursor_field
        self.has_more_path = jsonpath.compile_path(has_more_path)

    def update_state(self, response: Response, data: Optional[List[Any]] = None) -> None:
        if not self._has_more(response.json()) or not data:
            self._next_reference = None
            return
        last = data[-1]
        if not isinstance(last, dict) or last.get(self.cursor_field) is None:
            raise ValueError(
                f"{type(self).__name__}: the last record of the page has no "
                f"'{self.cursor_field}' to continue from, but the response says more pages follow"
            )
        self._next_reference = str(last[self.cursor_field])

    def update_request(self, request: Request) -> None:
        request.params = {**(request.params or {}), self.cursor_param: self._next_reference}

    def _has_more(self, body: Any) -> bool:
        values = jsonpath.find_values(self.has_more_path, body)
        if not values or not isinstance(values[0], bool):
            raise ValueError(
                f"{type(self).__name__}: expected a boolean at '{self.has_more_path}' in the "
                f"response, got {values[0] if values else 'nothing'!r}"
            )
        return values[0]

    def __str__(self) -> str:
        return f"{super().__str__()}: cursor_param: {self.cursor_param} cursor_field: {self.cursor_field}"


class SizedPageNumberPaginator(PageNumberPaginator):
    """Page numbers with a page-size parameter; stops on a short or empty page.

    dlt's PageNumberPaginator only stops on an empty page (one wasted request per
    resource) and has no page-size parameter (the APIs' documented `limit_param`).
    """

    def __init__(
        self,
        page_size: int,
        page_size_param: str = "per_page",
        page_param: str = "page",
        base_page: int = 1,
    ) -> None:
        super().__init__(base_page=base_page, page_param=page_param, total_path=None)
        self.page_size = page_size
        self.page_size_param = page_size_param

    def init_request(self, request: Request) -> None:
        request.params = {**(request.params or {}), self.page_size_param: self.page_size}
        super().init_request(request)

    def _stop_after_this_page(self, data: Optional[List[Any]] = None) -> bool:
        return not data or len(data) < self.page_size

    def __str__(self) -> str:
        return f"{super().__str__()} page_size: {self.page_size_param}={self.page_size}"


class HeaderLinkResultsPaginator(HeaderLinkPaginator):
    """dlt's `header_link`, stopping where the next link says `results="false"`.

    Sentry (and APIs built like it) always sends a rel="next" link, and marks the last page's with
    `results="false"`: dlt's HeaderLinkPaginator would follow it to an empty page, whose own next
    link repeats. For a `Link` header without `results` it is dlt's own. The header is read as the
    partial-listing guard reads it (signs_of_more.header_link: RFC 8288, commas inside quotes kept).
    """

    def update_state(self, response: Response, data: Optional[List[Any]] = None) -> None:
        found = header_link(response, self.links_next_key)
        self._next_reference = None if found is None or says_no_results(found[1]) else found[0]


class DetectedPaginator(BasePaginator):
    """dlt's paginator detection, as a paginator: what a resource that declares none (or `auto`) pages with.

    Given no paginator, dlt's RESTClient picks one from a listing's first answer (`PaginatorFactory`:
    a Link header, a next link or cursor in the body, a page count, else single page). This does
    the same, with dlt's own factory, once per listing (`init_request` forgets the last one), so
    that the guard can wrap it like any declared paginator.
    """

    def __init__(self, factory: PaginatorFactory | None = None) -> None:
        super().__init__()
        self.factory = factory or PaginatorFactory()
        self.detected: BasePaginator | None = None

    @property
    def has_next_page(self) -> bool:
        return self.detected is None or self.detected.has_next_page

    def init_request(self, request: Request) -> None:
        self.detected = None  # as dlt, which never calls init_request on a paginator it detects

    def update_state(self, response: Response, data: Optional[List[Any]] = None) -> None:
        if self.detected is None:
            self.detected = self.factory.create_paginator(response)[0] or SinglePagePaginator()
            _log.info("Detected paginator %s", self.detected)
        self.detected.update_state(response, data)

    def update_request(self, request: Request) -> None:
        self.detected.update_request(request)

    def __str__(self) -> str:
        return f"{paginator_name(self.detected)} (detected)" if self.detected else "detected from the first answer"


class PageGuard(BasePaginator):
    """Any paginator, made safe: paging that would never end, a page without data, or a listing cut
    short, fails the run.

    It fails when the next request repeats one already made while walking this
    listing (a cursor or next link that loops), when a page lists nothing but
    records this listing already listed on earlier pages (next links that differ,
    say by a parameter the API ignores, yet lead round in a circle), when more
    than `max_pages` pages follow one another, and when a page has no list at the
    resource's `data_selector` (dlt would take a missing key for an empty page and
    stop quietly, or a lone object for a record). It also fails when the listing
    ends (one page, or a paginator that stopped) while its last answer says more
    follow (signs_of_more.py), unless the resource is declared `one_page` or its
    paginator stopped at its declared `maximum_page`/`maximum_offset`. dlt starts
    each listing (and each parent's child listing, on a copy) with `init_request`,
    which resets it.

    Records are known by their primary key (`key_fields`), or by their content
    without one, as 64-bit hashes (keys.py), for as long as their listing runs. A
    page that repeats only some records is normal (offset paging while rows are
    inserted shifts a few onto the next page) and passes.
    """

    def __init__(
        self,
        paginator: BasePaginator,
        max_pages: int,
        data_selector: jsonpath.TJsonPath | None = None,
        key_fields: Sequence[str] = (),
        one_page: bool = False,
    ) -> None:
        super().__init__()
        self.paginator = paginator
        self.max_pages = max_pages
        self.data_selector = data_selector
        self.key_fields = tuple(key_fields)
        self.one_page = one_page  # declared: the listing is one page whatever its answer says
        self._requests_made: set[str] = set()
        self._listed: set[int] = set()
        self._pages = 0
        self._records = 0

    @property
    def has_next_page(self) -> bool:
        return self.paginator.has_next_page

    def init_request(self, request: Request) -> None:
        self.paginator.init_request(request)
        self._requests_made = {_fingerprint(request)}
        self._listed = set()
        self._pages = 0
        self._records = 0

    def update_state(self, response: Response, data: Optional[List[Any]] = None) -> None:
        self._pages += 1
        self._records += len(data) if data else 0
        body = self._require_data(response, data)
        self._refuse_a_circle(response, data)
        self.paginator.update_state(response, data)
        if not self.paginator.has_next_page:
            self._listed = set()  # the listing is complete: its keys are no longer needed
            if not self.one_page and not _stopped_at_its_cap(self.paginator):
                self._refuse_a_partial_listing(response, data, body)

    def _refuse_a_partial_listing(self, response: Response, data: Optional[List[Any]], body: Any) -> None:
        sign = sign_of_more(response, data, self._records, self._pages, body)
        if sign is None:
            return
        one_page = _reads_one_page(self.paginator)
        raise PartialListing(
            f"ended its listing after {_counted(self._pages, 'page')} and {_counted(self._records, 'record')} "
            f"({_how_it_ended(self.paginator)}), but the answer says more follow: {sign.what}",
            response=response,
            advice=_one_page_advice(sign) if one_page else _stopped_paginator_advice(),
        )

    def _refuse_a_circle(self, response: Response, data: Optional[List[Any]]) -> None:
        if not data:
            return
        keys = [record_hash(record, self.key_fields) for record in data]
        if self._listed.issuperset(keys):
            raise PaginationStuck(
                f"listed on page {self._pages} only records that pages before it had listed "
                f"(by {', '.join(self.key_fields) if self.key_fields else 'content'}): the paging goes round in a circle",
                request=response.request,
                advice="The API's next links or cursors lead back to pages already read; loading on would repeat "
                "them until the page cap. If the listing shifted by a whole page while it was read, run again.",
            )
        self._listed.update(keys)

    def update_request(self, request: Request) -> None:
        self.paginator.update_request(request)
        if not self.paginator.has_next_page:
            return
        if self._pages >= self.max_pages:
            raise PaginationStuck(
                f"still announced a next page after {self._pages} pages",
                request=request,
                advice="If the listing really is that long, raise REST_ASSETS_HTTP_MAX_PAGES; "
                "otherwise the API pages forever.",
            )
        fingerprint = _fingerprint(request)
        if fingerprint in self._requests_made:
            raise PaginationStuck(
                f"was announced as the next page after {self._pages} pages, but was already fetched "
                "(the cursor or next link repeats)",
                request=request,
                advice="The API's paging loops; loading on would repeat the same pages forever.",
            )
        self._requests_made.add(fingerprint)

    def _require_data(self, response: Response, data: Optional[List[Any]]) -> Any:
        """Refuses an answer without a list where the data_selector points; the body, where it was parsed for that."""
        # Two or more records can only come from a list; an empty or one-record page may be dlt's
        # reading of a missing key or of a lone object.
        if self.data_selector is None or (data is not None and len(data) > 1):
            return None
        body = response.json()
        found = jsonpath.find_values(self.data_selector, body)
        if not found or not isinstance(found[0], list):
            raise UnusableResponse(
                f"answered HTTP {response.status_code} without a list at '{self.data_selector}' "
                "(the resource's data_selector)",
                response=response,
                advice="The API changed the shape of its answers, or the endpoint is not the one configured.",
            )
        return body

    def __str__(self) -> str:
        return f"{self.paginator} (at most {self.max_pages} pages, no repeats, no circles, not cut short)"


def paginator_name(paginator: BasePaginator | None) -> str:
    """The name dlt's registry knows a paginator's class by (`single_page`, `offset`, a custom class's import path)."""
    names: dict[type, str] = {}
    for name, cls in PAGINATOR_MAP.items():
        names.setdefault(cls, name)  # the first name of a class registered twice (json_link, not json_response)
    return names.get(type(paginator), type(paginator).__name__)


def _unwrapped(paginator: BasePaginator) -> BasePaginator | None:
    return paginator.detected if isinstance(paginator, DetectedPaginator) else paginator


def _reads_one_page(paginator: BasePaginator) -> bool:
    return isinstance(_unwrapped(paginator), SinglePagePaginator)


def _stopped_at_its_cap(paginator: BasePaginator) -> bool:
    """A range paginator stopped by its declared `maximum_page` or `maximum_offset`: the part is what was asked for."""
    inner = _unwrapped(paginator)
    return isinstance(inner, RangePaginator) and inner.maximum_value is not None \
        and inner.current_value >= inner.maximum_value


def _how_it_ended(paginator: BasePaginator) -> str:
    detected = isinstance(paginator, DetectedPaginator)
    if _reads_one_page(paginator):
        return "no paginator declared, and dlt detected none in the first answer" if detected else \
            "read as one page: single_page"
    return f"its paginator, {paginator_name(_unwrapped(paginator))}{' (detected by dlt)' if detected else ''}, stopped"


def _one_page_advice(sign: Sign) -> str:
    return (f"Declare how the API pages, e.g. {sign.paginator}, as the resource's `paginator` (or in "
            "resource_defaults or the client); if the resource really is one page, set `one_page: true` on it.")


def _stopped_paginator_advice() -> str:
    return ("Check the paginator's settings against how the API pages (a page size larger than the API serves, "
            "a wrong path to the next page or to the total); to read only part of a listing on purpose, cap it "
            "with the paginator's `maximum_page` or `maximum_offset`.")


def _counted(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _fingerprint(request: Request) -> str:
    """What makes a page request distinct: method, URL, params and body."""
    parts = [request.method, request.url, request.params, request.json, request.data]
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


# The project's paginators by name, so that a config says `{"type": "last_record_cursor", ...}`.
PAGINATORS = {
    "last_record_cursor": LastRecordCursorPaginator,
    "sized_page_number": SizedPageNumberPaginator,
    "header_link_results": HeaderLinkResultsPaginator,
}


def register_paginators() -> None:
    """Make the project's paginators known to dlt by name (dlt's `register_paginator`; again is harmless)."""
    for name, paginator in PAGINATORS.items():
        register_paginator(name, paginator)
