"""Fault injection: rules that replace or alter the simulator's answers.

    sim.hooks.append(Fault(Response(503), api="agency", resource="clients", nth={2, 3}))
    sim.hooks.append(Fault(html_page(), api="workhub"))
    sim.hooks.append(Fault(alter(lambda body: {**body, "next": "http://elsewhere/"}), resource="connections"))

A `Fault` is an ordinary hook. It counts the requests it matches and answers the
chosen ones (every one, or the `nth`, counted from 1); its answer is a fixed
`Response` or a function of the request returning one (None lets the request
through). The functions below build the answers that break clients: throttling,
dropped connections, slow, dripping, silent or cut-off answers, HTML, truncated
JSON, redirects, paging in circles, huge pages and deep nesting. `ctx.normal()`
is the page the simulator would have sent, so a fault can alter real data
instead of inventing it.
"""

from __future__ import annotations

import copy
import functools
import itertools
import json
import math
import threading
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Container
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .server import HookContext, Response

Answer = Response | Callable[[HookContext], "Response | None"]
JSON = {"Content-Type": "application/json"}


@dataclass
class Fault:
    """Answer matching requests with `response`: all of them, or only the `nth` ones."""

    response: Answer
    api: str | None = None
    resource: str | None = None
    path: str | None = None  # after the API prefix, e.g. "/oauth/token"
    where: Callable[[HookContext], bool] | None = None  # any further condition, e.g. on ctx.query
    nth: Container[int] | None = None
    matched: int = field(default=0, init=False)
    answered: int = field(default=0, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __call__(self, ctx: HookContext) -> Response | None:
        if not self._matches(ctx):
            return None
        with self._lock:
            self.matched += 1
            position = self.matched
        if self.nth is not None and position not in self.nth:
            return None
        answer = self.response(ctx) if callable(self.response) else self.response
        if answer is not None:
            with self._lock:
                self.answered += 1
        return answer

    def _matches(self, ctx: HookContext) -> bool:
        return (
            (self.api is None or ctx.api == self.api)
            and (self.resource is None or ctx.resource == self.resource)
            and (self.path is None or ctx.path == self.path)
            and (self.where is None or self.where(ctx))
        )


# --- answers built from the real page --------------------------------------------------


def alter(change: Callable[[Any], Any]) -> Answer:
    """The normal page with its JSON body passed through `change` (which gets a copy)."""

    def answer(ctx: HookContext) -> Response:
        normal = ctx.normal()
        return replace(normal, body=change(copy.deepcopy(normal.body)))

    return answer


def truncated_json(keep: float = 0.5) -> Answer:
    """The normal page cut off after `keep` of its bytes, sent complete (right Content-Length) with status 200."""

    def answer(ctx: HookContext) -> Response:
        payload = _json_bytes(ctx.normal().body)
        return Response(200, payload[: int(len(payload) * keep)], JSON)

    return answer


def as_content_type(content_type: str) -> Answer:
    """The normal page, valid JSON, labelled with another Content-Type."""
    return lambda ctx: Response(200, _json_bytes(ctx.normal().body), {"Content-Type": content_type})


def cut_off(at_byte: int = 20) -> Answer:
    """The normal page, but the connection drops after `at_byte` bytes of the body."""
    return lambda ctx: replace(ctx.normal(), truncate_at=at_byte)


def slow(seconds: float) -> Answer:
    """The normal page after a pause before the status line (a read timeout for an impatient client)."""
    return lambda ctx: replace(ctx.normal(), delay_seconds=seconds)


def drip(chunk_bytes: int = 4, gap_seconds: float = 0.2) -> Answer:
    """The normal page, its body sent `chunk_bytes` at a time, `gap_seconds` apart: no gap trips a read
    timeout, yet the whole answer takes for ever (an 18 KB page at 4 bytes every 0.2 s: 15 minutes)."""
    return lambda ctx: replace(ctx.normal(), drip=(chunk_bytes, gap_seconds))


def disguised_cycle(next_link: str, **back_to: str) -> Answer:
    """The normal page, its next link (at the dotted path `next_link`) leading back to the page whose query
    has `back_to`, with one more parameter the API ignores, new each time: no two next links are alike,
    and the same pages come round again."""
    visits = itertools.count(1)

    def lead_back(body: Any) -> Any:
        *parents, key = next_link.split(".")
        holder = functools.reduce(lambda node, name: node[name], parents, body)
        if holder.get(key):
            link = urlsplit(holder[key])
            query = {**dict(parse_qsl(link.query)), **back_to, "visit": str(next(visits))}
            holder[key] = urlunsplit(link._replace(query=urlencode(query)))
        return body

    return alter(lead_back)


# --- answers made up from nothing ------------------------------------------------------


def throttle(retry_after: str | None = None, status: int = 429) -> Response:
    headers = {"Retry-After": retry_after} if retry_after is not None else None
    return Response(status, {"error": "slow down" if status == 429 else "unavailable"}, headers)


def connection_reset() -> Response:
    """No answer at all: the connection is reset (logged as status 0)."""
    return Response(0, reset=True)


def silent() -> Response:
    """The request is read and never answered, until the client hangs up (logged as status 0)."""
    return Response(0, delay_seconds=math.inf)


def redirect(location: str, status: int = 302) -> Response:
    return Response(status, b"", {"Location": location})


def html_page(status: int = 200) -> Response:
    """What a login page, a captive portal or a misrouted proxy sends."""
    html = "<!doctype html><html><head><title>Sign in</title></head><body><form>...</form></body></html>"
    return Response(status, html, {"Content-Type": "text/html; charset=utf-8"})


def raw_json(text: str) -> Response:
    """A 200 whose body is exactly `text` (for JSON no dict can be built from, e.g. 100 000 levels deep)."""
    return Response(200, text.encode(), JSON)


def nested(depth: int) -> str:
    """A JSON value `depth` arrays deep: [[[...]]]."""
    return "[" * depth + "]" * depth


def huge_records(count: int, field_bytes: int) -> list[dict]:
    """`count` records each carrying a string of `field_bytes` characters (a page of count * field_bytes)."""
    blob = "x" * field_bytes
    return [{"id": i + 1, "blob": blob} for i in range(count)]


def _json_bytes(body: Any) -> bytes:
    if isinstance(body, (dict, list)):
        return json.dumps(body, separators=(",", ":")).encode()
    return body.encode() if isinstance(body, str) else bytes(body)
