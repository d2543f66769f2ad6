"""`defs`: the entry point of `dg dev`, `dagster asset materialize -m rest_assets.definitions` and `dg`.

Every API under rest_assets/defs/ (and in REST_ASSETS_API_PATH), merged with the definitions they
share. Importing it builds the definitions and nothing else (rest_assets/settings.py says what it reads).
"""

from rest_assets.orchestration.loading import all_definitions

defs = all_definitions()
