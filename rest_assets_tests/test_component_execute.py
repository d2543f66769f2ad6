"""A subclass of the component overrides `execute`, as with dagster-dlt's and dagster-sling's components,
and a defs.yaml that names its type runs it: Dagster's `materialize` shows what the override did."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import yaml
from dagster.components.testing import create_defs_folder_sandbox

from rest_assets.orchestration.component import RestApiComponent
from rest_assets.orchestration.definitions import shared_definitions
from rest_assets_tests.conftest import REPO_ROOT

AUDITED_TYPE = "rest_assets_tests.test_component_execute.AuditedApi"


class AuditedApi(RestApiComponent):
    """A team's component: each materialization says who audits it, and the log says the sync ran."""

    def execute(self, context, warehouse, credentials, config):
        context.log.info(f"audited sync of {self.name}")
        for event in super().execute(context, warehouse, credentials, config):
            if isinstance(event, dg.MaterializeResult):
                event = event._replace(metadata={**(event.metadata or {}), "audited_by": "team:finance"})
            yield event


def audited_agency(folder: Path) -> Path:
    """The project's agency defs.yaml, in a defs folder of its own, naming the subclass's type."""
    declaration = yaml.safe_load((REPO_ROOT / "rest_assets" / "defs" / "agency" / "defs.yaml").read_text())
    (folder / "agency").mkdir()
    (folder / "agency" / "defs.yaml").write_text(yaml.safe_dump({**declaration, "type": AUDITED_TYPE}))
    return folder / "agency"


def test_a_subclass_named_in_a_defs_yaml_overrides_execute(make_project):
    project = make_project(sizes={"agency": {"clients": 7}})
    with create_defs_folder_sandbox() as sandbox:
        with sandbox.load_component_and_build_defs(defs_path=audited_agency(sandbox.defs_folder_path)) as (component, defs):
            assert type(component).__name__ == "AuditedApi"
            result = project.materialize("agency/clients", defs=shared_definitions(defs))

    assert result.success
    metadata = project.metadata(result, "clients")
    assert metadata["audited_by"].text == "team:finance", "the override's metadata"
    assert metadata["dagster/row_count"].value == 7 and project.count("agency", "clients") == 7, "the sync it wrapped"
    assert result.get_asset_check_evaluations(), "the check results pass through the override too"
