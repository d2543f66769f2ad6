"""Turn whatever a sync raised into one message that names the API, the resource and what to do.

The engine's own guards (engine/http/, engine/paginators.py, engine/source.py) raise
`ApiProblem`s (engine/errors.py): each carries the request or response it is about, so the
message can name the URL *path* (never the query string or a header: those may carry
secrets), and a piece of advice.

The resource a message names is the one that sent the failed request (noted on the request
when it is sent, `IssuedRequest`), not the one whose extraction surfaced the error: with
resources extracted in parallel, a failure of one resource's request can stop another's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator
from urllib.parse import urlsplit

from dlt.extract.exceptions import PipeException
from requests import HTTPError, RequestException

from rest_assets.engine.errors import ApiProblem, MassDeletion
from rest_assets.engine.http.attribution import IssuedRequest

if TYPE_CHECKING:
    from rest_assets.engine.declaration import RestApi

NOTHING_LOADED = "Nothing from this run was loaded; the tables keep their previous rows."


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = getattr(error, "exception", None) or error.__cause__ or error.__context__


def _request_of(error: BaseException) -> Any:
    request = getattr(error, "request", None)
    return request if request is not None else getattr(getattr(error, "response", None), "request", None)


def request_line(error: RequestException) -> str:
    """`GET /path` of the request an error is about ("" if unknown): the path only, never the query."""
    request = _request_of(error)
    if request is None or not request.url:
        return ""
    return f"{request.method} {urlsplit(request.url).path}"


def _where(api: "RestApi", chain: list[BaseException], failed: BaseException | None) -> str:
    """`api/resource:` for the resource that sent the failed request, else for the one whose extraction failed."""
    issued = IssuedRequest.on(_request_of(failed))
    resource = (issued and issued.resource) or next((e.pipe_name for e in chain if isinstance(e, PipeException)), None)
    return f"{api.name}/{resource}:" if resource else f"{api.name}:"


def _sentence(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def explain(api: "RestApi", error: BaseException) -> str:
    chain = list(_chain(error))
    # An interruption (Dagster's when a run is terminated or outlives its maximum runtime, Ctrl-C) is no
    # Exception: it reaches here only as the cause of dlt's error in the thread it stopped.
    if any(not isinstance(e, Exception) for e in chain):
        return _sentence(f"{api.name}:", "the run was stopped while it synced (terminated, or ended by Dagster's run "
                         "monitoring past its maximum runtime).", NOTHING_LOADED)
    problem = next((e for e in chain if isinstance(e, ApiProblem)), None)
    if problem is not None:
        return _sentence(_where(api, chain, problem), request_line(problem), f"{problem}.", problem.advice, NOTHING_LOADED)
    refused = next((e for e in chain if isinstance(e, MassDeletion)), None)
    if refused is not None:
        return _sentence(f"{api.name}:", f"{refused}.", NOTHING_LOADED, refused.advice)
    http_error = next((e for e in chain if isinstance(e, HTTPError) and e.response is not None), None)
    if http_error is not None:
        where = _where(api, chain, http_error)
        response = http_error.response
        status = f"answered HTTP {response.status_code} {response.reason or ''}".rstrip() + "."
        if response.status_code in (401, 403):
            env_vars = ", ".join(api.secret_env_vars) or "the API's credentials"
            return _sentence(where, request_line(http_error), status, f"The API rejected the credentials: check {env_vars}.")
        return _sentence(where, request_line(http_error), status, NOTHING_LOADED)
    network = next((e for e in chain if isinstance(e, RequestException)), None)
    if network is not None:
        host = urlsplit(api.base_url).hostname
        return _sentence(
            _where(api, chain, network),
            request_line(network),
            f"failed {api.policy.max_retries + 1} times: {type(network).__name__} (no answer, a timeout, or a "
            f"connection that broke off mid-answer from {host}). Check the base URL and the network.",
            NOTHING_LOADED,
        )
    root = chain[-1]
    return _sentence(_where(api, chain, None), f"{type(root).__name__}: {root}.", NOTHING_LOADED)
