"""The corpus of public dlt `rest_api` configurations (rest_assets_tests/corpus/): dlt's meaning vs the defs.yaml's.

Each corpus folder holds one public configuration translated to a defs.yaml by the rules in
corpus/README.md; `corpus/originals.py` holds the original as its author wrote it. For every entry:

- dlt builds the original, and the translation has dlt's resources, parents, selection and tables
  (dlt's own `build_resource_dependency_graph` over the YAML's `resources`);
- the defs.yaml loads as the project loads one (`RestApiComponent.from_attributes_dict`, Dagster's
  `build_defs_for_component`, no secrets in the environment) into one asset per table dlt would
  load, keyed `[name, table]`, each child depending on exactly its parent's asset.

Decisions the assertions encode (README.md, "What the tests expect"): a resource with
`selected: false` has no asset (dlt runs it only to feed its children and loads no table), and a
child of such a parent depends on no asset; a table is one asset however many resources write it;
a resource whose `table_name` is a callable (dynamic tables) is keyed by its resource name.

End to end, the APIs the simulator serves (`rest_assets_sim.public_apis`) are synced from their
corpus defs.yaml through Dagster into a DuckDB file, and stock dlt reads the same simulator, so a
failing sync is the component's, not the simulator's.
"""

from __future__ import annotations

import functools
import re
import shutil
from pathlib import Path

import dlt
import duckdb
import pytest
from jsonschema import Draft202012Validator
import yaml
from dagster import (
    AssetKey, AssetsDefinition, AssetSelection, DagsterInstance, build_defs_for_component, materialize,
)
from dlt.common.normalizers.naming.snake_case import NamingConvention
from dlt.sources.rest_api import rest_api_source
from dlt.sources.rest_api.config_setup import build_resource_dependency_graph

from rest_assets.orchestration.component import RestApiComponent
from rest_assets_sim.public_apis import PokeApi, TaxiApi
from rest_assets_tests.corpus.originals import ORIGINALS

CORPUS = Path(__file__).with_name("corpus")
NAMES = sorted(path.parent.name for path in CORPUS.glob("*/defs.yaml"))
IMPORT_PATH = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")  # rule 3: `package.module:attribute`
NAMING = NamingConvention()


def defs_yaml(name: str) -> dict:
    return yaml.safe_load((CORPUS / name / "defs.yaml").read_text())


def dlt_graph(resource_defaults: dict, resources: list) -> dict[str, dict]:
    """dlt's view of a `resources` list: per resource its parent, `selected` and (static) table name."""
    _, configs, resolved_params = build_resource_dependency_graph(resource_defaults or {}, resources)
    return {
        name: {
            "parent": resolved_params[name][0].resolve_config["resource"] if resolved_params[name] else None,
            "selected": config.get("selected", True),
            "table": config.get("table_name") if isinstance(config.get("table_name"), str) else None,
        }
        for name, config in configs.items()
    }


@functools.lru_cache(maxsize=None)
def dlt_expectations(name: str) -> dict:
    """What dlt makes of the original: resources in order, their parents, and the tables it loads."""
    source = rest_api_source(ORIGINALS[name](), name=name)
    original = ORIGINALS[name]()
    graph = dlt_graph(original.get("resource_defaults"), original["resources"])
    table = {
        resource.name: NAMING.normalize_table_identifier(
            resource.table_name if isinstance(resource.table_name, str) else resource.name)
        for resource in source.resources.values()
    }
    return {
        "source": source.name,
        "resources": list(source.resources),
        "selected": list(source.selected_resources),
        "parents": {resource: graph[resource]["parent"] for resource in source.resources},
        "tables": {resource: table[resource] for resource in source.selected_resources},
        "all_tables": table,
    }


def expected_assets(name: str) -> dict[AssetKey, set[AssetKey]]:
    """Asset key -> the asset keys it depends on, from dlt's graph of the original."""
    dlt_view = dlt_expectations(name)
    key = {resource: AssetKey([name, table]) for resource, table in dlt_view["tables"].items()}
    assets: dict[AssetKey, set[AssetKey]] = {}
    for resource, asset in key.items():
        parent = dlt_view["parents"][resource]
        assets.setdefault(asset, set()).update({key[parent]} if parent in key else set())
    return assets


def test_the_corpus_is_whole():
    """Every folder has its original and the other way round, and the folder is the source's name."""
    assert len(NAMES) >= 16
    assert NAMES == sorted(ORIGINALS)
    assert all(defs_yaml(name)["attributes"]["name"] == name for name in NAMES)
    assert all(defs_yaml(name)["type"] == "rest_assets.RestApiComponent" for name in NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_dlt_accepts_the_original(name: str):
    dlt_view = dlt_expectations(name)
    assert dlt_view["source"] == name
    assert dlt_view["resources"], "dlt built no resource"
    for resource, parent in dlt_view["parents"].items():
        assert parent is None or parent in dlt_view["resources"], f"{resource}'s parent {parent} is not a resource"

    # The translation declares the same resources, parents, selection and tables to dlt.
    attributes = defs_yaml(name)["attributes"]
    translated = dlt_graph(attributes.get("resource_defaults"), attributes["resources"])
    assert sorted(translated) == sorted(dlt_view["resources"])
    assert {r: view["parent"] for r, view in translated.items()} == dlt_view["parents"]
    assert [r for r, view in translated.items() if view["selected"]] == [
        r for r in translated if r in dlt_view["selected"]]
    for resource, view in translated.items():
        if view["table"] is not None and not IMPORT_PATH.match(view["table"]):
            assert NAMING.normalize_table_identifier(view["table"]) == dlt_view["all_tables"][resource]
    # No secret is written: every key named like a credential is an `_env` key (rule 2).
    assert not re.search(r"^\s*(token|api_key|password|client_secret|api_secret|access_token):\s*\S*[^\"'\s]",
                         (CORPUS / name / "defs.yaml").read_text(), re.MULTILINE)


@pytest.mark.parametrize("name", NAMES)
def test_defs_yaml_builds_one_asset_per_resource_with_lineage(name: str):
    attributes = defs_yaml(name)["attributes"]
    schema = RestApiComponent.get_model_cls().model_json_schema()
    assert not list(Draft202012Validator(schema).iter_errors(attributes)), "dg check yaml accepts it"
    component = RestApiComponent.from_attributes_dict(attributes=attributes)
    defs = build_defs_for_component(component)
    # The API's own definitions, read from its assets' specs (its graph alone cannot be resolved: the
    # warehouse resource is shared by all APIs and added beside them).
    specs = [spec for assets_def in defs.assets or [] if isinstance(assets_def, AssetsDefinition)
             for spec in assets_def.specs]
    expected = expected_assets(name)
    assert sorted(spec.key for spec in specs) == sorted(expected)
    for spec in specs:
        assert {dep.asset_key for dep in spec.deps} == expected[spec.key], (
            f"{spec.key.to_user_string()} depends on {expected[spec.key] or 'nothing'}")


# --- end to end -------------------------------------------------------------------------------------

POKEAPI_SIZES = {"pokemon": 2345, "berry": 64, "location": 1100}  # 3 pages, 1 page and 2 pages of 1,000
TAXI_RIDES = 2500  # 3 pages of 1,000 and an empty one


def serve(project, name: str) -> dict[str, int]:
    """Start the API of corpus entry `name` on the project's simulator; its env var; what a sync must load."""
    if name.startswith("pokemon"):
        pokeapi = PokeApi(project.sim.root_url, POKEAPI_SIZES)
        project.sim.hooks.append(pokeapi)
        expected = {"pokemon": ["pokemon", "berry", "location"], "pokemon_berries": ["pokemon", "berry"]}[name]
        counts = {resource: pokeapi.count(resource) for resource in expected}
        if name == "pokemon_berries":  # berry_details: one detail per berry listed by the unselected `berries`
            counts = {"pokemon": counts["pokemon"], "berry_details": counts["berry"]}
        return {"POKEAPI_BASE_URL": pokeapi.base_url, **counts}
    taxi = TaxiApi(project.sim.root_url, TAXI_RIDES)
    project.sim.hooks.append(taxi)
    return {"TAXI_BASE_URL": taxi.base_url, "rides": TAXI_RIDES}


def tables(duckdb_path: Path, schema: str) -> dict[str, int]:
    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        names = [row[0] for row in connection.execute(
            "select table_name from duckdb_tables() where schema_name = ? and table_name not like '\\_dlt%' escape '\\'",
            [schema]).fetchall()]
        return {table: connection.execute(f'select count(*) from "{schema}"."{table}"').fetchall()[0][0] for table in names}


@pytest.mark.parametrize("name", ["pokemon", "pokemon_berries", "taxi"])
def test_stock_dlt_reads_the_simulated_api(name: str, make_project, tmp_path: Path):
    """The simulator's shapes are the ones dlt reads: the original, pointed at it, loads what it serves."""
    project = make_project()
    served = serve(project, name)
    base_url = served.pop("POKEAPI_BASE_URL", None) or served.pop("TAXI_BASE_URL")
    config = ORIGINALS[name]()
    config["client"]["base_url"] = base_url
    pipeline = dlt.pipeline(pipeline_name=f"stock_{name}", pipelines_dir=str(tmp_path / "dlt"), dataset_name=name,
                            destination=dlt.destinations.duckdb(str(tmp_path / "stock.duckdb")))
    pipeline.run(rest_api_source(config, name=name))
    loaded = tables(tmp_path / "stock.duckdb", name)
    assert {table: loaded.get(table) for table in served} == served


@pytest.mark.parametrize("name", ["pokemon", "pokemon_berries", "taxi"])
def test_corpus_defs_yaml_syncs_end_to_end(name: str, make_project, tmp_path: Path, monkeypatch):
    """The corpus file, unchanged, loaded like any API folder (REST_ASSETS_API_PATH), materialized by
    Dagster into DuckDB: every table dlt would load holds exactly what the simulator serves."""
    project = make_project()
    served = serve(project, name)
    folder = tmp_path / "corpus_apis"
    (folder / name).mkdir(parents=True)
    shutil.copy(CORPUS / name / "defs.yaml", folder / name / "defs.yaml")
    monkeypatch.setenv("REST_ASSETS_API_PATH", str(folder))
    for var in ("POKEAPI_BASE_URL", "TAXI_BASE_URL"):
        if var in served:
            monkeypatch.setenv(var, served.pop(var))

    defs = project.definitions()
    assert {key for key in defs.resolve_asset_graph().get_all_asset_keys() if key.path[0] == name} == set(
        expected_assets(name))
    with DagsterInstance.ephemeral() as instance:
        result = materialize(list(defs.assets), resources=defs.resources, instance=instance,
                             selection=AssetSelection.groups(name))
    assert result.success
    loaded = tables(project.duckdb_path, name)
    assert {table: loaded.get(table) for table in served} == served
    assert not set(loaded) & (set(dlt_expectations(name)["all_tables"].values()) - set(served)), (
        "a resource with selected: false loads no table")
