"""dlt's `header_link` paginator for APIs whose `Link` header also says whether the next page has results.

Sentry (and APIs built like it) always sends a rel="next" link, and marks the last page's with
`results="false"`: dlt's `HeaderLinkPaginator` would follow it to an empty page, whose own next
link repeats. This one stops there. For a `Link` header without `results` it is dlt's own.
A defs.yaml names it by import path: `paginator: rest_assets.engine.link_header:LinkHeaderPaginator`.
"""

from __future__ import annotations

from typing import Any, List, Optional

from dlt.sources.helpers.rest_client.paginators import HeaderLinkPaginator
from requests import Response


class LinkHeaderPaginator(HeaderLinkPaginator):
    """Follows the `Link` header's rel="next" URL, unless that link says `results="false"`."""

    def update_state(self, response: Response, data: Optional[List[Any]] = None) -> None:
        super().update_state(response, data)
        link = response.links.get(self.links_next_key) or {}
        if str(link.get("results", "")).strip().lower() == "false":
            self._next_reference = None
