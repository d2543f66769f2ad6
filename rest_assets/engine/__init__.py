"""The generic machinery: from a declarative RestApi to dlt sources and Dagster assets."""

from rest_assets.engine.connections import (
    ApiConnection,
    ApiKeyConnection,
    BasicAuthConnection,
    BearerTokenConnection,
    OAuth2ClientCredentialsConnection,
    env_or,
)
from rest_assets.engine.spec import HttpPolicy, RestApi

__all__ = [
    "ApiConnection",
    "ApiKeyConnection",
    "BasicAuthConnection",
    "BearerTokenConnection",
    "HttpPolicy",
    "OAuth2ClientCredentialsConnection",
    "RestApi",
    "env_or",
]
