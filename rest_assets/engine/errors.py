"""Turn whatever dlt raised into one message that names the API, the resource and what to do."""

from __future__ import annotations

from typing import Iterator
from urllib.parse import urlsplit

from dlt.extract.exceptions import PipeException
from requests import HTTPError, RequestException

from rest_assets.engine.spec import RestApi


class ApiSyncError(Exception):
    """A sync of one API failed; the message is meant for the person reading the run log."""


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = getattr(error, "exception", None) or error.__cause__ or error.__context__


def explain(api: RestApi, error: BaseException) -> str:
    chain = list(_chain(error))
    resource = next((e.pipe_name for e in chain if isinstance(e, PipeException)), None)
    where = f"{api.name}/{resource}" if resource else api.name
    http_error = next((e for e in chain if isinstance(e, HTTPError) and e.response is not None), None)
    if http_error is not None:
        response = http_error.response
        path = urlsplit(response.url).path  # never the query string: it may carry secrets
        message = f"{where}: {response.request.method} {path} answered HTTP {response.status_code} {response.reason or ''}".rstrip()
        if response.status_code in (401, 403):
            env_vars = ", ".join(api.connection.credential_env_vars())
            return f"{message}. The API rejected the credentials: check {env_vars}."
        return f"{message}. Nothing from this run was loaded; the tables keep their previous rows."
    network = next((e for e in chain if isinstance(e, RequestException)), None)
    if network is not None:
        host = urlsplit(api.connection.base_url).hostname
        return (
            f"{where}: could not reach the API at {host} ({type(network).__name__}). Check the base URL "
            "and the network; nothing from this run was loaded."
        )
    root = chain[-1]
    return f"{where}: {type(root).__name__}: {root}. Nothing from this run was loaded."
