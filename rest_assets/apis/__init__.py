"""Declarative per-API configuration: one module per API, each defining `API`.

Adding an API means adding a module here, or in a directory of your own named
in REST_ASSETS_API_PATH (several separated by `:`); nothing else changes.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import pkgutil
from pathlib import Path
from types import ModuleType

from rest_assets.engine.spec import RestApi

API_PATH_ENV_VAR = "REST_ASSETS_API_PATH"


def load_apis() -> list[RestApi]:
    """Every `API` defined by a module of this package or of REST_ASSETS_API_PATH, sorted by name.

    The modules are executed afresh on each call: they read non-secret settings
    (base URLs) from the environment, which must be the one the definitions are
    built in, not the one at first import.
    """
    modules = [importlib.reload(importlib.import_module(f"{__name__}.{info.name}"))
               for info in pkgutil.iter_modules(__path__)]
    modules += [_load_file(path) for path in _extra_api_files()]
    apis = sorted((module.API for module in modules), key=lambda api: api.name)
    names = [api.name for api in apis]
    if len(names) != len(set(names)):
        raise ValueError(f"two API configurations share a name: {sorted(names)}")
    return apis


def _extra_api_files() -> list[Path]:
    directories = [Path(d) for d in os.environ.get(API_PATH_ENV_VAR, "").split(os.pathsep) if d]
    missing = [str(d) for d in directories if not d.is_dir()]
    if missing:
        raise FileNotFoundError(f"{API_PATH_ENV_VAR} names directories that do not exist: {missing}")
    return [path for directory in directories for path in sorted(directory.glob("*.py")) if path.stem != "__init__"]


def _load_file(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"rest_assets_extra_apis.{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not isinstance(getattr(module, "API", None), RestApi):
        raise TypeError(f"{path} must define API = RestApi(...)")
    return module
