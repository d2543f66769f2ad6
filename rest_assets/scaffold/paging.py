"""A listing's paginator in dlt's form, from what the document says of its parameters, answer and headers.

In order of what the API states most plainly:

1. a `Link` header among the answer's headers: dlt's `header_link`;
2. a token parameter the answer gives back (`?cursor` and `next_cursor`; Asana's `?offset` and
   `next_page.offset`, a string the document calls a token): `cursor`;
3. a next page's URL in the answer (`next`, `meta.next_page_url`, `_links.next.href`): `json_link`;
4. a numeric offset and a page size: `offset`, from 1 where the document says it counts from 1
   (SCIM's `startIndex`);
5. a page number: `page_number`;
6. a cursor or page parameter with nothing in the answer to fill it, on an answer that is a bare
   list, where the document speaks of next links: the position of the next page can only be in a
   header, `Link` as a rule (Sentry's `?cursor`), followed while the link does not say
   `results="false"` (the project's `header_link_results`).

Then, across listings (`page_alike`), one whose answer does not show how it pages is paged like
others that take the same parameter: like one whose answer shows how a token described alike
chains (Asana's task templates), else, where its answer holds nothing but its records, like the
listings paged by that parameter in their `Link` header (Sentry's replays, `{"data": [...]}`).

Otherwise one request: `single_page`, with what was seen. The run fails if an answer then
announces more pages; `one_page: true` on the resource says it is meant to be one page.
"""

from __future__ import annotations

from typing import Any

from rest_assets.scaffold.document import Document, Param
from rest_assets.scaffold.listings import ListEndpoint, envelope_fields
from rest_assets.scaffold.words import has_braces, mentions, norm, sentences
from rest_assets.scaffold.yaml_writer import Commented

MAX_PAGE_SIZE = 1000  # a document's larger maximum page size is capped: big answers, little gain
UNSTATED_PAGE_SIZE = 100

# Parameter and field names by role, compared without case, `_` or `-` (`per-page` = `PerPage`).
PAGE_PARAMS = {"page", "pagenumber", "pagenum", "pageindex"}
PAGE_SIZE_PARAMS = {"perpage", "pagesize", "limit", "size", "pagelimit", "maxresults", "maxitems", "count"}
OFFSET_PARAMS = {"offset", "skip", "startindex"}
CURSOR_PARAMS = {"cursor", "pagetoken", "nextpagetoken", "nexttoken", "continuationtoken", "continuation", "after",
                 "startingtoken", "pagecursor", "marker", "starttoken", "nextcursor", "pageafter"}
LAST_RECORD_PARAMS = {"startingafter", "afterid", "sinceid", "endingbefore"}
NEXT_LINK_FIELDS = {"next", "nexturl", "nextpageurl", "nextlink", "nextpage", "nextpagelink", "nexthref", "nexturi"}
CURSOR_FIELDS = {"nextcursor", "cursor", "nextpagetoken", "nexttoken", "continuationtoken", "endcursor", "after",
                 "nextmarker", "continuation", "pagetoken"}
HAS_MORE_FIELDS = {"hasmore", "more", "hasnextpage", "hasnext", "moreitems"}
TOTAL_FIELDS = {"total", "totalcount", "totalresults", "totalitems", "totalrecords", "count"}
TOTAL_PAGES_FIELDS = {"totalpages", "pages", "pagecount", "numpages", "lastpage"}
# What a document says of a parameter that is a token, not a number: Asana's `offset`.
TOKEN_WORDS = (r"\btoken\b", r"\bopaque\b", r"\bcursor\b", r"returned (to you )?(by|from|in|via) (a|the) previous",
               r"only pass in an? \w+ that was returned")
ONE_BASED_WORDS = (r"\b1[- ]?(based|offset|indexed)\b", r"\bone[- ]based\b", r"start(s|ing)? (at|from|with) 1\b",
                   r"\bfirst \w+ is 1\b")
# What a document says of a parameter it pages by, whatever its name (Discourse's `before`).
PAGING_WORDS = (r"\b(for|to) paginat", r"\bnext page\b", r"\bpage through\b")
LINK_WORDS = (r"\blink header", r'rel="?next', r"\bnext or previous\b", r"\bnext (page|results)\b")
# The project's paginator for `Link` headers that also say whether the next page has results (engine/paginators.py).
LINK_PAGINATOR = "header_link_results"


def infer_paginator(doc: Document, endpoint: ListEndpoint) -> None:
    """Set the endpoint's paginator, page size and notes."""
    Paging(doc, endpoint).infer()


def page_alike(endpoints: list[ListEndpoint]) -> None:
    """Listings whose answers do not show how they page, paged like others that take the same parameter."""
    _tokens_alike(endpoints)
    _link_headers_alike(endpoints)


def _tokens_alike(endpoints: list[ListEndpoint]) -> None:
    """A listing whose answer does not show how its token parameter chains, paged like another listing that
    takes the same parameter (same name and description: the document's own words) and does show it."""
    by_param: dict[tuple[str, str], ListEndpoint] = {}
    for endpoint in endpoints:
        paginator = endpoint.paginator
        if isinstance(paginator, dict) and paginator.get("type") == "cursor":
            if param := endpoint.op.query.get(norm(paginator["cursor_param"])):
                by_param.setdefault((param.name, param.description), endpoint)
    for endpoint in endpoints:
        if endpoint.paginator != "single_page":
            continue
        model = next((by_param[(p.name, p.description)] for p in endpoint.op.query.values()
                      if (p.name, p.description) in by_param), None)
        if model is not None:
            endpoint.paginator = Commented(model.paginator)
            endpoint.paginator_notes = [f"?{model.paginator['cursor_param']} is the parameter GET {model.op.path} takes, "
                                        f"described alike: paged like it, by `{model.paginator['cursor_path']}` (this "
                                        "answer's schema does not show it; where the answer lacks it, one page is read)."]
            endpoint.page_size, endpoint.page_size_notes = dict(model.page_size), list(model.page_size_notes)


def _link_headers_alike(endpoints: list[ListEndpoint]) -> None:
    """A listing whose answer holds nothing but its records, taking a cursor or page parameter by which the
    document's other listings are paged in their `Link` header: its next page can only be there too."""
    by_name: dict[str, list[ListEndpoint]] = {}
    for endpoint in endpoints:
        if endpoint.paginator in ("header_link", LINK_PAGINATOR):
            if param := endpoint.op.query_named(CURSOR_PARAMS) or endpoint.op.query_named(PAGE_PARAMS):
                by_name.setdefault(param.name, []).append(endpoint)
    for endpoint in endpoints:
        if endpoint.paginator != "single_page" or endpoint.records.envelope:
            continue
        name = next((p.name for p in endpoint.op.query.values() if p.name in by_name), None)
        if name is None:
            continue
        model, others = by_name[name][0], len(by_name[name]) - 1
        endpoint.paginator = model.paginator
        endpoint.paginator_notes = [
            f"?{name} is the parameter GET {model.op.path}" + (f" and {others} other listing{'s' * (others > 1)}"
                                                              if others else "")
            + " take, paged in the Link header; this answer holds nothing but its records, so its next page can "
            "only be there too: paged like them."]
        endpoint.page_size = {k: v for k, v in model.page_size.items() if norm(k) in endpoint.op.query}
        endpoint.page_size_notes = list(model.page_size_notes) if endpoint.page_size else []


class Paging:
    """What one listing's parameters and answer say of its pages."""

    def __init__(self, doc: Document, endpoint: ListEndpoint) -> None:
        self.doc, self.endpoint, self.op = doc, endpoint, endpoint.op
        self.fields = list(envelope_fields(doc, endpoint.records.envelope))
        self.size_param = self.op.query_named(PAGE_SIZE_PARAMS)
        self.offset_param = self.op.query_named(OFFSET_PARAMS)
        self.page_param = self.op.query_named(PAGE_PARAMS)
        self.cursor_param = self.op.query_named(CURSOR_PARAMS)
        if self.offset_param is not None and self._is_token(self.offset_param):
            self.cursor_param, self.offset_param = self.cursor_param or self.offset_param, None
        if self.size_param is not None and (self.size_param is self.offset_param or has_braces(self.size_param.name)):
            self.size_param = None

    def infer(self) -> None:
        for rule in (self._link_header, self._cursor, self._next_link, self._offset, self._offset_echoed,
                     self._page_number, self._link_header_by_words):
            if rule():
                return
        self._single_page()

    # --- the rules, in order ----------------------------------------------------------------------

    def _link_header(self) -> bool:
        if "link" not in self.op.headers:
            return False
        self._set("header_link", 'The answer has a Link header: its rel="next" URL is the next page.')
        self._also_paged_by(self.cursor_param, self.offset_param, self.page_param)
        self._with_size()
        return True

    def _cursor(self) -> bool:
        param = self.cursor_param
        cursor_field = param is not None and self._given_back(param)
        if not cursor_field:
            return False
        paginator = Commented(type="cursor", cursor_path=cursor_field, cursor_param=param.name)
        has_more, more_note = self._dependable(HAS_MORE_FIELDS)
        if has_more:
            paginator["has_more_path"] = has_more
        token = " (a token the API gives, not a number)" if norm(param.name) in OFFSET_PARAMS else ""
        self._set(paginator, f"?{param.name}{token} takes `{cursor_field}` of the previous answer.", more_note)
        self._with_size()
        return True

    def _next_link(self) -> bool:
        link = self._next_link_field()
        if link is None:
            return False
        self._set(Commented(type="json_link", next_url_path=link), f"`{link}` in the answer is the next page's URL.")
        self._also_paged_by(self.cursor_param, self.offset_param, self.page_param)
        self._with_size()
        return True

    def _offset(self) -> bool:
        if not (self.offset_param and self.size_param):
            return False
        offset, size = self.offset_param, self.size_param
        limit, size_note = self._page_size(size, needed=True)
        paginator = Commented(type="offset", limit=limit, offset_param=offset.name, limit_param=size.name)
        total, total_note = self._dependable(TOTAL_FIELDS)
        has_more, more_note = self._dependable(HAS_MORE_FIELDS)
        if self._counts_from_one(offset):
            # dlt's offset paginator compares the next offset with the total as if it counted from 0.
            paginator.update(offset=1, total_path=None)
            note = (f"?{offset.name} counts from 1 (the document says so): the first page is ?{offset.name}=1, "
                    "and the last one is the first empty page" + (f" (`{total}` would stop one record early)."
                                                                 if total else "."))
        else:
            paginator["total_path"] = total  # null, not absent: dlt's offset paginator reads `total` by default
            note = f"?{offset.name} and ?{size.name}; " + self._how_it_stops(total, has_more)
        if has_more:
            paginator["has_more_path"] = has_more
        self._set(paginator, note, total_note, more_note, size_note)
        return True

    def _offset_echoed(self) -> bool:
        """No offset parameter listed for this path, but an answer that echoes `offset` and `limit` and says
        whether more follow (PagerDuty's `Pagination`): the API pages by them."""
        offset, size = self._named(OFFSET_PARAMS, numeric=True), self._named(PAGE_SIZE_PARAMS, numeric=True)
        (more, more_note), (total, total_note) = (self._dependable(HAS_MORE_FIELDS),
                                                  self._dependable(TOTAL_FIELDS - PAGE_SIZE_PARAMS))
        if self.offset_param or not (offset and size and (more or total)) or "." in offset + size:
            return False
        paginator = Commented(type="offset", limit=UNSTATED_PAGE_SIZE, offset_param=offset, limit_param=size,
                              total_path=total)
        if more:
            paginator["has_more_path"] = more
        self._set(paginator, f"The answer echoes `{offset}` and `{size}` and says " + (
            f"`{more}`" if more else f"`{total}`") + " though the document lists no such parameter for this path: "
                  f"paged by ?{offset} and ?{size}. {size}: {UNSTATED_PAGE_SIZE} asked for, check the API's limit.",
                  total_note, more_note)
        return True

    def _page_number(self) -> bool:
        page = self.page_param
        if page is None:
            return False
        base = page.schema.get("minimum", page.schema.get("default"))
        total, total_note = self._dependable(TOTAL_PAGES_FIELDS)
        paginator = Commented(type="page_number", page_param=page.name, base_page=base if base in (0, 1) else 1,
                              total_path=total)
        notes = [f"?{page.name} numbers the pages; " + (f"`{total}` is the number of pages." if total
                                                        else "no page count in the answer: the last page is an empty one."),
                 total_note]
        if base not in (0, 1):
            notes.append("The document does not say whether pages count from 0 or 1: 1 assumed. Check the API's docs: "
                         "where it counts from 0, its first page would be skipped without a sign (base_page: 0).")
        self._set(paginator, *notes)
        self._with_size()
        return True

    def _link_header_by_words(self) -> bool:
        """A cursor or page parameter, and nothing in a bare list's answer to fill it: the Link header carries it."""
        param = self.cursor_param or self.page_param
        if param is None or self.endpoint.selector is not None:
            return False
        said = " ".join([param.description, self.op.words])
        if not (mentions(said, *LINK_WORDS) or self.doc.mentions(r"\blink header", r'rel=\\?"?next')):
            return False
        self._set(LINK_PAGINATOR,
                  f"?{param.name} pages it, yet the answer is a bare list with nothing to fill it: the next page's "
                  'URL can only come in a header. The Link header\'s rel="next" is followed (as documented for '
                  f"?{param.name}: \"{param.description[:120]}\"), until it says results=\"false\".")
        self._with_size()
        return True

    def _single_page(self) -> None:
        named = PAGE_PARAMS | PAGE_SIZE_PARAMS | OFFSET_PARAMS | CURSOR_PARAMS | LAST_RECORD_PARAMS
        seen = [p.name for p in self.op.params if p.key in named]
        seen += [f"{p.name} (\"{sentences(p.description, 120)}\")" for p in self.op.params
                 if p.key not in named and mentions(p.description, *PAGING_WORDS)]
        seen += [f"`{path}`" for path, _ in self.fields if _last(path) in
                 CURSOR_FIELDS | HAS_MORE_FIELDS | TOTAL_FIELDS | NEXT_LINK_FIELDS]
        if seen:
            why = f"Paging not inferred: the document shows {', '.join(seen)}, but not how they chain. One request"
        else:
            why = "The document shows no paging (no page, offset or cursor parameter, no next link): one request"
        self._set("single_page", why + ". The run fails if an answer announces more pages (a next link, a cursor, "
                  "a Link header): then set dlt's paginator here, or `one_page: true` on the resource if one page "
                  "is all it is meant to read.")

    # --- what the rules read ----------------------------------------------------------------------

    def _set(self, paginator: Any, *notes: str) -> None:
        self.endpoint.paginator = paginator
        self.endpoint.paginator_notes += [n for n in notes if n]

    def _also_paged_by(self, *params: Param | None) -> None:
        if also := [p.name for p in params if p is not None]:
            self.endpoint.paginator_notes.append(
                f"(?{', ?'.join(also)} also page it; the link the API gives is followed instead.)")

    def _with_size(self) -> None:
        if self.size_param is not None:
            size, note = self._page_size(self.size_param, needed=False)
            if size is not None:
                self.endpoint.page_size[self.size_param.name] = size
            self.endpoint.page_size_notes.append(note)

    def _page_size(self, param: Param, needed: bool) -> tuple[int | None, str]:
        """The page size to ask for: the document's maximum (capped), else its default; and a note."""
        maximum, default = param.schema.get("maximum"), param.schema.get("default")
        if _positive_int(maximum):
            if maximum > MAX_PAGE_SIZE:
                return MAX_PAGE_SIZE, f"{param.name}: the document allows up to {maximum}; {MAX_PAGE_SIZE} asked for."
            return maximum, f"{param.name}: the document's maximum."
        if _positive_int(default):
            return default, f"{param.name}: the document's default (it states no maximum)."
        if needed:
            return UNSTATED_PAGE_SIZE, (f"{param.name}: the document states no maximum or default: "
                                        f"{UNSTATED_PAGE_SIZE} asked for, check the API's limit.")
        return None, f"{param.name} sets the page size; the document states no maximum, so the API's default applies."

    def _dependable(self, names: set[str]) -> tuple[str | None, str]:
        """The envelope's field of one of these names that every answer fills, and why another is not used.

        dlt's paginators fail on a total, a page count or a has-more flag that is null: one the document
        says may be null, or that a query parameter of its name asks for (PagerDuty's `total`), is not one.
        """
        found = self._named(names)
        if found is None:
            return None, ""
        asked = self.op.query.get(_last(found))
        if asked is not None and (asked.schema.get("type") == "boolean" or mentions(
                asked.description, r"\bnull\b", r"\bpopulat", r"\binclude")):
            said = f": \"{sentences(asked.description, 200)}\"" if asked.description else ""
            return None, (f"`{found}` is filled only when asked for (?{asked.name}{said}), and dlt's paginator fails on "
                          f"a null one: not used. To read it, send ?{asked.name} (the resource's params) and name `{found}` in "
                          "the paginator.")
        if self.doc.nullable(dict(self.fields)[found]):
            return None, f"`{found}` may be null (the document says so), and dlt's paginator fails on a null one: not used."
        return found, ""

    @staticmethod
    def _how_it_stops(total: str | None, has_more: str | None) -> str:
        if total:
            return f"`{total}` is the total."
        if has_more:
            return f"`{has_more}` says whether more follow."
        return "no total in the answer: the last page is an empty one."

    def _named(self, names: set[str], numeric: bool = False) -> str | None:
        """The envelope's scalar (or numeric) field of one of these names."""
        kinds = ("integer", "number") if numeric else ("string", "integer", "number", "boolean")
        return next((path for path, schema in self.fields if _last(path) in names and self.doc.kind(schema)[0] in kinds),
                    None)

    def _given_back(self, param: Param) -> str | None:
        """The answer's field that holds the parameter's next value: `next_page.offset`, `next_cursor`, `cursors.after`."""
        for path, schema in self.fields:
            if not self.doc.is_scalar(schema) or self.doc.kind(schema)[0] == "boolean":
                continue
            parts = [norm(p) for p in path.split(".")]
            next_ish = any(p.startswith("next") or p in ("cursors", "paging", "pagination") for p in parts[:-1])
            if (parts[-1] == param.key and next_ish) or parts[-1] in CURSOR_FIELDS and (
                    parts[-1] == param.key or parts[-1].startswith("next") or next_ish or param.key in CURSOR_PARAMS):
                return path
        return None

    def _next_link_field(self) -> str | None:
        """A next URL: a string field named like one, a URI (or, with no cursor parameter, any string)."""
        for path, schema in self.fields:
            kind, fmt = self.doc.kind(schema)
            if _last(path) in NEXT_LINK_FIELDS and kind == "string" and (fmt in ("uri", "url") or not self.cursor_param):
                return path
        return next((path for path, _ in self.fields if path.lower().endswith("next.href")), None)

    def _is_token(self, param: Param) -> bool:
        """An offset the document calls a token, or types as a string: not a number to add to."""
        kind = param.schema.get("type")
        return kind == "string" or (kind not in ("integer", "number") and mentions(param.description, *TOKEN_WORDS))

    def _counts_from_one(self, param: Param) -> bool:
        return param.schema.get("minimum") == 1 or param.schema.get("default") == 1 or mentions(
            param.description, *ONE_BASED_WORDS)


def _last(path: str) -> str:
    return norm(path.rsplit(".", 1)[-1])


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0
