"""Declarative per-API configuration: one module per API, each defining `API`.

Adding an API means adding a module here; nothing else changes.
"""

from __future__ import annotations

import importlib
import pkgutil

from rest_assets.engine.spec import RestApi


def load_apis() -> list[RestApi]:
    """Every `API` defined by a module of this package, sorted by name.

    The modules are executed afresh on each call: they read non-secret settings
    (base URLs) from the environment, which must be the one the definitions are
    built in, not the one at first import.
    """
    modules = [importlib.import_module(f"{__name__}.{info.name}") for info in pkgutil.iter_modules(__path__)]
    return sorted((importlib.reload(module).API for module in modules), key=lambda api: api.name)
