"""Declarative per-API configuration: one module per API, each defining `API`.

Adding an API means adding a module here; nothing else changes.
"""

from __future__ import annotations

import importlib
import pkgutil

from rest_assets.engine.spec import RestApi


def load_apis() -> list[RestApi]:
    """Every `API` defined by a module of this package, by name."""
    modules = (importlib.import_module(f"{__name__}.{m.name}") for m in pkgutil.iter_modules(__path__))
    apis = [module.API for module in modules]
    return sorted(apis, key=lambda api: api.name)
