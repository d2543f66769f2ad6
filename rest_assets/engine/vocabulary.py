"""dlt's `rest_api` vocabulary, written as data: its JSON schema, and the two things YAML cannot hold.

A defs.yaml holds dlt's own `client`, `resource_defaults` and `resources`. Python configs hold two
kinds of values that a YAML file cannot, and each has one written form:

- a **secret** is named, never written: `<key>_env: VAR` stands for `<key>: <value of VAR>`,
  anywhere a dlt config can hold a secret (an auth's fields, header values, query params, an
  OAuth token request's data). The values are filled in when a run starts (`with_secrets`).
  dlt marks its auth classes' secret fields (`SecretSentinel`); those take the `_env` form only.
- a **Python object** is referenced by import path, `package.module:attribute`: processing
  steps, a callable response action or action, an incremental `convert`, a custom auth or
  paginator class (as `type`, registered with dlt under that name: `register_auth`,
  `register_paginator`). An incremental `convert` may also be a strftime format
  (`"%Y-%m-%dT%H:%M:%SZ"`): the cursor, a moment, sent in that format.

The JSON schema (`client_schema`, `resource_schema`, ...) is derived from dlt's own TypedDicts
(`dlt.sources.rest_api.typing`) and, for paginators and auths, from the classes in dlt's
registries (a `{type: ...}` dict becomes `cls(**rest)`, so the class's parameters are the keys).
`dg check yaml` validates with it; the definitions load validates with dlt itself
(`validate_dict`, the registries, the dependency graph), so an error reads like dlt's.
"""

from __future__ import annotations

import collections.abc
import copy
import importlib
import inspect
import re
import sys
import types
import typing
from functools import cache
from typing import Any, Callable, Iterator, Literal, Mapping, Union

from dlt.common.typing import SecretSentinel
from dlt.common.validation import validate_dict
from dlt.sources.helpers.rest_client.auth import AuthConfigBase
from dlt.sources.helpers.rest_client.paginators import BasePaginator
from dlt.sources.rest_api import typing as dlt_typing
from dlt.sources.rest_api.config_setup import (
    AUTH_MAP,
    PAGINATOR_MAP,
    create_auth,
    create_paginator,
    register_auth,
    register_paginator,
)
from typing_extensions import is_typeddict

from rest_assets.engine.incremental import datetime_param
from rest_assets.engine.paginators import register_paginators

SECRET_SUFFIX = "_env"
IMPORT_PATH = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")
IMPORT_PATH_SCHEMA = {
    "type": "string",
    "pattern": IMPORT_PATH.pattern,
    "description": "A Python object by import path: package.module:attribute",
}
# Resource hints dlt accepts as functions of the data: an asset needs them fixed, so here they are values.
_STEP_KEYS = ("filter", "map", "yield_map")


class DeclarationError(ValueError):
    """A declaration dlt would refuse, or that names a secret or an object wrongly; `where` is dlt's path."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where


# --- the JSON schema -------------------------------------------------------------------------


def _secret_fields(cls: type) -> tuple[dict[str, Any], list[str]]:
    """An auth or paginator class's init parameters as JSON schema properties, and the secret ones."""
    properties: dict[str, Any] = {}
    secrets = []
    for name, param in _init_parameters(cls).items():
        if name == "self" or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        annotation = param.annotation
        if _is_secret(annotation):
            secrets.append(name)
        else:  # dlt passes any value on to the class: a type YAML cannot write is not checked
            properties[name] = _schema(annotation) or {}
    return properties, secrets


def _init_parameters(cls: type) -> Mapping[str, inspect.Parameter]:
    try:
        return inspect.signature(cls.__init__, eval_str=True).parameters
    except NameError:  # an annotation that names what its module imports only for type checkers
        return inspect.signature(cls.__init__).parameters


def _is_secret(annotation: Any) -> bool:
    if typing.get_origin(annotation) is typing.Annotated:
        return SecretSentinel in typing.get_args(annotation)[1:] or _is_secret(typing.get_args(annotation)[0])
    return any(_is_secret(arg) for arg in typing.get_args(annotation))


def _with_env_forms(properties: dict[str, Any], secrets: list[str]) -> dict[str, Any]:
    """Every string field may name an env var instead (`<key>_env`); a secret field only that way, or empty."""
    env_forms: dict[str, Any] = {}
    for name in secrets:
        env_forms[name] = {"const": "", "description": "Empty: no secret to name (e.g. an API key as user name, no password)."}
        env_forms[f"{name}{SECRET_SUFFIX}"] = {"type": "string", "description": f"Env var holding `{name}`."}
    for name, schema in properties.items():
        if schema.get("type") == "string" or {"type": "string"} in schema.get("anyOf", []):
            env_forms[f"{name}{SECRET_SUFFIX}"] = {"type": "string", "description": f"Env var holding `{name}`."}
    return {**properties, **env_forms}


def _registry_schema(registry: Mapping[str, type | None], default_type: str | None, env_forms: bool) -> dict:
    """dlt's `{type: <registered name>, ...the class's parameters}` dicts, and the bare names."""
    variants: list[dict] = [{"type": "string", "enum": sorted(registry)}]
    for name, cls in sorted(registry.items()):
        properties, secrets = _secret_fields(cls) if cls is not None else ({}, [])
        if env_forms:
            properties = _with_env_forms(properties, secrets)
        variant = {
            "type": "object",
            "properties": {"type": {"const": name}, **properties},
            "additionalProperties": False,
        }
        if name != default_type:
            variant["required"] = ["type"]
        variants.append(variant)
    variants.append(IMPORT_PATH_SCHEMA)  # a class by import path, without arguments
    variants.append({"type": "object", "properties": {"type": IMPORT_PATH_SCHEMA}, "required": ["type"]})
    return {"anyOf": variants}


def paginator_schema() -> dict:
    register_paginators()
    return _registry_schema(PAGINATOR_MAP, default_type="auto", env_forms=False)


def auth_schema() -> dict:
    return _registry_schema(AUTH_MAP, default_type="bearer", env_forms=True)


def convert_schema() -> dict:
    return {"type": "string", "description": "A function by import path, or a strftime format for a moment"}


_OVERRIDES: dict[str, Callable[[], dict]] = {"paginator": paginator_schema, "auth": auth_schema, "convert": convert_schema}


def _schema(annotation: Any) -> dict | None:
    """JSON schema of a dlt type annotation; None for what YAML cannot hold (a session, a resource object)."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation is Any:
        return {}
    if annotation in (str, int, float, bool, type(None)):
        return {"type": {str: "string", int: "integer", float: "number", bool: "boolean", type(None): "null"}[annotation]}
    if origin is typing.Annotated:
        return _schema(args[0])
    if origin is Literal:
        return {"enum": list(args)}
    if origin in (Union, types.UnionType):
        variants = [schema for arg in args if (schema := _schema(arg)) is not None]
        return {"anyOf": variants} if variants else None
    if origin in (list, typing.List, typing.Sequence, collections.abc.Sequence):
        items = _schema(args[0]) if args else {}
        return {"type": "array", "items": items if items is not None else {}}
    if origin in (dict, typing.Dict, collections.abc.Mapping):
        values = _schema(args[1]) if len(args) == 2 else {}
        return {"type": "object", "additionalProperties": values if values is not None else {}}
    if origin is collections.abc.Callable or annotation is Callable:
        return IMPORT_PATH_SCHEMA
    if is_typeddict(annotation):
        return typed_dict_schema(annotation)
    return None  # a class instance: not expressible in YAML


def typed_dict_schema(spec: type, extra: Mapping[str, dict] | None = None) -> dict:
    hints = typing.get_type_hints(spec, globalns=vars(sys.modules[spec.__module__]), include_extras=True)
    properties = {}
    for key, annotation in hints.items():
        schema = _OVERRIDES[key]() if key in _OVERRIDES else _schema(annotation)
        if schema is not None:
            properties[key] = schema
    properties.update(extra or {})
    required = sorted(key for key in getattr(spec, "__required_keys__", ()) if key in properties)
    return {"type": "object", "properties": properties, "additionalProperties": False,
            **({"required": required} if required else {})}


@cache
def client_schema() -> dict:
    # dlt's TypedDict leaves base_url optional, but no source can be built without one.
    return {**typed_dict_schema(dlt_typing.ClientConfig), "required": ["base_url"]}


def resource_defaults_schema(extra: Mapping[str, dict] | None = None) -> dict:
    """`resource_defaults`, with `extra` keys beside dlt's."""
    return typed_dict_schema(dlt_typing.EndpointResourceBase, extra=extra)


def resources_schema(extra: Mapping[str, dict] | None = None) -> dict:
    """`resources`: names, or resource configs with `extra` keys beside dlt's."""
    resource = typed_dict_schema(dlt_typing.EndpointResource, extra=extra)
    resource["required"] = ["name"]
    return {"type": "array", "items": {"anyOf": [{"type": "string"}, resource]}, "minItems": 1}


# --- secrets ---------------------------------------------------------------------------------


def _secret_holders(config: Mapping[str, Any]) -> Iterator[dict]:
    """The dicts of a rest_api config whose keys may name secrets, in place."""
    client = config.get("client") or {}
    yield from _auth_holders(client.get("auth"))
    if isinstance(client.get("headers"), dict):
        yield client["headers"]
    for resource in [config.get("resource_defaults") or {}, *config.get("resources", [])]:
        endpoint = resource.get("endpoint") if isinstance(resource, dict) else None
        if isinstance(endpoint, dict):
            yield from _auth_holders(endpoint.get("auth"))
            for key in ("headers", "params"):
                if isinstance(endpoint.get(key), dict):
                    yield endpoint[key]


def _auth_holders(auth: Any) -> Iterator[dict]:
    if isinstance(auth, dict):
        yield auth
        if isinstance(auth.get("access_token_request_data"), dict):
            yield auth["access_token_request_data"]


def secret_env_vars(config: Mapping[str, Any]) -> list[str]:
    """The env vars a config names for its secrets, in order of appearance, once each."""
    names = [value for holder in _secret_holders(config) for key, value in holder.items() if key.endswith(SECRET_SUFFIX)]
    return list(dict.fromkeys(names))


def with_secrets(config: Mapping[str, Any], values: Mapping[str, str]) -> dict[str, Any]:
    """A copy of the config with each `<key>_env: VAR` replaced by `<key>: values[VAR]`."""
    config = copy.deepcopy(dict(config))
    for holder in _secret_holders(config):
        for key in [key for key in holder if key.endswith(SECRET_SUFFIX)]:
            holder[key.removesuffix(SECRET_SUFFIX)] = values[holder.pop(key)]
    return config


def resource_with_secrets(resource: Mapping[str, Any], values: Mapping[str, str]) -> dict[str, Any]:
    """A copy of one (normalized) resource config with its secrets filled in."""
    return with_secrets({"resources": [resource]}, values)["resources"][0]


def placeholder_secrets(config: Mapping[str, Any]) -> dict[str, Any]:
    """The config with a stand-in for every secret: what dlt validates when the definitions load."""
    return with_secrets(config, {name: f"<{name}>" for name in secret_env_vars(config)})


# --- Python objects by import path -----------------------------------------------------------


def import_object(path: str, where: str) -> Any:
    module_name, _, attribute = path.partition(":")
    try:
        target: Any = importlib.import_module(module_name)
        for part in attribute.split("."):
            target = getattr(target, part)
    except (ImportError, AttributeError) as error:
        raise DeclarationError(where, f"cannot import {path!r} ({error}); write it as package.module:attribute") from None
    return target


def is_import_path(value: Any) -> bool:
    return isinstance(value, str) and IMPORT_PATH.match(value) is not None


def with_objects(config: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the config with every import path in a place that takes a Python object imported.

    Custom auth and paginator classes are registered with dlt under their import path, so the
    config keeps naming them by `type` and dlt builds them as it builds its own.
    """
    config = copy.deepcopy(dict(config))
    client = config.get("client") or {}
    _register_classes(client, "./client")
    resources = [("./resource_defaults", config.get("resource_defaults") or {})]
    resources += [(f"./resources[{i}]", r) for i, r in enumerate(config.get("resources", [])) if isinstance(r, dict)]
    for where, resource in resources:
        if is_import_path(resource.get("table_name")):  # dlt's table name function
            resource["table_name"] = import_object(resource["table_name"], f"{where}/table_name")
        for i, step in enumerate(resource.get("processing_steps") or []):
            for key in _STEP_KEYS:
                if is_import_path(step.get(key)):
                    step[key] = import_object(step[key], f"{where}/processing_steps[{i}]/{key}")
        endpoint = resource.get("endpoint")
        if not isinstance(endpoint, dict):
            continue
        _register_classes(endpoint, f"{where}/endpoint")
        _import_response_actions(endpoint, f"{where}/endpoint/response_actions")
        for incremental in _incrementals(endpoint):
            convert = incremental.get("convert")
            if is_import_path(convert):
                incremental["convert"] = import_object(convert, f"{where}/endpoint/incremental/convert")
            elif isinstance(convert, str):  # a strftime format: the common case, written as data
                incremental["convert"] = datetime_param(convert)
    return config


def _incrementals(endpoint: Mapping[str, Any]) -> Iterator[dict]:
    """The endpoint's incremental config, wherever dlt allows it: `incremental`, or a param of that type."""
    if isinstance(endpoint.get("incremental"), dict):
        yield endpoint["incremental"]
    for value in (endpoint.get("params") or {}).values():
        if isinstance(value, dict) and value.get("type") == "incremental":
            yield value


def _import_response_actions(endpoint: dict, where: str) -> None:
    actions = endpoint.get("response_actions")
    for i, action in enumerate(actions or []):
        if is_import_path(action):
            actions[i] = import_object(action, f"{where}[{i}]")
        elif isinstance(action, dict) and is_import_path(action.get("action")):
            action["action"] = import_object(action["action"], f"{where}[{i}]/action")
        elif isinstance(action, dict) and isinstance(action.get("action"), list):
            action["action"] = [import_object(a, f"{where}[{i}]/action") if is_import_path(a) else a
                                for a in action["action"]]


def _register_classes(holder: Mapping[str, Any], where: str) -> None:
    """Register with dlt each custom auth or paginator class the holder names by import path."""
    for key, base, register in (("auth", AuthConfigBase, register_auth), ("paginator", BasePaginator, register_paginator)):
        value = holder.get(key)
        name = value.get("type") if isinstance(value, dict) else value
        if is_import_path(name):
            cls = import_object(name, f"{where}/{key}")
            if not (isinstance(cls, type) and issubclass(cls, base)):
                raise DeclarationError(f"{where}/{key}", f"{name} is not a subclass of dlt's {base.__name__}")
            register(name, cls)


# --- dlt's own validation --------------------------------------------------------------------


def validate_with_dlt(config: Mapping[str, Any]) -> None:
    """What dlt checks before it builds a source, without building one (no secrets needed).

    `config` is dlt's alone: the project's own keys are taken out before (engine/resource_keys.py).

    Each paginator and auth is built through dlt's registries (`create_paginator`,
    `create_auth`; an auth with stand-ins for its secrets), as dlt builds them for a source;
    then dlt's `validate_dict` checks the whole config. (Given as dicts, dlt's `validate_dict`
    would hold a registered paginator's or auth's parameters against its built-in ones' keys.)
    """
    register_paginators()
    config = with_objects(config)
    for where, holder in _paginator_and_auth_holders(config):
        _check_auth_keys(holder.get("auth"), f"{where}/auth")
    if "base_url" not in (config.get("client") or {}):
        raise DeclarationError("./client", "base_url is required: dlt builds no client without one")
    config = placeholder_secrets(config)
    for where, holder in _paginator_and_auth_holders(config):
        for key, build in (("paginator", create_paginator), ("auth", create_auth)):
            if holder.get(key) is not None:
                try:
                    holder[key] = build(holder[key])
                except Exception as error:  # dlt's ValueError, TypeError, ConfigFieldMissingException
                    raise DeclarationError(f"{where}/{key}", str(error)) from None
    try:
        validate_dict(dlt_typing.RESTAPIConfig, config, path=".")
    except Exception as error:  # dlt's DictValidationException and its subclasses
        raise DeclarationError("", str(error)) from None


def _check_auth_keys(auth: Any, where: str) -> None:
    """An auth's secret fields (dlt marks them) are named, never written; its other keys are its fields."""
    if not isinstance(auth, dict) or auth.get("type", "bearer") not in AUTH_MAP:
        return
    _, secrets = _secret_fields(AUTH_MAP[auth.get("type", "bearer")])
    if written := [name for name in secrets if auth.get(name, "") != ""]:
        raise DeclarationError(where, f"a secret is named, never written: use {written[0]}{SECRET_SUFFIX}: "
                                      f"<the env var that holds it> instead of {written[0]}")
    # dlt's configspec would drop an unknown key silently: a typo would leave a field unset.
    fields = set(_init_parameters(AUTH_MAP[auth.get("type", "bearer")])) - {"self"}
    known = fields | {f"{name}{SECRET_SUFFIX}" for name in fields} | {"type"}
    if unknown := sorted(set(auth) - known):
        raise DeclarationError(where, f"{', '.join(map(repr, unknown))} is not a field of this auth; "
                                      f"its fields are {', '.join(sorted(fields))}")


def _paginator_and_auth_holders(config: Mapping[str, Any]) -> Iterator[tuple[str, dict]]:
    yield "./client", config.get("client") or {}
    resources = [("./resource_defaults", config.get("resource_defaults") or {})]
    resources += [(f"./resources[{i}]", r) for i, r in enumerate(config.get("resources", []))]
    for where, resource in resources:
        endpoint = resource.get("endpoint") if isinstance(resource, dict) else None
        if isinstance(endpoint, dict):
            yield f"{where}/endpoint", endpoint

