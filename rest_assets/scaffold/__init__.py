"""The scaffold: an API's defs.yaml generated from its OpenAPI document, beside the engine, not in it.

`dg scaffold defs rest_assets.RestApiComponent <name> --openapi <doc>` (orchestration/scaffolder.py)
and `python -m rest_assets.openapi <name> <doc>` both call `write_defs` (generate.py). By job:

- document.py   reading the document: `$ref`s followed, `allOf` merged, each GET's parameters and answer
- listings.py   which GETs list records, where the list sits in the answer, the resources' names
- keys.py       each listing's primary key
- lineage.py    children: which parent's records fill a listing's parameters
- paging.py     each listing's paginator
- client.py     the base URL and auth
- options.py    what the user says that the document does not (keys, include/exclude, paginators)
- build.py      the inference put together, and the declaration as data with comments
- yaml_writer.py the text: comments, YAML escaping, document text made inert for Dagster's templates
- check.py      the file loaded as Dagster loads a defs.yaml, mended until it does

Importing it loads no Dagster (a test keeps it so): check.py loads it when a file is checked.
"""

from rest_assets.scaffold.document import OpenApiError, load_document
from rest_assets.scaffold.generate import generate, write_defs
from rest_assets.scaffold.options import Options

__all__ = ["OpenApiError", "Options", "generate", "load_document", "write_defs"]
