"""Paginators for pagination styles dlt does not ship.

Both are small subclasses of dlt's own paginator classes, so the rest of dlt's
REST client (retries, auth, data selection, incremental) applies unchanged.
"""

from __future__ import annotations

from typing import Any, List, Optional

from dlt.common import jsonpath
from dlt.sources.helpers.rest_client.paginators import BaseReferencePaginator, PageNumberPaginator
from requests import Request, Response


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
    resource) and has no page-size parameter (the seeds' `limit_param`).
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

