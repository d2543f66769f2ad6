"""A corpus of public dlt `rest_api` configurations and their defs.yaml translations (see README.md)."""
