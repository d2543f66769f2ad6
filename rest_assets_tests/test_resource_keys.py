"""The project's resource keys (`deletions`, `one_page`, ...) are one model: each key is in the schema
`dg check yaml` reads, validated when the definitions load, kept from dlt, and resolved on every endpoint.

The tests go over every field of `ResourceKeys`, so a key added there is held to all of this at once.
"""

from __future__ import annotations

import re

import pytest
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from rest_assets.engine.declaration import RestApi
from rest_assets.engine.resource_keys import ResourceKeys
from rest_assets.orchestration.component import RestApiComponent

# Per key: a value for resource_defaults, another for a resource itself, and one that is refused.
VALUES = {
    "deletions": ("hard", "keep", "purge"),
    "one_page": (True, False, "yes"),
}


def attributes(defaults: dict | None = None, **own) -> dict:
    return {"name": "keyed", "client": {"base_url": "https://api.example.com"}, "resource_defaults": defaults or {},
            "resources": [{"name": "items", "endpoint": {"path": "/items"}, **own}, "others"]}


def schema_errors(attributes: dict) -> list:
    schema = RestApiComponent.get_model_cls().model_json_schema()
    return list(Draft202012Validator(schema).iter_errors(attributes))


def test_every_key_has_test_values():
    assert set(VALUES) == set(ResourceKeys.model_fields), "give a new key its values above"


@pytest.mark.parametrize("key", VALUES)
def test_a_key_resolves_on_the_endpoint_and_dlt_never_sees_it(key):
    default, own, _ = VALUES[key]
    api = RestApi.model_validate(attributes({key: default}, **{key: own}))
    items, others = api.endpoints["items"], api.endpoints["others"]
    assert (getattr(items.keys, key), getattr(others.keys, key)) == (own, default), "a resource's own over its defaults'"
    assert key not in items.config and key not in others.config


@pytest.mark.parametrize("key", VALUES)
def test_dg_check_yaml_and_the_definitions_load_accept_and_refuse_a_key_alike(key):
    default, own, refused = VALUES[key]
    assert not schema_errors(attributes({key: default}, **{key: own}))

    for where, wrong in (("resources[0]", attributes(**{key: refused})),
                         ("resource_defaults", attributes({key: refused}))):
        assert schema_errors(wrong), f"dg check yaml accepts {key}: {refused!r} in {where}"
        with pytest.raises(ValidationError, match=re.escape(f"{where}/{key}: {refused!r} is not ")):
            RestApi.model_validate(wrong)


@pytest.mark.parametrize("key", VALUES)
def test_a_key_written_without_a_value_is_refused_not_taken_as_unset(key):
    with pytest.raises(ValidationError, match=rf"resources\[0\]/{key}: None is not "):
        RestApi.model_validate(attributes(**{key: None}))
    assert schema_errors(attributes(**{key: None}))


def test_the_api_wide_deletions_is_under_resource_defaults():
    api = RestApi.model_validate({**attributes({"deletions": "hard"}), "deletions": "keep"})
    assert api.endpoints["others"].deletions.name == "hard"
    assert RestApi.model_validate({**attributes(), "deletions": "keep"}).endpoints["others"].deletions.name == "keep"
