"""`python -m bench.compare A.duckdb B.duckdb [--schemas agency,...]`: is the data identical?

For every table of the API datasets in either file: the columns and their types, the row
count, and an order-independent hash of the rows over every column except dlt's
per-load bookkeeping (`_dlt_load_id`, `_dlt_id`, and in nested tables `_dlt_parent_id`,
`_dlt_root_id`, which are random per load). Prints the differences; exits 1 if any.
Used to check that an optimisation keeps the data identical (same rows, same columns).
"""

from __future__ import annotations

import argparse
import sys

import duckdb

VOLATILE = {"_dlt_load_id", "_dlt_id", "_dlt_parent_id", "_dlt_root_id"}
APIS = ("agency", "datasync", "resourcing", "taskrouter", "workhub")


def describe(path: str, schemas: tuple[str, ...]) -> dict:
    out = {}
    with duckdb.connect(path, read_only=True) as db:
        tables = db.sql(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in (select unnest(?)) and not starts_with(table_name, '_dlt')",
            params=[list(schemas)],
        ).fetchall()
        for schema, table in tables:
            columns = db.sql(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = ? and table_name = ? order by column_name",
                params=[schema, table],
            ).fetchall()
            stable = [c for c, _ in columns if c not in VOLATILE]
            expr = ", ".join(f'"{c}"' for c in stable)
            count, digest = db.sql(
                f'select count(*), coalesce(sum(hash({expr})::hugeint), 0) from "{schema}"."{table}"'
            ).fetchall()[0]
            out[f"{schema}.{table}"] = {"columns": dict(columns), "rows": count, "hash": int(digest)}
    return out


def compare(a: str, b: str, schemas: tuple[str, ...] = APIS) -> list[str]:
    left, right = describe(a, schemas), describe(b, schemas)
    problems = []
    for table in sorted(set(left) | set(right)):
        if table not in left or table not in right:
            problems.append(f"{table}: only in {'B' if table not in left else 'A'}")
            continue
        l, r = left[table], right[table]
        if l["columns"] != r["columns"]:
            diff = {c: (l["columns"].get(c), r["columns"].get(c)) for c in set(l["columns"]) | set(r["columns"])
                    if l["columns"].get(c) != r["columns"].get(c)}
            problems.append(f"{table}: columns differ (A, B): {diff}")
        if l["rows"] != r["rows"]:
            problems.append(f"{table}: {l['rows']} rows in A, {r['rows']} in B")
        elif l["hash"] != r["hash"] and l["columns"] == r["columns"]:
            problems.append(f"{table}: same row count, different values")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.compare")
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--schemas", default=",".join(APIS))
    args = parser.parse_args()
    problems = compare(args.a, args.b, tuple(args.schemas.split(",")))
    tables = len(describe(args.a, tuple(args.schemas.split(","))))
    for problem in problems:
        print(problem)
    print(f"{tables} tables in A; {'identical' if not problems else f'{len(problems)} differences'}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
