"""Ask an incremental resource, with one request, whether anything changed since a cursor."""

from __future__ import annotations


import pendulum
from dlt.common import jsonpath
from dlt.sources.helpers.rest_client import RESTClient

from rest_assets.engine import vocabulary
from rest_assets.engine.auth import Credentials, build_auth
from rest_assets.engine.declaration import RestApi
from rest_assets.engine.http import api_session
from rest_assets.engine.source import run_client, trusted_urls


def incremental_resources(api: RestApi) -> list[str]:
    """Resources with a cursor the API can filter on (the ones a change sensor can probe)."""
    return [name for name, endpoint in api.endpoints.items() if (endpoint.incremental or {}).get("start_param")]


def changed_since(api: RestApi, resource_name: str, credentials: Credentials, cursor: str) -> bool:
    """True when the first page filtered by `cursor` holds a row newer than it.

    The filter is inclusive (rows *at* the cursor come back too), so only a strictly
    newer cursor value counts as a change.
    """
    incremental = api.endpoints[resource_name].incremental
    convert = incremental.get("convert") or str
    client_config = run_client(api, credentials)
    endpoint = vocabulary.resource_with_secrets(api.endpoints[resource_name].config, credentials.secrets)["endpoint"]
    session = api_session(api.policy, trusted_urls(api, client_config))
    auth = build_auth(endpoint.get("auth") or client_config.get("auth"), session)
    client = RESTClient(base_url=api.base_url, headers=client_config.get("headers"), auth=auth, session=session)
    params = {**endpoint.get("params", {}), incremental["start_param"]: convert(cursor)}
    response = client.get(endpoint["path"], params=params)
    response.raise_for_status()
    rows = jsonpath.find_values(endpoint.get("data_selector", "$"), response.json())
    rows = rows[0] if rows and isinstance(rows[0], list) else rows
    last_seen = pendulum.parse(str(cursor))
    return any(pendulum.parse(str(row[incremental["cursor_path"]])) > last_seen for row in rows)
