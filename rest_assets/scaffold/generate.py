"""The generator's entry points: a defs.yaml's text from a document, and the file written in a folder."""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path
from typing import Any, Mapping

from rest_assets.scaffold.build import infer
from rest_assets.scaffold.document import Document, OpenApiError, load_document
from rest_assets.scaffold.options import Options

API_NAME = re.compile(r"[a-z][a-z0-9_]*")


def generate(document: Mapping[str, Any], name: str, origin: str | None = None, options: Options | None = None) -> str:
    """The defs.yaml of the API `name` that the OpenAPI document describes: a file that loads.

    It is loaded as Dagster loads a defs.yaml before it is returned; a resource that would not
    load is commented out, with why (check.py).
    """
    from rest_assets.scaffold.check import loadable_text  # loads the file with Dagster: imported when used

    if not API_NAME.fullmatch(name):
        raise OpenApiError(f"{name!r}: an API name is lower-case letters, digits and _ (it names the asset group)")
    doc = Document(document)
    return loadable_text(doc, name, origin, infer(doc, options or Options()))


def write_defs(name: str, source: str, folder: Path, options: Options | None = None) -> Path:
    """Generate `folder/defs.yaml` for the API `name` from the document at `source` (a file or a URL)."""
    target = folder / "defs.yaml"
    if target.exists():
        raise OpenApiError(f"{target} exists: remove it, or choose another name")
    origin = source if urllib.parse.urlparse(source).scheme in ("http", "https") else Path(source).name
    text = generate(load_document(source), name, origin, options)
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target
