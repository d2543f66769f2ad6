"""One REST API as data: dlt's `rest_api` config, and what the project adds to it.

`RestApi` is the declaration: the model a defs.yaml's `attributes` are validated against
(`RestApiComponent` is this model plus its Dagster build) and what the engine reads. Its
`client`, `resource_defaults` and `resources` are dlt's own, in any form `rest_api_source`
accepts, with secrets named (`*_env`) and Python objects referenced by import path
(engine/vocabulary.py). Their JSON schema is derived from dlt's types; their validation is
dlt's own.

`RestApi.endpoints` normalizes the resources once, by dlt's own rules
(`build_resource_dependency_graph`): each endpoint in long form with `resource_defaults`
merged, its parent found wherever dlt accepts a reference to one, and an incremental param
(`{type: incremental, ...}` in `params`) moved to `endpoint.incremental`, its one form here.
"""

from __future__ import annotations

import copy
import dataclasses
import typing
from collections import Counter
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Annotated, Any, Callable, Mapping, Optional, Union

from dlt.common.normalizers.naming.snake_case import NamingConvention
from dlt.sources.helpers.rest_client.paginators import RangePaginator, SinglePagePaginator
from dlt.sources.rest_api.config_setup import build_resource_dependency_graph
from dlt.sources.rest_api.typing import EndpointResource, EndpointResourceBase
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, create_model, model_validator

from rest_assets.engine import resource_keys, vocabulary
from rest_assets.engine.deletions import MODES, PARTIAL_LISTING_NOTE, DeletionMode, DeletionModeName
from rest_assets.engine.http import HttpPolicy
from rest_assets.engine.resource_keys import ResourceKeys

_naming = NamingConvention()
# Every resource is extracted in parallel with the others (a child: its parents' pages in
# parallel), within the API's HttpPolicy.max_concurrency. Its write disposition, unless
# declared, follows from its key: `default_write_disposition`.
DEFAULT_RESOURCE_HINTS: EndpointResourceBase = {"parallelized": True}


def _dlt_checked(part: str):
    """A validator of one part of dlt's config, with dlt's own rules (the registries, `validate_dict`).

    Dagster validates a component's attributes three times as it loads it (its model of the YAML,
    twice, then the component), and dlt's validation of a part takes milliseconds: a part of an API
    that dlt accepted is not validated again (`_accepted`). A refused part is refused every time, alike.
    """

    def check(value: Any, info: ValidationInfo) -> Any:
        # YAML's values (dicts, lists, strings, numbers, dates) repr as they are; `name` is validated first.
        key = (info.data.get("name"), part, repr(value))
        if key not in _accepted:
            config = {"client": {"base_url": ""}, "resources": ["_"], part: value}
            vocabulary.validate_with_dlt(resource_keys.dlt_config(config))  # the project's keys, then dlt's
            _accepted[key] = None
            if len(_accepted) > _ACCEPTED_KEPT:
                del _accepted[next(iter(_accepted))]
        return value

    return AfterValidator(check)


# The API parts dlt accepted last, oldest first: a component's repeated validations find theirs here.
_accepted: dict[tuple[str | None, str, str], None] = {}
_ACCEPTED_KEPT = 64


class _SchemaFromDlt:
    """A field's JSON schema, derived from dlt's types when a schema is asked for (not at import)."""

    def __init__(self, derive: Callable[[], dict]) -> None:
        self.derive = derive

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> dict:
        return self.derive()


@cache
def _resource_defaults_schema() -> dict:
    return vocabulary.resource_defaults_schema(extra=ResourceKeys.json_schemas())


@cache
def _resources_schema() -> dict:
    return vocabulary.resources_schema(extra=ResourceKeys.json_schemas())


# dlt's three keys, with the project's resource keys beside dlt's: JSON schema from dlt's types
# (what `dg check yaml` reads), validation by dlt.
DltClient = Annotated[dict[str, Any], _SchemaFromDlt(vocabulary.client_schema), _dlt_checked("client")]
DltResourceDefaults = Annotated[
    dict[str, Any], _SchemaFromDlt(_resource_defaults_schema), _dlt_checked("resource_defaults")
]
DltResources = Annotated[list[Union[str, dict[str, Any]]], _SchemaFromDlt(_resources_schema), _dlt_checked("resources")]


class Schedule(BaseModel):
    """When to sync an API: a cron for all of its resources, or only for some."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cron: str
    resources: list[str] = Field(default_factory=list, description="Empty: every resource of the API.")
    timezone: Optional[str] = Field(default=None, description="Default: REST_ASSETS_TIMEZONE, else UTC.")

    def covers(self, resource_name: str) -> bool:
        return not self.resources or resource_name in self.resources


def _yaml_type(annotation: Any) -> Any:
    """A policy field's type as YAML writes it (a list for a tuple), optional."""
    return Optional[list[int]] if typing.get_origin(annotation) is tuple else Optional[annotation]


# HttpPolicy's fields, each optional: one place (engine/http/policy.py) says what they are.
Http = create_model(
    "Http",
    __config__=ConfigDict(extra="forbid", frozen=True),
    __doc__="HttpPolicy's fields (engine/http/policy.py); each also overridable by <API>_HTTP_<FIELD>.",
    **{name: (_yaml_type(hint), None) for name, hint in typing.get_type_hints(HttpPolicy).items()},
)


@dataclass(frozen=True)
class Endpoint:
    """One resource of an API, normalized: dlt's config for it, and what the engine derives from it."""

    name: str
    config: EndpointResource  # as dlt takes it: endpoint in long form, resource_defaults merged
    table: str  # the table dlt lands the resource in (`time-offs` -> `time_offs`)
    parent: str | None  # the resource whose records this one's requests refer to
    parent_params: tuple[tuple[str, str], ...]  # (placeholder or param name, parent field), as dlt resolves them
    keys: ResourceKeys  # the project's keys, resolved: `deletions` always set, `one_page` read with the paginator
    complete_listing: bool  # a sync reads every row the API has: a row it misses was deleted
    selected: bool = True  # dlt's `selected: false`: read only to feed its children, no table, no asset

    @property
    def deletions(self) -> DeletionMode:
        """What happens to a row the API stops listing (engine/deletions.py)."""
        return MODES[self.keys.deletions]

    @property
    def declared_columns(self) -> dict[str, Mapping[str, Any]]:
        """dlt column hints by field: the declaration's, and the engine's own (`_deleted_at`)."""
        return {**self.columns, **self.deletions.declared_columns(self.complete_listing)}

    @property
    def deletions_note(self) -> str:
        """What happens in the table to a row the API stops listing."""
        return self.deletions.note if self.complete_listing or not self.deletions.deletes else PARTIAL_LISTING_NOTE

    @property
    def path(self) -> str:
        return self.config["endpoint"]["path"]

    @property
    def primary_key(self) -> tuple[str, ...]:
        """The API's field names of the primary key (dlt's `primary_key` hint)."""
        key = self.config.get("primary_key") or ()
        return (key,) if isinstance(key, str) else tuple(key)

    @property
    def key_columns(self) -> tuple[str, ...]:
        """The primary key's columns as dlt names them (`jobId` -> `job_id`)."""
        return tuple(RestApi.column_name(field) for field in self.primary_key)

    @property
    def incremental(self) -> Mapping[str, Any] | None:
        return self.config["endpoint"].get("incremental")

    @property
    def columns(self) -> Mapping[str, Mapping[str, Any]]:
        return self.config.get("columns") or {}

    @property
    def merges(self) -> bool:
        """Whether the table is written with dlt's merge (the engine's default)."""
        disposition = self.config.get("write_disposition")
        return (disposition.get("disposition") if isinstance(disposition, dict) else disposition) == "merge"


class RestApi(BaseModel):
    """One REST API: dlt's `client`, `resource_defaults` and `resources`, and how the project runs it."""

    model_config = ConfigDict(extra="forbid", frozen=True, ignored_types=(cached_property,))

    name: str = Field(description="The dlt source's name: asset group, dataset and first part of every asset key.")
    description: Optional[str] = Field(default=None, description="What the API holds, shown on its assets.")
    client: DltClient = Field(description="dlt's `client`: base_url, auth, headers, paginator.")
    resources: DltResources = Field(description="dlt's `resources`: names, or resource configs.")
    resource_defaults: DltResourceDefaults = Field(
        default_factory=dict, description="dlt's `resource_defaults`, merged under every resource."
    )
    start_date_env: Optional[str] = Field(
        default=None, description="Env var with the first cursor value of incremental resources (ISO 8601)."
    )
    http: Http = Field(default_factory=Http)  # type: ignore[valid-type]
    # Reference data changes slowly: daily by default. Schedules start stopped.
    schedules: list[Schedule] = Field(default_factory=lambda: [Schedule(cron="0 3 * * *")])
    owners: list[str] = Field(default_factory=lambda: ["team:data-engineering"])
    deletions: DeletionModeName = Field(default="soft", description="What happens to rows the API stops listing.")

    @model_validator(mode="after")
    def _normalizes(self) -> "RestApi":
        """A configuration dlt would refuse as a whole (a missing parent, a cycle) fails here, when the definitions load."""
        self.endpoints  # noqa: B018
        return self

    @cached_property
    def endpoints(self) -> Mapping[str, Endpoint]:
        """The resources, normalized once, in their declared order."""
        return normalized_endpoints(self)

    @property
    def http_policy(self) -> HttpPolicy:
        """The declared HTTP policy (HttpPolicy's defaults where the declaration is silent)."""
        fields = self.http.model_dump(exclude_none=True)
        if "retry_statuses" in fields:
            fields["retry_statuses"] = tuple(fields["retry_statuses"])
        return HttpPolicy(**fields)

    @property
    def policy(self) -> HttpPolicy:
        """The HTTP policy in force now: the declared one with the environment's overrides."""
        return self.http_policy.with_env(self.name)

    @property
    def base_url(self) -> str:
        return self.client["base_url"]

    @cached_property
    def secret_env_vars(self) -> list[str]:
        """The env vars of the API's secrets, read when a run starts."""
        return vocabulary.secret_env_vars(self.dlt_config)

    @cached_property
    def dlt_config(self) -> dict[str, Any]:
        """dlt's `rest_api` config as declared (secrets still named, objects still import paths)."""
        return {"client": self.client, "resource_defaults": self.resource_defaults, "resources": self.resources}

    @property
    def resource_key(self) -> str:
        """The name of this API's credentials resource, and of its concurrency pool (one run of the API at a time)."""
        return f"{self.name}_api"

    @property
    def resource_names(self) -> list[str]:
        """The resources that land a table: one asset each."""
        return [name for name, endpoint in self.endpoints.items() if endpoint.selected]

    def asset_parent(self, resource_name: str) -> str | None:
        """The parent whose asset this resource's asset depends on (none for a parent with no table)."""
        parent = self.endpoints[resource_name].parent
        return parent if parent is not None and self.endpoints[parent].selected else None

    def table_name(self, resource_name: str) -> str:
        return self.endpoints[resource_name].table

    def replace(self, **changes: Any) -> "RestApi":
        """A copy with some keys changed, validated and normalized anew."""
        return RestApi.model_validate({**self.model_dump(include=set(RestApi.model_fields)), **changes})

    @staticmethod
    def column_name(field_name: str) -> str:
        """The column dlt lands a field in (`jobId` -> `job_id`)."""
        return _naming.normalize_identifier(field_name)


def normalized_endpoints(api: RestApi) -> dict[str, Endpoint]:
    config = vocabulary.with_objects(api.dlt_config)
    defaults, default_keys = ResourceKeys.split({**DEFAULT_RESOURCE_HINTS, **config["resource_defaults"]})
    default_keys = default_keys.over(ResourceKeys(deletions=api.deletions))
    resources, declared, own_keys = [], {}, {}
    for resource in config["resources"]:
        resource, keys = ResourceKeys.split(resource)
        resources.append(resource)
        name = resource if isinstance(resource, str) else resource["name"]
        declared[name], own_keys[name] = resource, keys
    try:
        graph, configs, resolved = build_resource_dependency_graph(copy.deepcopy(defaults), copy.deepcopy(resources))
        order = list(graph.static_order())  # parents first
    except ValueError as error:  # graphlib's CycleError among them
        raise ValueError(f"{api.name}: {error}") from None
    endpoints: dict[str, Endpoint] = {}
    for name in order:
        endpoint_config = configs[name]
        _incremental_in_one_place(endpoint_config["endpoint"])
        endpoint_config.setdefault("write_disposition", default_write_disposition(endpoint_config))
        table = endpoint_config.get("table_name")
        params = tuple((p.param_name, p.resolve_config["field"]) for p in resolved[name] or ())
        parent = resolved[name][0].resolve_config["resource"] if resolved[name] else None
        try:
            one_page = _reads_one_page(declared[name], defaults, own_keys[name].one_page, default_keys.one_page)
        except ValueError as error:
            raise ValueError(f"{api.name}: resource {name!r}: {error}") from None
        if one_page:
            endpoint_config["endpoint"]["paginator"] = "single_page"
        endpoints[name] = Endpoint(
            name=name,
            config=endpoint_config,
            # A table_name function routes rows by their content: the table is named after the resource.
            table=_naming.normalize_table_identifier(table if isinstance(table, str) else name),
            parent=parent,
            parent_params=params,
            keys=own_keys[name].over(default_keys).model_copy(update={"one_page": one_page}),
            complete_listing=_reads_everything(endpoint_config, config["client"].get("paginator"))
            and (parent is None or endpoints[parent].complete_listing),
            selected=endpoint_config.get("selected") is not False,
        )
    return _shared_tables_are_partial({name: endpoints[name] for name in declared})


def _shared_tables_are_partial(endpoints: dict[str, Endpoint]) -> dict[str, Endpoint]:
    """Resources that land one table (dlt allows it: `table_name`) each list only part of it: none
    of them sees a deletion, so none may delete what the other listed."""
    tables = Counter(endpoint.table for endpoint in endpoints.values() if endpoint.selected)
    return {name: dataclasses.replace(endpoint, complete_listing=False) if tables[endpoint.table] > 1 else endpoint
            for name, endpoint in endpoints.items()}


def _reads_one_page(
    own: Any, defaults: Mapping[str, Any], own_one_page: bool | None, default_one_page: bool | None
) -> bool:
    """Whether a resource is declared one page, `one_page` and `paginator` resolved as dlt resolves any key.

    The resource's own keys come before resource_defaults': a paginator declared closer to the
    resource than `one_page` pages it, and `one_page: true` overrides a paginator from further
    away (resource_defaults', the client's). Declared side by side, they contradict each other,
    unless the paginator is single_page.
    """
    for one_page, place in ((own_one_page, own), (default_one_page, defaults)):
        paginator = _declared_paginator(place)
        if one_page is None and paginator is not None:
            return False
        if one_page is not None:
            if one_page and paginator is not None and not _is_single_page(paginator):
                raise ValueError(
                    f"`one_page: true` beside `paginator: {_paginator_type(paginator)}`: a one-page resource is read "
                    "with single_page. Remove the paginator, or `one_page` if the resource is paged")
            return one_page
    return False


def _declared_paginator(resource: Any) -> Any:
    endpoint = resource.get("endpoint") if isinstance(resource, Mapping) else None
    return endpoint.get("paginator") if isinstance(endpoint, Mapping) else None


def _paginator_type(paginator: Any) -> str:
    if isinstance(paginator, Mapping):
        return str(paginator.get("type", "auto"))
    return paginator if isinstance(paginator, str) else type(paginator).__name__


def _is_single_page(paginator: Any) -> bool:
    return isinstance(paginator, SinglePagePaginator) or _paginator_type(paginator) == "single_page"


def _declares_a_page_cap(paginator: Any) -> bool:
    """A page number or offset paginator told to stop early (`maximum_page`, `maximum_offset`): it reads a part."""
    if isinstance(paginator, RangePaginator):
        return paginator.maximum_value is not None
    return isinstance(paginator, Mapping) and any(paginator.get(key) is not None
                                                  for key in ("maximum_page", "maximum_offset"))


def _incremental_in_one_place(endpoint: dict) -> None:
    """An incremental param (`since: {type: incremental, ...}`) as dlt's `endpoint.incremental` with that start_param.

    dlt reads the two forms alike (the param's name is the start param); one form lets every
    part of the project see that the resource reads a window, not a complete listing.
    """
    params = endpoint.get("params") or {}
    for name, value in list(params.items()):
        if isinstance(value, dict) and value.get("type") == "incremental":
            if endpoint.get("incremental"):
                raise ValueError(f"both endpoint.incremental and the incremental param {name!r}: dlt takes only one")
            endpoint["incremental"] = {"start_param": name, **{k: v for k, v in value.items() if k != "type"}}
            del params[name]


def default_write_disposition(config: EndpointResource) -> str:
    """Merge on the primary key; without one, a complete listing replaces the table and a window appends.

    dlt's merge needs a key to match rows on (without one it appends), and deletions need it too.
    """
    if config.get("primary_key"):
        return "merge"
    return "append" if config["endpoint"].get("incremental") else "replace"


def _reads_everything(config: EndpointResource, client_paginator: Any) -> bool:
    """Not incremental, no processing step filters rows out, and no page cap stops the listing early."""
    steps = config.get("processing_steps") or []
    return (config["endpoint"].get("incremental") is None and not any("filter" in step for step in steps)
            and not _declares_a_page_cap(config["endpoint"].get("paginator") or client_paginator))
