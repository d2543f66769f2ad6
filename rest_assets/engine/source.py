"""Turn a RestApi into a dlt source."""

from __future__ import annotations

import copy

from dlt.extract.source import DltSource
from dlt.sources.rest_api import rest_api_source

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
    resources = copy.deepcopy(list(api.resources))
    if connection is not None:
        resources = with_start_date(resources, connection.start_date)
    return rest_api_source(
        {
            "client": {
                "base_url": (connection or api.connection).base_url,
                "auth": connection.dlt_auth(session) if connection else None,
                "session": session,
            },
            "resource_defaults": copy.deepcopy(api.resource_defaults),
            "resources": resources,
        },
        name=api.name,
    )
