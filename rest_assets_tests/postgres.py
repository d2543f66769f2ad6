"""A throwaway database on the machine's PostgreSQL server (127.0.0.1:5432, user postgres, trust auth).

No skipping: where PostgreSQL is the subject, a missing server is a failure.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from typing import Iterator

import psycopg2

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
