"""Turn a RestApi into a dlt source."""

from __future__ import annotations

import copy
from typing import Sequence

from dlt.extract.source import DltSource
from dlt.sources.helpers.rest_client.paginators import BasePaginator
from dlt.sources.rest_api import rest_api_source
from dlt.sources.rest_api.typing import EndpointResource, EndpointResourceBase

from rest_assets.engine.connections import ApiConnection
from rest_assets.engine.incremental import with_start_date
from rest_assets.engine.spec import RestApi


def build_source(api: RestApi, connection: ApiConnection | None = None) -> DltSource:
    """The API's dlt rest_api source.

    Without a connection (when the definitions load) the source carries no
    credentials and is only used to describe the assets; with one (at run time)
    it is ready to extract.
    """
    session = api.http.session()
    resources = _unshared(api.resources, api.defaults)
    if connection is not None:
        resources = with_start_date(resources, connection.start_date)
    return rest_api_source(
        {
            "client": {
                "base_url": (connection or api.connection).base_url,
                "auth": connection.dlt_auth(session) if connection else None,
                "session": session,
            },
            "resource_defaults": copy.deepcopy(api.defaults),
            "resources": resources,
        },
        name=api.name,
    )


def _unshared(resources: Sequence[EndpointResource], defaults: EndpointResourceBase) -> list[EndpointResource]:
    """Copies of the resources that share no mutable object with each other or the config.

    dlt uses a paginator *instance* from a config as is, so one shared by several
    resources (through resource_defaults, or one object in two configs) is paged
    by all of them at once, since dlt extracts resources interleaved, and rows
    are silently lost. dlt also writes into column hints, so one hint dict used
    for two columns ends up describing only the last.
    """
    default_paginator = (defaults.get("endpoint") or {}).get("paginator")
    copies = []
    for resource in resources:
        resource = copy.deepcopy(resource)
        endpoint = resource.get("endpoint")
        if isinstance(endpoint, dict):
            paginator = endpoint.get("paginator", default_paginator)
            if isinstance(paginator, BasePaginator):
                endpoint["paginator"] = copy.deepcopy(paginator)
        if resource.get("columns"):
            resource["columns"] = {name: dict(hint) for name, hint in resource["columns"].items()}
        copies.append(resource)
    return copies
