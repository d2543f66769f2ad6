"""The generic machinery: from an API's declaration (`RestApi`) to a dlt source, a sync and its checks.

Importing it changes nothing: dlt's settings apply where pipelines are made (`Warehouse.pipeline`).
"""

from rest_assets.engine.auth import Credentials
from rest_assets.engine.declaration import RestApi, Schedule
from rest_assets.engine.http import HttpPolicy

__all__ = ["Credentials", "HttpPolicy", "RestApi", "Schedule"]
