"""Dagster at the edge: the engine runs a sync without Dagster, and dagster-dlt's translator makes the specs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import dagster as dg
import yaml
from dagster import AssetKey

from rest_assets.engine.sync import sync
from rest_assets.orchestration.component import RestApiComponent
from rest_assets.orchestration.definitions import shared_definitions
from rest_assets.orchestration.loading import load_apis
from rest_assets.orchestration.resources import WarehouseResource
from rest_assets_tests.conftest import REPO_ROOT, run_credentials

ENGINE = REPO_ROOT / "rest_assets" / "engine"
SCAFFOLD = REPO_ROOT / "rest_assets" / "scaffold"


def dagster_modules_imported_by(package: Path) -> tuple[int, str]:
    """How many modules of the package, imported in a fresh interpreter, and the Dagster modules that came with them."""
    dotted = ".".join(package.relative_to(REPO_ROOT).parts)
    modules = sorted(f"{dotted}.{'.'.join(p.relative_to(package).with_suffix('').parts)}".removesuffix(".__init__")
                     for p in package.rglob("*.py"))
    code = f"import sys\nfor m in {modules!r}: __import__(m)\nprint(sorted(m for m in sys.modules if m.startswith('dagster')))"
    imported = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, check=True)
    return len(modules), imported.stdout.strip()


def test_the_engine_imports_no_dagster():
    count, dagster_modules = dagster_modules_imported_by(ENGINE)
    assert count > 20 and dagster_modules == "[]", dagster_modules


def test_the_openapi_generator_beside_the_engine_imports_dagster_only_to_check_a_file():
    count, dagster_modules = dagster_modules_imported_by(SCAFFOLD)
    assert count >= 10 and dagster_modules == "[]", dagster_modules


def test_a_sync_without_dagster_returns_one_report(make_project, tmp_path):
    project = make_project(sizes={"agency": {"invoices": 12, "clients": 7}})
    agency = next(api for api in load_apis() if api.name == "agency")
    warehouse = WarehouseResource.from_env()

    report = sync(agency, ["clients", "invoices"], run_credentials(agency), warehouse, run_id="plain")

    assert set(report.tables) == {"clients", "invoices"} and report.load_ids
    clients, invoices = report.tables["clients"], report.tables["invoices"]
    assert (clients.rows_loaded, clients.figures.current_rows, clients.figures.duplicate_keys) == (7, 7, 0)
    assert clients.pages >= 1 and clients.retries == 0 and clients.deletions == "soft"
    assert clients.qualified_name == f"{project.duckdb_path.stem}.agency.clients"
    assert {"id", "_deleted_at"} <= {c["name"] for c in clients.columns}
    assert "invoices__line_items" in invoices.nested_tables, "dlt's child table of each invoice's list"
    assert set(report.cpu_seconds) == {"extract", "normalize", "load"}
    assert project.count("agency", "invoices") == 12


def test_nested_tables_columns_are_in_the_materialization(project):
    result = project.materialize("agency/invoices")
    metadata = project.metadata(result, "invoices")
    nested = metadata["invoices__line_items"].value
    assert isinstance(nested, dg.TableSchema) and "_dlt_parent_id" in {c.name for c in nested.columns}


HELPDESK = dedent("""
    name: helpdesk
    client: {base_url: "https://helpdesk.example.com", auth: {token_env: HELPDESK_TOKEN}}
    resource_defaults: {primary_key: id}
    resources:
      - tickets
      - {name: comments, endpoint: "tickets/{resources.tickets.id}/comments"}
    translation:
      key: "support/{{ resource.name }}"
      tags: {domain: support}
""")


def specs_of(component: RestApiComponent) -> dict[AssetKey, dg.AssetSpec]:
    defs = shared_definitions(dg.build_defs_for_component(component))
    return {spec.key: spec for assets_def in defs.assets for spec in assets_def.specs}


def test_a_translation_in_the_yaml_adjusts_the_specs_and_lineage_follows():
    specs = specs_of(RestApiComponent.from_attributes_dict(attributes=yaml.safe_load(HELPDESK)))

    assert set(specs) == {AssetKey(["support", "tickets"]), AssetKey(["support", "comments"])}
    comments = specs[AssetKey(["support", "comments"])]
    assert [dep.asset_key for dep in comments.deps] == [AssetKey(["support", "tickets"])], "the parent's new key"
    assert comments.tags["domain"] == "support" and comments.group_name == "helpdesk", "the rest is the project's"
    assert comments.kinds >= {"dlt", "duckdb"}


class OwnedByTeam(RestApiComponent):
    """A team's component: its own spec adjustment, in Python, as with dagster-dlt's components."""

    def get_asset_spec(self, data):
        return super().get_asset_spec(data).replace_attributes(owners=["team:support"])


def test_a_subclass_overrides_get_asset_spec():
    attributes = {k: v for k, v in yaml.safe_load(HELPDESK).items() if k != "translation"}
    specs = specs_of(OwnedByTeam.from_attributes_dict(attributes=attributes))
    assert {tuple(spec.owners) for spec in specs.values()} == {("team:support",)}
    assert set(specs) == {AssetKey(["helpdesk", "tickets"]), AssetKey(["helpdesk", "comments"])}


class UnderSupport(RestApiComponent):
    """A subclass that renames every asset: the translator gives children their parent's new key."""

    def get_asset_spec(self, data):
        spec = super().get_asset_spec(data)
        return spec.replace_attributes(key=AssetKey(["support", *spec.key.path[1:]]))


def test_a_subclass_that_renames_a_parent_is_followed_by_its_childrens_deps():
    attributes = {k: v for k, v in yaml.safe_load(HELPDESK).items() if k != "translation"}
    component = UnderSupport.from_attributes_dict(attributes=attributes)
    specs = specs_of(component)
    assert [dep.asset_key for dep in specs[AssetKey(["support", "comments"])].deps] == [AssetKey(["support", "tickets"])]
    assert component.translator.asset_keys() == {"tickets": AssetKey(["support", "tickets"]),
                                                 "comments": AssetKey(["support", "comments"])}
