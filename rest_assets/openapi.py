"""`python -m rest_assets.openapi <name> <file or URL> [--out DIR]`: an API's defs.yaml from its OpenAPI document.

The same file `dg scaffold defs rest_assets.RestApiComponent <name> --openapi <file or URL>` writes,
for whoever has no dg: `<DIR>/<name>/defs.yaml` (DIR: rest_assets/defs, or a folder that
REST_ASSETS_API_PATH names).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rest_assets.engine.openapi import OpenApiError
from rest_assets.orchestration.scaffolder import write_defs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rest_assets.openapi", description=__doc__.splitlines()[0])
    parser.add_argument("name", help="the API's name: asset group, dataset, and the prefix of its env vars")
    parser.add_argument("document", help="the OpenAPI document (3.x or Swagger 2.0, JSON or YAML): a file or an http(s) URL")
    parser.add_argument("--out", default="rest_assets/defs", help="the folder of API folders (default: rest_assets/defs)")
    args = parser.parse_args(argv)
    try:
        written = write_defs(args.name, args.document, Path(args.out) / args.name)
    except (OpenApiError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"wrote {written}: review its comments, then `dg check defs`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
