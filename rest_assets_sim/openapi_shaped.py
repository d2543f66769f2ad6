"""Routes shaped like three public APIs' OpenAPI documents (rest_assets_tests/fixtures/openapi/), as simulator hooks.

    sim = Simulator().start()
    sentry = Sentry(sim.root_url)
    sim.hooks.append(sentry)                     # answers below /sentry
    os.environ["SENTRY_BASE_URL"] = sentry.base_url
    ...
    assert loaded == len(sentry.rows("projects"))

Each answers its document's list paths as the real API does, including the parts a generated
declaration gets wrong most easily, and refuses what the real API refuses:

- Sentry (`/api/0/...`, bearer token): organizations, their projects, teams and SCIM users, the
  projects' keys (`/projects/{organization}/{project}/keys/`); a bare JSON list per page, `per_page` at most 100 (more is a
  400), the cursor in the `Link` header: `<url>; rel="next"; results="true"; cursor="0:100:0"`. Every
  page, the last included, announces a next link; `results="false"` says it leads nowhere (following
  it gives an empty page, and another such link). SCIM listings page by a 1-based `startIndex` (0 is
  a 400) and `count` (at most 100), with `totalResults`, the records under `Resources`.
- Asana (`/api/1.0/...`, bearer token): `{"data": [...], "next_page": {"offset", "path", "uri"}}`;
  `next_page` only when `limit` (1 to 100) is sent, and without it a listing of more than 100 records
  is a 400. The offset is an opaque token that only this server issues (a number is a 400).
- Spotify (`/v1/...`, bearer token): paging objects `{"href", "items", "limit", "next", "offset",
  "previous", "total"}` (`limit` at most 50), nested under a key for some listings
  (`{"categories": {...}}`); followed artists page by an `after` cursor (`artists.cursors.after`)
  and need `?type=artist`.

Records are pure functions of (listing, parent key, index); a child listing under a key that its
parent listing does not hold is a 404, so a path filled from the wrong field of the parent fails.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable
from urllib.parse import urlencode

from .server import HookContext, Response


@dataclass(frozen=True)
class Listing:
    """A list endpoint: `path` below the API's base, `{…}` for the one parent key it takes."""

    path: str
    record: Callable[[str | None, int], dict]  # (parent key or None, index) -> record
    count: Callable[[str | None], int]  # parent key or None -> how many records
    parent: str | None = None  # the listing whose records' keys fill `{…}`
    key_fields: tuple[str, ...] = ("id",)  # the fields that name a record in a child's path
    wrapper: str | None = None  # the key the paging object sits under, if any
    # For a path with two parameters: the values the first may take, given the parent record.
    outer_keys: Callable[[dict], tuple[str, ...]] | None = None

    @cached_property
    def pattern(self) -> re.Pattern:
        return re.compile(re.sub(r"\\\{[^}]*\\\}", "([^/]+)", re.escape(self.path.rstrip("/"))) + "/?")


class ShapedApi:
    """A hook serving `listings` below `prefix`, behind a bearer token; subclasses page as their API does."""

    prefix = ""
    token = ""
    listings: dict[str, Listing] = {}

    def __init__(self, root_url: str) -> None:
        self.root_url = root_url

    @property
    def base_url(self) -> str:
        return self.root_url + self.prefix

    def rows(self, name: str) -> list[dict]:
        """Every record of a listing, under every record of its parent listing."""
        listing = self.listings[name]
        parents = [None] if listing.parent is None else self.keys(listing.parent)
        return [listing.record(parent, i) for parent in parents for i in range(listing.count(parent))]

    def keys(self, name: str) -> list[str]:
        """The key (first key field) of every record of a listing."""
        return [str(row[self.listings[name].key_fields[0]]) for row in self.rows(name)]

    def __call__(self, ctx: HookContext) -> Response | None:
        if ctx.api is not None or not ctx.path.startswith(self.prefix + "/"):
            return None
        if (ctx.headers.get("Authorization") or "") != f"Bearer {self.token}":
            return self.unauthorized()
        if ctx.method != "GET":
            return Response(405, {"error": "method not allowed"})
        below = ctx.path[len(self.prefix):]
        for listing in self.listings.values():
            match = listing.pattern.fullmatch(below)
            if match:
                parent = self._parent(listing, match.groups())
                if parent is False:
                    return self.not_found()
                return self.page(listing, parent, ctx)
        return self.not_found()

    def _parent(self, listing: Listing, groups: tuple[str, ...]) -> str | None | bool:
        """The parent's key named in the path, its first key field's value; False when no parent record has it."""
        if listing.parent is None:
            return None
        parent = self.listings[listing.parent]
        for row in self.rows(listing.parent):
            if any(str(row.get(field)) == groups[-1] for field in parent.key_fields):
                if listing.outer_keys is not None and groups[0] not in listing.outer_keys(row):
                    return False
                return str(row[parent.key_fields[0]])
        return False

    def url(self, ctx: HookContext, **query) -> str:
        return f"{self.root_url}{ctx.path}?{urlencode({**ctx.query, **query})}"

    def unauthorized(self) -> Response:
        return Response(401, {"error": "unauthorized"})

    def not_found(self) -> Response:
        return Response(404, {"error": "not found"})

    def page(self, listing: Listing, parent: str | None, ctx: HookContext) -> Response:
        raise NotImplementedError

    @staticmethod
    def records(listing: Listing, parent: str | None, start: int, size: int) -> list[dict]:
        return [listing.record(parent, i) for i in range(max(start, 0), min(start + size, listing.count(parent)))]


def _integer(value: str | None, default: int) -> int | None:
    if value is None:
        return default
    return int(value) if re.fullmatch(r"-?\d+", value) else None


# --- Sentry -------------------------------------------------------------------------------------


def _organization(_parent, i: int) -> dict:
    return {"id": str(i + 1), "slug": f"org-{i + 1}", "name": f"Organization {i + 1}",
            "dateCreated": f"2024-01-{i % 28 + 1:02d}T00:00:00Z", "status": {"id": "active", "name": "active"}}


def _project(organization: str, i: int) -> dict:
    return {"id": f"{organization}{i:04d}", "slug": f"project-{organization}-{i}", "name": f"Project {i}",
            "platform": ("python", "javascript", "go")[i % 3], "dateCreated": "2024-02-01T00:00:00Z"}


def _team(organization: str, i: int) -> dict:
    return {"id": f"{organization}{i:03d}", "slug": f"team-{organization}-{i}", "name": f"Team {i}", "memberCount": i % 9}


def _project_key(project: str, i: int) -> dict:
    return {"id": f"{project}k{i:03d}", "name": f"Key {i}", "projectId": int(project), "isActive": True,
            "dateCreated": "2024-03-01T00:00:00Z"}


def _organization_of(project: dict) -> tuple[str, ...]:
    """The organization's id and slug a project's path may name (a project id is its organization's id + 4 digits)."""
    organization = project["id"][:-4]
    return organization, f"org-{organization}"


def _scim_user(organization: str, i: int) -> dict:
    return {"id": f"{organization}-{i}", "userName": f"user{i}@org-{organization}.example",
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "active": True,
            "name": {"givenName": f"User{i}", "familyName": f"Org{organization}"},
            "emails": [{"primary": True, "value": f"user{i}@org-{organization}.example", "type": "work"}],
            "meta": {"resourceType": "User"}, "sentryOrgRole": "member"}


class Sentry(ShapedApi):
    """Organizations, their projects and teams (Link-header cursors), their SCIM users (1-based)."""

    prefix = "/sentry"
    token = "sntrys_simulated_auth_token"
    max_per_page = 100
    organization_path = "/api/0/organizations/{organization_id_or_slug}"
    # Three organizations (one page, as most accounts have); the second's projects fill two pages,
    # the third's SCIM users fill three of 100 with one record on the last (1-based stop: offset = total).
    listings = {
        "organizations": Listing("/api/0/organizations/", _organization, lambda _: 3, key_fields=("id", "slug")),
        "projects": Listing(organization_path + "/projects/", _project, lambda org: (12, 130, 5)[int(org) - 1],
                            parent="organizations", key_fields=("id", "slug")),
        "teams": Listing(organization_path + "/teams/", _team, lambda org: 4 * int(org), parent="organizations",
                         key_fields=("id", "slug")),
        "scim_users": Listing(organization_path + "/scim/v2/Users", _scim_user,
                              lambda org: (3, 0, 201)[int(org) - 1], parent="organizations"),
        # A project's keys: two path parameters, the organization's and the project's (two pages for one).
        "project_keys": Listing("/api/0/projects/{organization_id_or_slug}/{project_id_or_slug}/keys/", _project_key,
                                lambda project: 105 if project.endswith("0007") else 2, parent="projects",
                                outer_keys=_organization_of),
    }

    def unauthorized(self) -> Response:
        return Response(401, {"detail": "Invalid token"})

    def not_found(self) -> Response:
        return Response(404, {"detail": "The requested resource does not exist"})

    def page(self, listing: Listing, parent: str | None, ctx: HookContext) -> Response:
        if "/scim/v2/" in listing.path:
            return self._scim_page(listing, parent, ctx)
        per_page = _integer(ctx.query.get("per_page"), self.max_per_page)
        if per_page is None or per_page > self.max_per_page or per_page < 1:
            return Response(400, {"detail": f"Invalid per_page parameter. Cannot exceed {self.max_per_page}."})
        cursor = re.fullmatch(r"(\d+):(\d+):([01])", ctx.query.get("cursor", "0:0:0"))
        if cursor is None:
            return Response(400, {"detail": "Invalid cursor parameter."})
        offset = int(cursor.group(2))
        rows = self.records(listing, parent, offset, per_page)
        more = offset + per_page < listing.count(parent)
        links = [self._link(ctx, f"0:{max(offset - per_page, 0)}:1", "previous", offset > 0),
                 self._link(ctx, f"0:{offset + per_page}:0", "next", more)]
        return Response(200, rows, {"Link": ", ".join(links)})

    def _link(self, ctx: HookContext, cursor: str, rel: str, results: bool) -> str:
        return f'<{self.url(ctx, cursor=cursor)}>; rel="{rel}"; results="{str(results).lower()}"; cursor="{cursor}"'

    def _scim_page(self, listing: Listing, parent: str | None, ctx: HookContext) -> Response:
        start, count = _integer(ctx.query.get("startIndex"), 1), _integer(ctx.query.get("count"), 100)
        if start is None or start < 1:
            return Response(400, {"detail": {"startIndex": ["Ensure this value is greater than or equal to 1."]}})
        if count is None or not 0 <= count <= 100:
            return Response(400, {"detail": {"count": ["Ensure this value is less than or equal to 100."]}})
        rows = self.records(listing, parent, start - 1, count)
        return Response(200, {"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                              "totalResults": listing.count(parent), "startIndex": start,
                              "itemsPerPage": len(rows), "Resources": rows})


# --- Asana --------------------------------------------------------------------------------------


def _workspace(_parent, i: int) -> dict:
    return {"gid": str(1200000000000 + i), "resource_type": "workspace", "name": f"Workspace {i}"}


def _asana_project(workspace: str, i: int) -> dict:
    return {"gid": f"{workspace}{i:04d}", "resource_type": "project", "name": f"Project {i} of {workspace}"}


def _asana_task(project: str, i: int) -> dict:
    return {"gid": f"{project}{i:04d}", "resource_type": "task", "resource_subtype": "default_task",
            "name": f"Task {i}"}


class Asana(ShapedApi):
    """Workspaces, their projects (also all in one listing), the projects' tasks: `data`, `next_page.offset`
    tokens, `limit` ≤ 100. The tasks are read under either projects listing (`tasks_under`)."""

    prefix = "/asana/api/1.0"
    token = "2/1200000000000/simulated:personal-access-token"
    max_limit = 100

    def __init__(self, root_url: str, tasks_under: str = "projects") -> None:
        super().__init__(root_url)
        self.listings = {
            "workspaces": Listing("/workspaces", _workspace, lambda _: 2, key_fields=("gid",)),
            "projects": Listing("/workspaces/{workspace_gid}/projects", _asana_project,
                                lambda workspace: (140, 3)[int(workspace) - 1200000000000], parent="workspaces",
                                key_fields=("gid",)),
            # The same projects, every workspace's, in one listing (the document's `?workspace` is optional).
            "all_projects": Listing("/projects", lambda _, i: self.rows("projects")[i],
                                    lambda _: len(self.rows("projects")), key_fields=("gid",)),
            "tasks": Listing("/projects/{project_gid}/tasks", _asana_task,
                             lambda project: {1: 210, 2: 5}.get(int(project[-4:]) % 20, 0), parent=tasks_under,
                             key_fields=("gid",)),
        }

    def unauthorized(self) -> Response:
        return Response(401, {"errors": [{"message": "Not Authorized"}]})

    def not_found(self) -> Response:
        return Response(404, {"errors": [{"message": "Unknown object. It may have been deleted, or you may not have access."}]})

    def page(self, listing: Listing, parent: str | None, ctx: HookContext) -> Response:
        total = listing.count(parent)
        if "limit" not in ctx.query:
            if total > self.max_limit:
                return Response(400, {"errors": [{"message": "The result is too large. You should use pagination "
                                                             "(may require specifying a workspace)!"}]})
            return Response(200, {"data": self.records(listing, parent, 0, total)})
        limit = _integer(ctx.query["limit"], 0)
        if limit is None or not 1 <= limit <= self.max_limit:
            return Response(400, {"errors": [{"message": f"limit: Value is not between 1 and {self.max_limit}"}]})
        start = self._offset(ctx)
        if start is None:
            return Response(400, {"errors": [{"message": "offset: Your pagination token is invalid."}]})
        rows = self.records(listing, parent, start, limit)
        next_page = None
        if start + limit < total:
            token = self._token(ctx.path, start + limit)
            below = ctx.path[len(self.prefix):]
            next_page = {"offset": token, "path": f"{below}?{urlencode({**ctx.query, 'offset': token})}",
                         "uri": self.url(ctx, offset=token)}
        return Response(200, {"data": rows, "next_page": next_page})

    @staticmethod
    def _token(path: str, start: int) -> str:
        claims = json.dumps({"path": path, "start": start}, separators=(",", ":")).encode()
        return "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9." + base64.urlsafe_b64encode(claims).decode().rstrip("=")

    def _offset(self, ctx: HookContext) -> int | None:
        """Where a page starts: 0 without an offset, else what the token says (None: not a token of this listing)."""
        if "offset" not in ctx.query:
            return 0
        header, _, body = ctx.query["offset"].partition(".")
        try:
            claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        except ValueError:
            return None
        if not header.startswith("eyJ") or claims.get("path") != ctx.path:
            return None
        return claims["start"]


# --- Spotify ------------------------------------------------------------------------------------


def _artist(_parent, i: int) -> dict:
    return {"id": f"0artist{i:015d}", "type": "artist", "name": f"Artist {i}", "popularity": i % 100,
            "genres": ["ambient", "techno"][: i % 3], "followers": {"href": None, "total": 1000 + i}}


def _album(artist: str, i: int) -> dict:
    return {"id": f"{artist[-6:]}album{i:011d}", "type": "album", "album_type": ("album", "single")[i % 2],
            "name": f"Album {i}", "release_date": f"20{10 + i % 15}-0{i % 9 + 1}-01", "total_tracks": 3 + i % 7,
            "artists": [{"id": artist, "type": "artist"}]}


def _track(album: str, i: int) -> dict:
    return {"id": f"{album}t{i:03d}", "type": "track", "name": f"Track {i + 1}", "track_number": i + 1,
            "disc_number": 1, "duration_ms": 180000 + i * 1000, "explicit": False}


def _new_release(_parent, i: int) -> dict:
    return {**_album("0artist000000000000000", i), "id": f"newrelease{i:011d}"}


def _playlist(_parent, i: int) -> dict:
    return {"id": f"0playlist{i:013d}", "type": "playlist", "name": f"Playlist {i}", "collaborative": False,
            "owner": {"id": "simulated-user", "type": "user"}, "tracks": {"href": None, "total": 10}}


def _category(_parent, i: int) -> dict:
    return {"id": f"category{i}", "name": f"Category {i}", "href": None, "icons": []}


class Spotify(ShapedApi):
    """Followed artists (cursor), their albums, new releases, an album's tracks; the user's playlists; categories.

    An album's tracks are read under the artists' albums or under the new releases (`tracks_under`):
    either listing's records carry the album's id.
    """

    prefix = "/spotify/v1"
    token = "BQD-simulated-spotify-access-token"
    max_limit = 50

    def __init__(self, root_url: str, tracks_under: str = "artist_albums") -> None:
        super().__init__(root_url)
        self.listings = {
            "followed_artists": Listing("/me/following", _artist, lambda _: 57, wrapper="artists"),
            "artist_albums": Listing("/artists/{id}/albums", _album,
                                     lambda artist: {1: 60, 2: 7}.get(int(artist[-15:]) % 19, 0),
                                     parent="followed_artists"),
            "new_releases": Listing("/browse/new-releases", _new_release, lambda _: 64, wrapper="albums"),
            "album_tracks": Listing("/albums/{id}/tracks", _track,
                                    lambda album: {3: 60, 4: 9}.get(int(album[-11:]) % 10, 0), parent=tracks_under),
            "playlists": Listing("/me/playlists", _playlist, lambda _: 73),
            "categories": Listing("/browse/categories", _category, lambda _: 45, wrapper="categories"),
        }

    def unauthorized(self) -> Response:
        return Response(401, {"error": {"status": 401, "message": "Invalid access token"}})

    def not_found(self) -> Response:
        return Response(404, {"error": {"status": 404, "message": "Resource not found"}})

    def page(self, listing: Listing, parent: str | None, ctx: HookContext) -> Response:
        limit = _integer(ctx.query.get("limit"), 20)
        if limit is None or not 1 <= limit <= self.max_limit:
            return Response(400, {"error": {"status": 400, "message": "Invalid limit"}})
        if listing.path == "/me/following":
            return self._cursor_page(listing, ctx, limit)
        offset = _integer(ctx.query.get("offset"), 0)
        if offset is None or offset < 0:
            return Response(400, {"error": {"status": 400, "message": "Invalid offset"}})
        total = listing.count(parent)
        body = {"href": self.url(ctx), "items": self.records(listing, parent, offset, limit), "limit": limit,
                "offset": offset, "total": total,
                "next": self.url(ctx, offset=offset + limit, limit=limit) if offset + limit < total else None,
                "previous": self.url(ctx, offset=max(offset - limit, 0), limit=limit) if offset else None}
        return Response(200, {listing.wrapper: body} if listing.wrapper else body)

    def _cursor_page(self, listing: Listing, ctx: HookContext, limit: int) -> Response:
        if ctx.query.get("type") != "artist":
            return Response(400, {"error": {"status": 400, "message": "Missing or bad parameter: type"}})
        keys = [row["id"] for row in self.rows("followed_artists")]
        after = ctx.query.get("after")
        if after is not None and after not in keys:
            return Response(400, {"error": {"status": 400, "message": "Invalid after"}})
        start = keys.index(after) + 1 if after else 0
        rows = self.records(listing, None, start, limit)
        more = start + limit < len(keys)
        body = {"href": self.url(ctx), "items": rows, "limit": limit, "total": len(keys),
                "cursors": {"after": rows[-1]["id"] if more else None, "before": None},
                "next": self.url(ctx, after=rows[-1]["id"], limit=limit) if more else None}
        return Response(200, {listing.wrapper: body})
