"""Every API's component: the defs.yaml files under rest_assets/defs/, and in the folders REST_ASSETS_API_PATH names."""

from __future__ import annotations

import importlib
from pathlib import Path

import dagster as dg
import yaml
from dagster import Definitions

from rest_assets import COMPONENT_TYPE, settings
from rest_assets.orchestration.component import RestApiComponent
from rest_assets.orchestration.definitions import shared_definitions

PACKAGE = Path(__file__).resolve().parents[1]
DEFS_MODULE = "rest_assets.defs"
# PyYAML's safe loader, in C where libyaml is installed (its wheels bundle it): 10x faster to parse.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def all_definitions() -> Definitions:
    """The project's definitions: every API's component, with what they share."""
    return shared_definitions(_component_definitions())


def load_apis() -> list[RestApiComponent]:
    """Every API's declaration (as the definitions are built from), sorted by name."""
    apis = _components()
    names = [api.name for api in apis]
    if len(names) != len(set(names)):
        raise ValueError(f"two APIs share a name: {sorted(names)}")
    return sorted(apis, key=lambda api: api.name)


def _tree() -> dg.ComponentTree:
    """The components under rest_assets/defs/ (from the installed package: no project files needed)."""
    return dg.ComponentTree.from_module(defs_module=importlib.import_module(DEFS_MODULE), project_root=PACKAGE.parent)


def _component_definitions() -> Definitions:
    tree = _tree()
    context = tree.load_context
    extra = [component.build_defs(context) for component in _external_components(context)]
    return Definitions.merge(tree.build_defs(), *extra)


def _components() -> list[RestApiComponent]:
    tree = _tree()
    return [*tree.get_all_components(of_type=RestApiComponent), *_external_components(tree.load_context)]


def _external_components(context: dg.ComponentLoadContext) -> list[RestApiComponent]:
    """The `<api>/defs.yaml` files in the folders REST_ASSETS_API_PATH names (RestApiComponents only),
    loaded in the project's context, as if under rest_assets/defs/."""
    folders = [Path(folder) for folder in (settings.API_PATH.value() or "").split(":") if folder]
    if missing := [str(folder) for folder in folders if not folder.is_dir()]:
        raise FileNotFoundError(f"{settings.API_PATH.name} names folders that do not exist: {missing}")
    return [_load_component(path, context) for folder in folders for path in sorted(folder.glob("*/defs.yaml"))]


def _load_component(path: Path, context: dg.ComponentLoadContext) -> RestApiComponent:
    """One API's defs.yaml in a folder REST_ASSETS_API_PATH names."""
    declaration = yaml.load(path.read_text(), Loader=SAFE_LOADER)
    if not isinstance(declaration, dict) or declaration.get("type") != COMPONENT_TYPE:
        raise ValueError(f"{path}: {settings.API_PATH.name} folders hold `type: {COMPONENT_TYPE}` only")
    return RestApiComponent.from_attributes_dict(attributes=declaration.get("attributes") or {}, context=context)
