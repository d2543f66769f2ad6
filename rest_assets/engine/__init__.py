"""The generic machinery: from a declarative RestApi to dlt sources and Dagster assets."""

import os

# dlt's anonymous telemetry writes an id file to /var/dlt (as root) or ~/.dlt and
# calls home; neither belongs in a data pipeline's host. Set it to "true" to opt in.
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
# dlt gzips its intermediate files, which live only for the run: 12% of a sync's CPU, measured.
os.environ.setdefault("DATA_WRITER__DISABLE_COMPRESSION", "true")
# dlt buffers 5,000 rows per table before writing a file; an API with 16 tables held
# ~80 MB of rows at 1M rows. 1,000 keeps a step's memory flat as data grows, at no measured cost.
os.environ.setdefault("DATA_WRITER__BUFFER_MAX_ITEMS", "1000")

from rest_assets.engine.connections import (
    ApiConnection,
    ApiKeyConnection,
    BasicAuthConnection,
    BearerTokenConnection,
    OAuth2ClientCredentialsConnection,
    env_or,
)
from rest_assets.engine.spec import HttpPolicy, RestApi, SyncSchedule

__all__ = [
    "ApiConnection",
    "ApiKeyConnection",
    "BasicAuthConnection",
    "BearerTokenConnection",
    "HttpPolicy",
    "OAuth2ClientCredentialsConnection",
    "RestApi",
    "SyncSchedule",
    "env_or",
]
