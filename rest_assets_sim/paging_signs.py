"""An API that pages its listings and announces more pages in one of the ways real APIs do, as a simulator hook.

    sim = Simulator().start()
    api = AnnouncedPaging(sim.root_url, style="sentry_link")
    sim.hooks.append(api)                       # answers under /paging-signs/sentry_link/
    os.environ["PAGED_BASE_URL"] = api.base_url

It lists organizations and each organization's projects (Sentry's shape; 3 and 3 each by
default), `page_size` records a page, and says that more follow in its `style`:

| style | a page | more follow when |
|---|---|---|
| `sentry_link` | a JSON list | `Link: <...>; rel="next"; results="true"; cursor="..."` (on the last page `results="false"`) |
| `link` | a JSON list | `Link: <...>; rel="next"` (GitHub's: absent on the last page) |
| `next_url` | `{"results": [...], "next": url}` | `next` is a URL, null on the last page |
| `cursor` | `{"data": [...], "response_metadata": {"next_cursor": c}}` | `next_cursor` is not empty (Slack's) |
| `page_token` | `{"items": [...], "nextPageToken": c}` | `nextPageToken` is there (Google's) |
| `has_more` | `{"data": [...], "has_more": b}` | `has_more` is true (Stripe's) |
| `total` | `{"items": [...], "total": n}` | `total` is larger than what was read |
| `meta_total` | `{"data": [...], "meta": {"total": n}}` | `meta.total` is larger than what was read |
| `total_header` | a JSON list | its `X-Total-Count` header is larger than what was read |

A page is chosen by `cursor` (the opaque cursor its links and tokens carry), `offset`, or `page`
(1-based), and sized by `limit` or `per_page`, at most `max_page_size`. `GET .../organizations/<slug>`
answers one organization, itself. Every record carries `next`, `has_more` and `total` fields of its
own (a release's, say), which a guard must not take for the listing's.
`revision` is part of every name: bump it to change what a sync would load.
"""

from __future__ import annotations

from urllib.parse import urlencode

from .server import HookContext, Response

STYLES = ("sentry_link", "link", "next_url", "cursor", "page_token", "has_more", "total", "meta_total", "total_header")


class AnnouncedPaging:
    """Organizations and their projects below /paging-signs/<style>/, paged in `style`."""

    def __init__(
        self, root_url: str, style: str, organizations: int = 3, projects_per_organization: int = 3,
        page_size: int = 2, max_page_size: int = 100,
    ) -> None:
        if style not in STYLES:
            raise ValueError(f"unknown style {style!r}: one of {', '.join(STYLES)}")
        self.root_url, self.style = root_url, style
        self.organizations, self.projects_per_organization = organizations, projects_per_organization
        self.page_size, self.max_page_size = page_size, max_page_size
        self.revision = 1

    @property
    def prefix(self) -> str:
        return f"/paging-signs/{self.style}"

    @property
    def base_url(self) -> str:
        return self.root_url + self.prefix

    def organization(self, index: int) -> dict:
        slug = f"org-{index + 1}"
        return {"id": index + 1, "slug": slug, "name": f"Organization {index + 1} r{self.revision}",
                **self._fields_like_signs(f"/organizations/{slug}/releases/2")}

    def projects(self, organization_index: int) -> list[dict]:
        first = organization_index * self.projects_per_organization
        return [{"id": n, "slug": f"project-{n}", "organization": f"org-{organization_index + 1}",
                 "name": f"Project {n} r{self.revision}", **self._fields_like_signs(f"/projects/{n}/next")}
                for n in range(first + 1, first + self.projects_per_organization + 1)]

    def _fields_like_signs(self, path: str) -> dict:
        return {"next": self.base_url + path, "has_more": True, "total": 1000}

    def __call__(self, ctx: HookContext) -> Response | None:
        if ctx.api is not None or not ctx.path.startswith(self.prefix + "/"):
            return None
        parts = ctx.path[len(self.prefix):].strip("/").split("/")
        slugs = [f"org-{i + 1}" for i in range(self.organizations)]
        if parts == ["organizations"]:
            return self._page(ctx, [self.organization(i) for i in range(self.organizations)])
        if len(parts) == 2 and parts[0] == "organizations" and parts[1] in slugs:
            return Response(200, self.organization(slugs.index(parts[1])))
        if len(parts) == 3 and parts[0] == "organizations" and parts[1] in slugs and parts[2] == "projects":
            return self._page(ctx, self.projects(slugs.index(parts[1])))
        return Response(404, {"detail": "The requested resource does not exist"})

    def _page(self, ctx: HookContext, rows: list[dict]) -> Response:
        try:
            size = min(int(ctx.query.get("limit") or ctx.query.get("per_page") or self.page_size), self.max_page_size)
            start = self._start(ctx.query, size)
        except ValueError:
            return Response(400, {"detail": "Invalid cursor parameter."})
        records, more = rows[start:start + size], start + size < len(rows)
        def at(offset: int) -> str:
            return f"{self.root_url}{ctx.path}?{urlencode({**ctx.query, 'cursor': _cursor(offset)})}"

        next_cursor = _cursor(start + size)
        if self.style == "sentry_link":  # Sentry always sends both links, each saying whether it has results
            back = max(start - size, 0)
            previous = f'<{at(back)}>; rel="previous"; results="{_flag(start > 0)}"; cursor="{_cursor(back)}"'
            following = f'<{at(start + size)}>; rel="next"; results="{_flag(more)}"; cursor="{next_cursor}"'
            return Response(200, records, {"Link": f"{previous}, {following}"})
        if self.style == "link":
            return Response(200, records, {"Link": f'<{at(start + size)}>; rel="next"'} if more else None)
        if self.style == "total_header":
            return Response(200, records, {"X-Total-Count": str(len(rows))})
        return Response(200, {
            "next_url": lambda: {"results": records, "next": at(start + size) if more else None},
            "cursor": lambda: {"data": records, "response_metadata": {"next_cursor": next_cursor if more else ""}},
            "page_token": lambda: {"items": records, **({"nextPageToken": next_cursor} if more else {})},
            "has_more": lambda: {"data": records, "has_more": more},
            "total": lambda: {"items": records, "total": len(rows)},
            "meta_total": lambda: {"data": records, "meta": {"total": len(rows), "page_size": size}},
        }[self.style]())

    @staticmethod
    def _start(query: dict[str, str], size: int) -> int:
        if "cursor" in query:
            _, offset, _ = query["cursor"].split(":")  # a malformed cursor: ValueError, a 400
            return int(offset)
        if "offset" in query:
            return int(query["offset"])
        return (int(query.get("page", 1)) - 1) * size


def _cursor(offset: int) -> str:
    return f"0:{offset}:0"  # Sentry's cursor form: value, offset, is_previous


def _flag(value: bool) -> str:
    return "true" if value else "false"
