"""The keys the project adds to a dlt resource config, beside dlt's own: one model, read everywhere.

A resource (or `resource_defaults`) may carry `deletions` (engine/deletions.py) and `one_page`
(engine/paginators.py). `ResourceKeys` is the one place that says what they are; each of its
fields is, with nothing else to write:

- its JSON schema beside dlt's keys, which `dg check yaml` validates against (`json_schemas`);
- validated when the definitions load, with an error that names where (`split`);
- taken out of the config before dlt sees it (`split`, `dlt_config`);
- resolved for each resource, its own over resource_defaults' over the API's, as
  `Endpoint.keys` (engine/declaration.py): `endpoint.keys.<field>`.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError, field_validator

from rest_assets.engine.deletions import DeletionModeName
from rest_assets.engine.vocabulary import DeclarationError


class ResourceKeys(BaseModel):
    """The project's keys of one resource config. A field left out is not declared there (None)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    deletions: Optional[DeletionModeName] = Field(
        default=None, description="What happens to rows the API stops listing: soft, hard, keep or history.")
    one_page: Optional[StrictBool] = Field(
        default=None, description="The resource is one page: read with single_page, and a next link, cursor or "
        "larger total in its answer does not fail the run.")

    @field_validator("*", mode="before")
    @classmethod
    def _written(cls, value: Any) -> Any:
        """A key written without a value (`deletions:`) is refused, as the schema refuses it, not taken as unset."""
        if value is None:
            raise ValueError("no value")
        return value

    @classmethod
    def split(cls, config: Any, where: str = "") -> tuple[Any, "ResourceKeys"]:
        """A resource config as dlt takes it, and its project keys, validated (DeclarationError at `where`/key)."""
        if not isinstance(config, Mapping):
            return config, cls()
        declared = {key: value for key, value in config.items() if key in cls.model_fields}
        try:
            keys = cls.model_validate(declared)
        except ValidationError as error:
            key = str(error.errors()[0]["loc"][0])
            raise DeclarationError(f"{where}/{key}", f"{declared[key]!r} is not {_expected(key)}") from None
        return {key: value for key, value in config.items() if key not in cls.model_fields}, keys

    def over(self, other: "ResourceKeys") -> "ResourceKeys":
        """These keys where declared, `other`'s elsewhere: a resource's own over its defaults'."""
        return other.model_copy(update={key: getattr(self, key) for key in self.model_fields_set})

    @classmethod
    def json_schemas(cls) -> dict[str, dict]:
        """Each key's JSON schema, to stand beside dlt's keys: a value, never null."""
        return {key: _schema_of(key) for key in cls.model_fields}


def dlt_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """A rest_api config as dlt takes it: each resource's and resource_defaults' project keys checked and taken out."""
    config = dict(config)
    if isinstance(config.get("resource_defaults"), Mapping):
        config["resource_defaults"] = ResourceKeys.split(config["resource_defaults"], "./resource_defaults")[0]
    if isinstance(config.get("resources"), list):
        config["resources"] = [ResourceKeys.split(resource, f"./resources[{i}]")[0]
                               for i, resource in enumerate(config["resources"])]
    return config


def _schema_of(key: str) -> dict:
    schema = dict(ResourceKeys.model_json_schema()["properties"][key])
    variants = [variant for variant in schema.pop("anyOf", []) if variant.get("type") != "null"]
    schema.pop("default", None)
    schema.pop("title", None)
    return {**(variants[0] if len(variants) == 1 else {"anyOf": variants} if variants else {}), **schema}


def _expected(key: str) -> str:
    """What a key's value must be, in words, from its schema."""
    schema = _schema_of(key)
    if "enum" in schema:
        return f"one of {', '.join(map(str, schema['enum']))}"
    return {"boolean": "true or false", "integer": "a whole number", "number": "a number"}.get(
        schema.get("type"), f"a {schema.get('type', 'valid value')}")
