"""What every step process imports, imported once before a run's steps are forked.

Each step is forked from the process that imported this (the run's orchestrating process, or
Dagster's forkserver where that process cannot fork), so whatever is imported here is shared for
free; whatever a step imports itself costs every step again. Dagster imports its instance storage
(sqlalchemy, alembic) only when a step opens the instance, and dlt imports its normalizer,
loader, DuckDB and Arrow on first use: in every step again, and on two cores that delayed every
sync.

The preloaded objects are then frozen out of the garbage collector: each step's collections no
longer walk the million objects of dagster, dlt and Arrow, nor write to their pages
(copy-on-write) doing so. Only the executor imports this, when a run has several steps.
(The figures: bench/README.md, "Why the code is so".)
"""

import gc

import dagster_postgres  # noqa: F401  (sqlalchemy and alembic: Dagster's instance storage; deploy/dagster.yaml's too)
import dlt.common.libs.pyarrow  # noqa: F401
import dlt.destinations.impl.duckdb.duck  # noqa: F401
import dlt.destinations.impl.postgres.postgres  # noqa: F401
import dlt.load  # noqa: F401
import dlt.normalize  # noqa: F401
import duckdb  # noqa: F401
import fsspec.implementations.local  # noqa: F401  (dagster's local artifact storage)
import pyarrow.parquet  # noqa: F401
import upath.implementations.local  # noqa: F401

import rest_assets.definitions  # noqa: F401  (the definitions themselves, built once)

gc.freeze()
