"""A throwaway database on the machine's PostgreSQL server (127.0.0.1:5432, user postgres, trust auth).

No skipping: where PostgreSQL is the subject, a missing server is a failure.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from typing import Iterable, Iterator

import psycopg2

from rest_assets.orchestration.loading import load_apis
from rest_assets_sim import Simulator

SERVER = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


@contextmanager
def throwaway_database(prefix: str) -> Iterator[str]:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(dbname="postgres", **SERVER)
    admin.autocommit = True
    try:
        admin.cursor().execute(f'create database "{name}"')
        yield name
    finally:
        admin.cursor().execute(f'drop database if exists "{name}" with (force)')
        admin.close()


def query(database: str, sql: str) -> list[tuple]:
    with psycopg2.connect(dbname=database, **SERVER) as connection, connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def sim_counts(sim: Simulator) -> dict[str, int]:
    """Every table a full sync of all APIs lands (`api.table`), with the rows the simulator serves for it."""
    return {f"{api.name}.{api.table_name(r)}": sim.expected_count(api.name, r) for api in load_apis() for r in api.resource_names}


def table_counts(database: str, tables: Iterable[str]) -> dict[str, int]:
    return {table: query(database, f"select count(*) from {table}")[0][0] for table in tables}
