"""Turn whatever dlt raised into one message that names the API, the resource and what to do.

The engine's own guards (engine/http.py, engine/paginators.py, engine/source.py)
raise `ApiProblem`s: each carries the request or response it is about, so the
message can name the URL *path* (never the query string or a header: those may
carry secrets), and a piece of advice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator
from urllib.parse import urlsplit

from dlt.extract.exceptions import PipeException
from requests import HTTPError, RequestException

if TYPE_CHECKING:
    from rest_assets.engine.spec import RestApi

NOTHING_LOADED = "Nothing from this run was loaded; the tables keep their previous rows."


class ApiProblem(RequestException):
    """Something the API sent or asked for that the engine refuses; `str()` says what, `advice` what to do."""

    advice = ""

    def __init__(self, what: str, *, response=None, request=None, advice: str | None = None) -> None:
        super().__init__(what, response=response, request=request)
        if advice is not None:
            self.advice = advice


class UnusableResponse(ApiProblem):
    """A successful status with a body that cannot be loaded: not JSON, cut off, too big, too deep, no data."""


class RetryAfterTooLong(ApiProblem):
    """The API asked to wait longer than the configured cap; waiting less would just be refused again."""


class ForeignOrigin(ApiProblem):
    """A request (next-page link, redirect) aimed at an origin the API's credentials do not belong to."""


class PaginationStuck(ApiProblem):
    """Paging that would never end: a repeated page request, or more pages than the cap allows."""


class UnsafePathValue(ApiProblem):
    """A parent's value that cannot be one segment of a child's URL path ("", ".", "..")."""


class MassDeletion(Exception):
    """A sync that would delete more than half of a table's current rows: more likely an API answering with nothing."""

    def __init__(self, api_name: str, table: str, absent: int, current: int) -> None:
        super().__init__(
            f"this sync would delete {absent} of the {current} current rows of {api_name}.{table}, "
            "more than half: the API listed far fewer rows than the table holds"
        )
        self.advice = (
            "If the API really deleted them, run again with `allow_mass_deletion: true` in the run config "
            f"(ops: {api_name}_sync: config) to accept it once."
        )


class InvalidRunConfig(ValueError):
    """A run config value that cannot be used; raised before any request."""


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = getattr(error, "exception", None) or error.__cause__ or error.__context__


def request_line(error: RequestException) -> str:
    """`GET /path` of the request an error is about ("" if unknown): the path only, never the query."""
    request = error.request if error.request is not None else getattr(error.response, "request", None)
    if request is None or not request.url:
        return ""
    return f"{request.method} {urlsplit(request.url).path}"


def _sentence(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def explain(api: "RestApi", error: BaseException) -> str:
    chain = list(_chain(error))
    resource = next((e.pipe_name for e in chain if isinstance(e, PipeException)), None)
    where = f"{api.name}/{resource}:" if resource else f"{api.name}:"
    problem = next((e for e in chain if isinstance(e, ApiProblem)), None)
    if problem is not None:
        return _sentence(where, request_line(problem), f"{problem}.", problem.advice, NOTHING_LOADED)
    refused = next((e for e in chain if isinstance(e, MassDeletion)), None)
    if refused is not None:
        return _sentence(f"{api.name}:", f"{refused}.", NOTHING_LOADED, refused.advice)
    http_error = next((e for e in chain if isinstance(e, HTTPError) and e.response is not None), None)
    if http_error is not None:
        response = http_error.response
        status = f"answered HTTP {response.status_code} {response.reason or ''}".rstrip() + "."
        if response.status_code in (401, 403):
            env_vars = ", ".join(api.connection.credential_env_vars())
            return _sentence(where, request_line(http_error), status, f"The API rejected the credentials: check {env_vars}.")
        return _sentence(where, request_line(http_error), status, NOTHING_LOADED)
    network = next((e for e in chain if isinstance(e, RequestException)), None)
    if network is not None:
        host = urlsplit(api.connection.base_url).hostname
        return _sentence(
            where,
            request_line(network),
            f"failed {api.policy.max_retries + 1} times: {type(network).__name__} (no answer, a timeout, or a "
            f"connection that broke off mid-answer from {host}). Check the base URL and the network.",
            NOTHING_LOADED,
        )
    root = chain[-1]
    return _sentence(where, f"{type(root).__name__}: {root}.", NOTHING_LOADED)
