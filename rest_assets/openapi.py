"""`python -m rest_assets.openapi <name> <file or URL> [--out DIR] [options]`: an API's defs.yaml from its OpenAPI document.

The same file `dg scaffold defs rest_assets.RestApiComponent <name> --openapi <file or URL>` writes,
for whoever has no dg: `<DIR>/<name>/defs.yaml` (DIR: rest_assets/defs, or a folder that
REST_ASSETS_API_PATH names). The options are the scaffold's (rest_assets/scaffold/options.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rest_assets.scaffold import OpenApiError, Options, write_defs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rest_assets.openapi", description=__doc__.splitlines()[0])
    parser.add_argument("name", help="the API's name: asset group, dataset, and the prefix of its env vars")
    parser.add_argument("document", help="the OpenAPI document (3.x or Swagger 2.0, JSON or YAML): a file or an http(s) URL")
    parser.add_argument("--out", default="rest_assets/defs", help="the folder of API folders (default: rest_assets/defs)")
    parser.add_argument("--primary-key", action="append", default=[], metavar="[RESOURCE=]FIELD[+FIELD]",
                        help="a key the document does not tell: for every resource with that field, or one resource's")
    parser.add_argument("--include", action="append", default=[], metavar="PATH|TAG",
                        help="only these endpoints and their parents: paths (/users*) or tags (tag:Users)")
    parser.add_argument("--exclude", action="append", default=[], metavar="PATH|TAG",
                        help="not these endpoints, nor their children")
    parser.add_argument("--paginator", action="append", default=[], metavar="[RESOURCE=]NAME|JSON",
                        help="a dlt paginator where the document shows no paging, or one resource's over inference")
    args = parser.parse_args(argv)
    try:
        options = Options.parse(args.primary_key, args.include, args.exclude, args.paginator)
        written = write_defs(args.name, args.document, Path(args.out) / args.name, options)
    except (OpenApiError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"wrote {written}: review its comments, then `dg check defs`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
