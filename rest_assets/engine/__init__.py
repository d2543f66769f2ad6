"""The generic machinery: from an API's declaration (`RestApi`) to a dlt source, a sync and its checks.

Importing it changes nothing: dlt's settings apply where pipelines are made (`Warehouse.pipeline`).
"""

from rest_assets.engine.connections import (
    ApiConnection,
    ApiKeyConnection,
    BasicAuthConnection,
    BearerTokenConnection,
    OAuth2ClientCredentialsConnection,
)
from rest_assets.engine.http import HttpPolicy
from rest_assets.engine.spec import RestApi, SyncSchedule

__all__ = [
    "ApiConnection",
    "ApiKeyConnection",
    "BasicAuthConnection",
    "BearerTokenConnection",
    "HttpPolicy",
    "OAuth2ClientCredentialsConnection",
    "RestApi",
    "SyncSchedule",
]
