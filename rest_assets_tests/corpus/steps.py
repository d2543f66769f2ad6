"""The Python callables and classes the corpus's defs.yaml files name as `rest_assets_tests.corpus.steps:<name>`.

Each is copied from the configuration that used it (rule 3 of README.md), with its origin. A callable
the original built at run time (a lambda, a factory's closure) is bound here to a module attribute so
that it has an import path; the comment says what it was in the original.
"""

from __future__ import annotations

from base64 import b64encode
from datetime import datetime
from typing import Any, Callable, Dict, Literal, Optional

import pendulum
from dlt.common.configuration import configspec
from dlt.common.configuration.specs.exceptions import NativeValueError
from dlt.common.typing import TSecretStrValue
from dlt.sources.helpers.requests import Response
from dlt.sources.helpers.rest_client.auth import AuthConfigBase, OAuth2AuthBase, OAuth2ClientCredentials
from dlt.sources.helpers.rest_client.paginators import HeaderLinkPaginator
from requests import PreparedRequest

# --- ghtriage: jayqi/ghtriage src/ghtriage/pipeline.py (processing_steps filter) ----------------------


def _is_issue(item: Any) -> bool:
    return isinstance(item, dict) and item.get("pull_request") is None


# --- newsapi: dlt-hub/dlt docs/education/dlt-advanced-course/lesson_1_... (response action, steps) ------


def debug_response(response: Response, *args: Any, **kwargs: Any) -> Response:
    print("Intercepted:", response.status_code)
    return response


def lower_title(record: dict[str, Any]) -> dict[str, Any]:
    record["title"] = str(record["title"]).lower()
    return record


# The original's `{"filter": lambda x: len(x["author"]) > 0}`: a lambda has no import path, so it is bound here.
author_not_empty = lambda x: len(x["author"]) > 0  # noqa: E731


# --- hubspot: michaelconan/personal-reporting-pipelines pipelines/hubspot.py (convert, map) -------------


def iso_to_unix(iso_date: str) -> int:
    """Convert ISO date string to Unix timestamp in milliseconds."""
    dt = pendulum.parse(iso_date)
    return int(dt.timestamp() * 1000)


def map_engagement(item: dict) -> dict:
    """Transform engagement data by converting timestamps to ISO format."""
    item["engagement"]["lastUpdated"] = pendulum.from_timestamp(
        item["engagement"]["lastUpdated"] / 1000,
        tz="UTC",
    ).isoformat()
    return item


# --- spacex: rachemelendres/dlt-dbt-dagster dlt_dbt_dagster/utils/processing_utils.py (map factories) -----


def keep_specific_columns(columns_to_keep: Optional[list[str]] = None) -> Callable[[dict], dict]:
    """Keep only the specified columns in the document"""

    def inner_func(record: dict) -> dict:
        cols = columns_to_keep if columns_to_keep is not None else []
        record_with_cols_to_keep = {}
        for column_name in cols:
            if column_name in record:
                record_with_cols_to_keep[column_name] = record[column_name]
        return record_with_cols_to_keep

    return inner_func


def add_year_month(year: int, month: int) -> Callable[[dict], dict]:
    """Add the year and month to the record"""

    def inner_func(record: dict) -> dict:
        record["year"] = year
        record["month"] = month
        return record

    return inner_func


def get_month_range(year: int, month: int) -> tuple[str, str]:
    """Get the start and end dates for a given month"""
    start = datetime(year, month, 1)
    end = datetime(year + 1, 1, 1) if month == 12 else datetime(year, month + 1, 1)
    return start.isoformat() + "Z", end.isoformat() + "Z"


LAUNCHES_SELECTED_COLUMNS = [
    "id", "name", "details", "flight_number", "launchpad", "date_utc", "rocket", "payloads", "ships", "cores", "success",
]
# The original called the factories inside the source function (with YEAR = 2021, MONTH = 3); their
# closures have no import path, so the two it built are bound here.
keep_launches_columns = keep_specific_columns(columns_to_keep=LAUNCHES_SELECTED_COLUMNS)
add_year_month_2021_03 = add_year_month(year=2021, month=3)


# --- zoom: untitled-data-company/dlt-rest-api-tutorial zoom.py (custom OAuth2 class) --------------------
# The original subclassed `rest_api.auth.OAuth2ImplicitFlow`, since renamed OAuth2ClientCredentials in dlt;
# dlt now refuses an auth instance whose class is not a @configspec (its docs' own Zoom example has it).


@configspec
class OAuth2Zoom(OAuth2ClientCredentials):
    def build_access_token_request(self) -> Dict[str, Any]:
        authentication: str = b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        return {
            "url": "https://zoom.us/oauth/token",
            "headers": {
                "Authorization": f"Basic {authentication}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
            "data": self.access_token_request_data,
        }


# --- alpaca: bfgoh/dlt_alpaca custom_config.py (an api key and a secret, each in a header) --------------


TApiKeyLocation = Literal["header", "cookie", "query", "param"]  # Alias for scheme "in" field


@configspec
class APIKeyAuth(AuthConfigBase):
    """Uses provided `api_key` to create authorization data in the specified `location` (query, param, header, cookie) under specified `name`"""

    name1: str = "Authorization"
    api_key: TSecretStrValue = None
    name2: str = "Authorization"
    api_secret: TSecretStrValue = None
    location: TApiKeyLocation = "header"

    def parse_native_representation(self, value: Any) -> None:
        if isinstance(value, str):
            self.api_key = value
        else:
            raise NativeValueError(
                type(self),
                value,
                f"APIKeyAuth api_key must be a string, got {type(value)}",
            )

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        if self.location == "header":
            request.headers[self.name1] = self.api_key
            request.headers[self.name2] = self.api_secret
        elif self.location in ["query", "param"]:
            request.prepare_url(request.url, {self.name: self.api_key})
        elif self.location == "cookie":
            raise NotImplementedError()
        return request


# --- dlt_custom_classes: dlt-hub/dlt tests/sources/rest_api/configurations/source_configs.py -------------


class CustomPaginator(HeaderLinkPaginator):
    def __init__(self) -> None:
        super().__init__(links_next_key="prev")


@configspec
class CustomOAuthAuth(OAuth2AuthBase):
    pass


# The original's `"table_name": lambda event: event["type"]` (one table per event type).
table_name_from_type = lambda event: event["type"]  # noqa: E731
