"""The corpus's original dlt `rest_api` configurations, as Python dicts, as their authors wrote them.

One function per corpus entry, named like its folder, returning the dict its author passed to
`rest_api_source`/`rest_api_resources`. Secrets are dummy strings; callables and paginator/auth
instances are the real ones (the copies in `steps.py` where the original defined its own).

What differs from the original file, and only this:
- imports of the old standalone `rest_api` package are dlt's (`dlt.sources.rest_api`, and its
  `OAuth2ImplicitFlow` is dlt's `OAuth2ClientCredentials`, its later name);
- a value the original read from `dlt.secrets`/`os.getenv` is a dummy string; one read from
  `dlt.config` is the value of the original repository's `.dlt/config.toml`;
- where the original built the config in a function from its arguments, the arguments are the ones
  the original's own entry point passes (said per entry).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Dict

import dlt
from dlt.common.time import ensure_pendulum_datetime
from dlt.sources.helpers.rest_client.auth import BearerTokenAuth, HttpBasicAuth  # noqa: F401
from dlt.sources.helpers.rest_client.paginators import JSONResponseCursorPaginator, OffsetPaginator

from rest_assets_tests.corpus import steps


def pokemon() -> dict:
    """dlt-hub/dlt dlt/_workspace/_templates/_core_source_templates/rest_api_pipeline.py, load_pokemon()."""
    base_url = "https://pokeapi.co/api/v2/"
    return {
        "client": {
            "base_url": base_url,
            # If you leave out the paginator, it will be inferred from the API:
            # "paginator": "json_link",
        },
        "resource_defaults": {
            "endpoint": {
                "params": {
                    "limit": 1000,
                },
            },
        },
        "resources": [
            "pokemon",
            "berry",
            "location",
        ],
    }


def github() -> dict:
    """dlt-hub/verified-sources sources/rest_api_pipeline.py @5486edd9, github_source()."""
    github_token = "dummy-github-token"  # dlt.secrets.value
    return {
        "client": {
            "base_url": "https://api.github.com/repos/dlt-hub/dlt/",
            "auth": {
                "type": "bearer",
                "token": github_token,
            },
        },
        "resource_defaults": {
            "primary_key": "id",
            "write_disposition": "merge",
            "endpoint": {
                "params": {
                    "per_page": 100,
                },
            },
        },
        "resources": [
            {
                "name": "issues",
                "endpoint": {
                    "path": "issues",
                    "params": {
                        "sort": "updated",
                        "direction": "desc",
                        "state": "open",
                        "since": {
                            "type": "incremental",
                            "cursor_path": "updated_at",
                            "initial_value": "2024-01-25T11:21:28Z",
                        },
                    },
                },
            },
            {
                "name": "issue_comments",
                "endpoint": {
                    "path": "issues/{issue_number}/comments",
                    "params": {
                        "issue_number": {
                            "type": "resolve",
                            "resource": "issues",
                            "field": "number",
                        }
                    },
                },
                "include_from_parent": ["id"],
            },
        ],
    }


def pokemon_berries() -> dict:
    """untitled-data-company/dlt-rest-api-tutorial pokemon_pipeline.py @662f4a4, pokemon_config."""
    return {
        "client": {
            "base_url": "https://pokeapi.co/api/v2/",
        },
        "resource_defaults": {
            "write_disposition": "replace",
            "endpoint": {
                "params": {
                    "limit": 1000,
                },
            },
        },
        "resources": [
            {
                "name": "berries",
                "endpoint": {
                    "path": "berry"
                },
                "selected": False
            },
            "pokemon",
            {
                "name": "berry_details",
                "endpoint": {
                    "path": "berry/{berry_name}",
                    "params": {
                        "berry_name": {
                            "type": "resolve",
                            "resource": "berries",
                            "field": "name",
                        },
                    },
                },
            },
        ],
    }


def github_issues() -> dict:
    """untitled-data-company/dlt-rest-api-tutorial github_pipeline.py @662f4a4, config."""
    return {
        "client": {
            "base_url": "https://api.github.com/repos/dlt-hub/verified-sources",
            "auth": {"token": "dummy-github-token"},  # dlt.secrets["sources.github.token"]
        },
        "resources": [
            {
                "name": "issues",
                "endpoint": {
                    "params": {
                        "creator": "@me",
                        "since": {
                            "type": "incremental",
                            "cursor_path": "updated_at",
                            "initial_value": "2022-01-01T00:00:00Z",
                        },
                    }
                },
                "write_disposition": "merge",
                "primary_key": "id",
            }
        ],
    }


def freshdesk() -> dict:
    """untitled-data-company/dlt-rest-api-tutorial freshdesk_pipeline.py @662f4a4, config."""
    basic_auth = HttpBasicAuth("dummy-freshdesk-api-key", "")  # dlt.secrets["sources.freshdesk.token"]
    return {
        "client": {
            "base_url": "https://untitleddatacompany.freshdesk.com/api/v2/",
            "auth": basic_auth,
        },
        "resources": ["tickets"],
    }


def zoom() -> dict:
    """untitled-data-company/dlt-rest-api-tutorial zoom.py @662f4a4, config. Two changes for dlt 1.x, which
    refuses it as written: OAuth2Zoom is a @configspec (steps.py) and gets the `access_token_url` its
    build_access_token_request() hard-codes."""
    resolve_meeting_id = {"meeting_id": {"type": "resolve", "resource": "meetings", "field": "id"}}
    resolve_user_id = {"user_id": {"type": "resolve", "resource": "users", "field": "id"}}
    resolve_webinar_id = {"webinar_id": {"type": "resolve", "resource": "webinars", "field": "id"}}
    return {
        "client": {
            "base_url": "https://api.zoom.us/v2",
            "auth": steps.OAuth2Zoom(
                # Not in the original (its class hard-codes the URL); dlt 1.x requires the field.
                access_token_url="https://zoom.us/oauth/token",
                access_token_request_data={
                    "grant_type": "account_credentials",
                    "account_id": "dummy-zoom-account-id",  # dlt.secrets["sources.zoom.account_id"]
                },
                client_id="dummy-zoom-client-id",  # dlt.secrets["sources.zoom.client_id"]
                client_secret="dummy-zoom-client-secret",  # dlt.secrets["sources.zoom.client_secret"]
            ),
            "paginator": JSONResponseCursorPaginator(
                cursor_path="response.next_page_token",
                cursor_param="next_page_token",
            ),
        },
        "resources": [
            "users",
            # Meetings
            {"name": "meetings", "endpoint": {"path": "users/{user_id}/meetings", "params": resolve_user_id}},
            {
                "name": "meeting_registrants",
                "endpoint": {
                    "path": "/meetings/{meeting_id}/registrants",
                    "params": resolve_meeting_id,
                    "response_actions": [
                        {"content": "Registration has not been enabled for this meeting", "action": "ignore"},
                    ],
                },
            },
            {
                "name": "meeting_polls",
                "endpoint": {
                    "path": "/meetings/{meeting_id}/polls",
                    "params": resolve_meeting_id,
                    "response_actions": [{"status_code": 400, "action": "ignore"}],
                },
            },
            {
                "name": "meeting_polls_results",
                "endpoint": {
                    "path": "/past_meetings/{meeting_id}/polls",
                    "params": resolve_meeting_id,
                    "response_actions": [
                        {"status_code": 400, "action": "ignore"},
                        {"status_code": 404, "action": "ignore"},
                    ],
                },
            },
            {
                "name": "meeting_registration_questions",
                "endpoint": {
                    "path": "/meetings/{meeting_id}/registrants/questions",
                    "params": resolve_meeting_id,
                    "response_actions": [
                        {"content": "Registration has not been enabled for this meeting", "action": "ignore"},
                    ],
                },
            },
            # Webinars
            {
                "name": "webinars",
                "endpoint": {
                    "path": "/users/{user_id}/webinars",
                    "params": resolve_user_id,
                    "response_actions": [{"content": "Webinar plan is missing", "action": "ignore"}],
                },
            },
            {"name": "webinar_panelists", "endpoint": {"path": "/webinars/{webinar_id}/panelists", "params": resolve_webinar_id}},
            {"name": "webinar_registrants", "endpoint": {"path": "/webinars/{webinar_id}/registrants", "params": resolve_webinar_id}},
            {"name": "webinar_absentees", "endpoint": {"path": "/past_webinars/{webinar_id}/absentees", "params": resolve_webinar_id}},
            {"name": "webinar_polls", "endpoint": {"path": "/webinars/{webinar_id}/polls", "params": resolve_webinar_id}},
            {"name": "webinar_poll_results", "endpoint": {"path": "/past_webinars/{webinar_id}/polls", "params": resolve_webinar_id}},
            {
                "name": "webinar_registration_questions",
                "endpoint": {"path": "/webinars/{webinar_id}/registrants/questions", "params": resolve_webinar_id},
            },
            {
                "name": "webinar_tracking_sources",
                "endpoint": {"path": "/webinars/{webinar_id}/tracking_sources", "params": resolve_webinar_id},
            },
            {"name": "webinar_qa", "endpoint": {"path": "/past_webinars/{webinar_id}/qa", "params": resolve_webinar_id}},
            # Reports
            {"name": "meetings_report", "endpoint": {"path": "/report/users/{user_id}/meetings", "params": resolve_user_id}},
            {
                "name": "meeting_participants_report",
                "endpoint": {
                    "path": "/report/meetings/{meeting_id}/participants",
                    "params": resolve_meeting_id,
                    "response_actions": [{"status_code": 404, "action": "ignore"}],
                },
            },
            {"name": "webinar_details_report", "endpoint": {"path": "/report/webinars/{webinar_id}", "params": resolve_webinar_id}},
            {
                "name": "webinar_participants_report",
                "endpoint": {"path": "/report/webinars/{webinar_id}/participants", "params": resolve_webinar_id},
            },
        ],
    }


def ghtriage() -> dict:
    """jayqi/ghtriage src/ghtriage/pipeline.py @14e8f2d6, build_rest_api_source(repo="jayqi/ghtriage", token)."""
    owner, name = "jayqi", "ghtriage"  # _split_repo(repo): the CLI's argument
    base_url = f"https://api.github.com/repos/{owner}/{name}/"
    token = "dummy-github-token"
    return {
        "client": {
            "base_url": base_url,
            "auth": {"token": token},
            "headers": {
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
            },
            "paginator": "header_link",
        },
        "resource_defaults": {
            "primary_key": "id",
            "write_disposition": "merge",
            "endpoint": {
                "params": {
                    "per_page": 100,
                }
            },
        },
        "resources": [
            {
                "name": "issues",
                "processing_steps": [{"filter": steps._is_issue}],
                "endpoint": {
                    "path": "issues",
                    "params": {
                        "state": "all",
                        "sort": "updated",
                        "direction": "desc",
                    },
                    "incremental": {
                        "cursor_path": "updated_at",
                        "start_param": "since",
                    },
                },
            },
            {
                "name": "pulls",
                "endpoint": {
                    "path": "pulls",
                    "params": {
                        "state": "all",
                        "sort": "updated",
                        "direction": "desc",
                    },
                    "incremental": {
                        "cursor_path": "updated_at",
                    },
                },
            },
            {
                "name": "issue_comments",
                "endpoint": {
                    "path": "issues/comments",
                    "params": {
                        "sort": "updated",
                        "direction": "desc",
                    },
                    "incremental": {
                        "cursor_path": "updated_at",
                        "start_param": "since",
                    },
                },
            },
            {
                "name": "pull_comments",
                "endpoint": {
                    "path": "pulls/comments",
                    "params": {
                        "sort": "updated",
                        "direction": "desc",
                    },
                    "incremental": {
                        "cursor_path": "updated_at",
                        "start_param": "since",
                    },
                },
            },
        ],
    }


def pipedrive_v2() -> dict:
    """dlt-hub/verified-sources sources/pipedrive/rest_v2/__init__.py @aec38b1d, rest_v2_resources() as
    pipedrive_v2_source() calls it with its defaults (resources=None: every ENTITIES_V2 key, prefix "v2_",
    since_timestamp "1970-01-01 00:00:00" as RFC 3339) and settings.py's ENTITIES_V2/NESTED_ENTITIES_V2."""
    pipedrive_api_key = "dummy-pipedrive-api-token"  # dlt.secrets.value
    company_domain = "mycompany"  # dlt.secrets.value
    prefix = "v2_"
    # pipdrive API expects RFC3339 format for updated_since parameter
    since_timestamp = ensure_pendulum_datetime("1970-01-01 00:00:00").to_rfc3339_string()
    deals_fields = (
        "next_activity_id,last_activity_id,first_won_time,products_count,"
        "files_count,notes_count,followers_count,email_messages_count,"
        "activities_count,done_activities_count,undone_activities_count,"
        "participants_count,last_incoming_mail_time,last_outgoing_mail_time,"
        "smart_bcc_email"
    )
    persons_fields = (
        "next_activity_id,last_activity_id,open_deals_count,"
        "related_open_deals_count,closed_deals_count,related_closed_deals_count,"
        "participant_open_deals_count,participant_closed_deals_count,"
        "email_messages_count,activities_count,done_activities_count,"
        "undone_activities_count,files_count,notes_count,followers_count,"
        "won_deals_count,related_won_deals_count,lost_deals_count,"
        "related_lost_deals_count,last_incoming_mail_time,last_outgoing_mail_time"
    )
    organizations_fields = (
        "next_activity_id,last_activity_id,open_deals_count,"
        "related_open_deals_count,closed_deals_count,related_closed_deals_count,"
        "email_messages_count,activities_count,done_activities_count,"
        "undone_activities_count,files_count,notes_count,followers_count,"
        "won_deals_count,related_won_deals_count,lost_deals_count,"
        "related_lost_deals_count"
    )

    def incremental(name: str, params: dict) -> dict:
        return {
            "name": f"{prefix}{name}",
            "endpoint": {
                "path": name,
                "params": {**params, "updated_since": "{incremental.start_value}"},
                "incremental": {"cursor_path": "update_time", "initial_value": since_timestamp},
            },
        }

    resources = [
        incremental("activities", {}),
        incremental("deals", {"include_fields": deals_fields}),
        incremental("persons", {"include_fields": persons_fields}),
        incremental("organizations", {"include_fields": organizations_fields}),
        incremental("products", {}),
        {"name": f"{prefix}pipelines", "endpoint": {"path": "pipelines", "params": {}}},
        {"name": f"{prefix}stages", "endpoint": {"path": "stages", "params": {}}},
        {
            "name": f"{prefix}deal_products",
            "endpoint": {"path": "deals/{resources.v2_deals.id}/products", "params": {"limit": 500}},
        },
        {
            "name": f"{prefix}deal_followers",
            "endpoint": {"path": "deals/{resources.v2_deals.id}/followers", "params": {"limit": 500}},
            "include_from_parent": ["id"],
            "primary_key": ["user_id"],
        },
    ]
    return {
        "client": {
            "base_url": f"https://{company_domain}.pipedrive.com/api/v2/",
            "auth": {
                "type": "api_key",
                "name": "api_token",
                "api_key": pipedrive_api_key,
                "location": "query",
            },
        },
        "resource_defaults": {
            "primary_key": "id",
            "write_disposition": "merge",
            "endpoint": {
                "params": {
                    "limit": 500,
                    "sort_by": "update_time",
                    "sort_direction": "desc",
                },
                "data_selector": "data",
                "paginator": {
                    "type": "cursor",
                    "cursor_path": "additional_data.next_cursor",
                    "cursor_param": "cursor",
                },
            },
        },
        "resources": resources,
    }


def newsapi() -> dict:
    """dlt-hub/dlt docs/education/dlt-advanced-course/lesson_1_custom_sources_restapi_source_and_restclient.py
    @58d66fce, the cell that runs `pipeline_9` (its last and fullest `_news_config`)."""
    one_month_ago = datetime.now(timezone.utc) - timedelta(days=30)
    initial_from = one_month_ago.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    api_key_9 = "dummy-news-api-key"  # os.getenv("NEWS_API_KEY")
    return {
        "client": {
            "base_url": "https://newsapi.org/v2/",
            "auth": {
                "type": "api_key",
                "name": "apiKey",
                "api_key": api_key_9,
                "location": "query",
            },
            "paginator": {
                "base_page": 1,
                "type": "page_number",
                "page_param": "page",
                "total_path": None,
                "maximum_page": 3,
            },
        },
        "resource_defaults": {
            "write_disposition": "append",
            "endpoint": {"params": {"language": "en", "pageSize": 20}},
        },
        "resources": [
            {
                "name": "news_articles",
                "processing_steps": [
                    {"filter": lambda x: len(x["author"]) > 0},
                    {"map": steps.lower_title},
                ],
                "endpoint": {
                    "path": "everything",
                    "response_actions": [
                        {"status_code": 200, "action": steps.debug_response}
                    ],
                    "params": {
                        "q": "python",
                        "from": {
                            "type": "incremental",
                            "cursor_path": "publishedAt",
                            "initial_value": initial_from,
                        },
                    },
                },
            },
            {
                "name": "top_headlines",
                "endpoint": {"path": "top-headlines", "params": {"country": "us"}},
            },
        ],
    }


def hubspot() -> dict:
    """michaelconan/personal-reporting-pipelines pipelines/hubspot.py @f5fd55ed, hubspot_source() with its
    defaults (session=None, initial_date=BASE_DATE "2020-01-01" from pipelines/__init__.py, end_date=None)."""
    api_key = "dummy-hubspot-private-app-token"  # dlt.secrets["sources.hubspot.api_key"]
    initial_date, end_date = "2020-01-01", None
    crm_objects = {
        "contacts": {
            "type": "object",
            "filter_key": "lastmodifieddate",
            "properties": ["email", "associatedcompanyid", "firstname", "lastname", "updatedAt"],
        },
        "companies": {
            "type": "object",
            "filter_key": "hs_lastmodifieddate",
            "properties": ["name", "hs_ideal_customer_profile", "updatedAt"],
        },
    }
    api_config: Dict[str, Any] = {
        "client": {
            "base_url": "https://api.hubapi.com/",
            "auth": {
                "type": "bearer",
                "token": api_key,
            },
            "headers": {
                "Content-Type": "application/json",
            },
        },
        "resource_defaults": {
            "write_disposition": "append",
        },
        "resources": [],
    }
    for object_name in ["contacts", "companies"]:
        api_config["resources"].append({
            "name": f"hubspot__schemas_{object_name}",
            "max_table_nesting": 1,
            "columns": {
                "searchable_properties": {"data_type": "json"},
                "secondary_display_properties": {"data_type": "json"},
            },
            "table_name": "hubspot__schemas",
            "endpoint": {
                "path": f"crm-object-schemas/v3/schemas/{object_name}",
                "method": "GET",
                "data_selector": "$",
            },
            "write_disposition": "merge",
            "primary_key": "id",
        })
    api_config["resources"].append({
        "name": "hubspot__engagements",
        "max_table_nesting": 1,
        "processing_steps": [{"map": steps.map_engagement}],
        "endpoint": {
            "path": "engagements/v1/engagements/paged",
            "method": "GET",
            "data_selector": "results",
            "incremental": {
                "cursor_path": "engagement.lastUpdated",
                "initial_value": initial_date,
                # "convert": iso_to_unix,
            },
            "paginator": OffsetPaginator(
                offset_param="offset",
                limit_param="limit",
                total_path=None,
                stop_after_empty_page=True,
                limit=250,
                has_more_path="hasMore",
            ),
        },
    })
    for object_name, object_config in crm_objects.items():
        api_config["resources"].append({
            "name": f"hubspot__{object_name}",
            "endpoint": {
                "path": f"crm/v3/objects/{object_name}/search",
                "method": "POST",
                "data_selector": "results",
                "json": {
                    "limit": 100,
                    "properties": object_config["properties"],
                    "filterGroups": [
                        {
                            "filters": [
                                {
                                    "propertyName": object_config["filter_key"],
                                    "operator": "GTE",
                                    "value": "{incremental.start_value}",
                                }
                            ]
                        }
                    ],
                },
                "paginator": JSONResponseCursorPaginator(
                    cursor_path="paging.next.after",
                    cursor_body_path="after",
                ),
                "incremental": {
                    "cursor_path": "updatedAt",
                    "initial_value": initial_date,
                    "end_value": end_date,
                    "convert": steps.iso_to_unix,
                },
            },
        })
    return api_config


def alpaca() -> dict:
    """bfgoh/dlt_alpaca alpaca/__init__.py @42dc2429, alpaca_source(list_of_stocks=["NVDA", "TSLA"]) as
    rest_api_pipeline.py calls it; base_url from .dlt/config.toml; APIKeyAuth from custom_config.py."""
    list_of_stocks = ["NVDA", "TSLA"]
    api_key, api_secret = "dummy-alpaca-key-id", "dummy-alpaca-secret-key"  # dlt.secrets.value
    base_url = "https://data.alpaca.markets"  # dlt.config.value
    return {
        "client": {
            "base_url": base_url,
            "auth": steps.APIKeyAuth("APCA-API-KEY-ID", api_key, "APCA-API-SECRET-KEY", api_secret, "header"),
            "paginator": JSONResponseCursorPaginator(cursor_path="$.next_page_token", cursor_param="page_token"),
        },
        "resources": [
            {
                "name": f"historical_bar_{ticker}",
                "table_name": f"{ticker}",  # This is the name of table in  Postgres
                "endpoint": {
                    "data_selector": "bars",
                    "path": "/v2/stocks/{symbol}/bars",
                    "params": {
                        "symbol": ticker,
                        "timeframe": "1T",
                        "start": "{incremental.start_value}",
                        "adjustment": "raw",
                        "feed": "sip",
                        "limit": 10_000,
                        "sort": "asc",
                    },
                    "incremental": {
                        "cursor_path": "t",
                        "initial_value": "2025-01-01T00:00:00Z",
                    },
                },
            }
            for ticker in list_of_stocks
        ],
    }


def spacex() -> dict:
    """rachemelendres/dlt-dbt-dagster dlt_dbt_dagster/dlt/spacex_pipeline.py @22b98e36,
    spacex_api_source(year=2021, month=3) (its YEAR and MONTH)."""
    start_date, end_date = steps.get_month_range(2021, 3)
    year, month = 2021, 3
    return {
        "client": {
            "base_url": "https://api.spacexdata.com/v4/",
        },
        "resource_defaults": {
            "primary_key": ["id", "year", "month"],
            "merge_key": ["year", "month"],
            "columns": {"date_utc": {"dedup_sort": "desc"}},
            "write_disposition": "merge",
        },
        "resources": [
            {
                "name": "bronze_launches",
                "endpoint": {
                    "path": "launches/query",
                    "method": "POST",
                    "json": {
                        "query": {"date_utc": {"$gte": start_date, "$lt": end_date}},
                        "options": {"limit": 50},
                    },
                    "data_selector": "docs[*]",
                    "paginator": {
                        "type": "page_number",
                        "base_page": 1,
                        "page_param": "page",
                        "total_path": "totalDocs",
                    },
                },
                "processing_steps": [
                    {"map": steps.keep_specific_columns(columns_to_keep=steps.LAUNCHES_SELECTED_COLUMNS)},
                    {"map": steps.add_year_month(year=year, month=month)},
                ],
            }
        ],
    }


def dlt_headers() -> dict:
    """dlt-hub/dlt tests/sources/rest_api/configurations/source_configs.py @58d66fce, VALID_CONFIGS
    (the entry with client headers)."""
    return {
        "client": {
            "base_url": "https://api.example.com",
            "headers": {
                "X-Test-Header": "test42",
            },
        },
        "resources": [
            "users",
            {"name": "users_2"},
            {"name": "users_list", "endpoint": "users_list"},
        ],
    }


def dlt_custom_classes() -> dict:
    """dlt-hub/dlt tests/sources/rest_api/configurations/source_configs.py @58d66fce, VALID_CONFIGS
    (the entry with CustomPaginator, CustomOAuthAuth and a callable table_name)."""
    return {
        "client": {
            "base_url": "https://example.com",
            "paginator": steps.CustomPaginator(),
            "auth": steps.CustomOAuthAuth(access_token="X"),
        },
        "resource_defaults": {
            "table_name": lambda event: event["type"],
            "endpoint": {
                "paginator": steps.CustomPaginator(),
                "params": {"since": dlt.sources.incremental[str]("user_id")},
            },
        },
        "resources": [
            {
                "name": "users",
                "endpoint": {
                    "paginator": steps.CustomPaginator(),
                    "params": {"since": dlt.sources.incremental[str]("user_id")},
                },
            }
        ],
    }


def dlt_json_link_incremental() -> dict:
    """dlt-hub/dlt tests/sources/rest_api/configurations/source_configs.py @58d66fce, VALID_CONFIGS
    (the entry with `incremental` start_param/end_param and the `json_link` paginator by name)."""
    return {
        "client": {"base_url": "https://api.example.com"},
        "resources": [
            {
                "name": "posts",
                "endpoint": {
                    "path": "posts",
                    "params": {
                        "limit": 100,
                    },
                    "paginator": "json_link",
                    "incremental": {
                        "start_param": "since",
                        "end_param": "until",
                        "cursor_path": "updated_at",
                        "initial_value": "2024-01-25T11:21:28Z",
                    },
                },
            },
        ],
    }


def taxi() -> dict:
    """elcapo/data-engineering-zoomcamp taller-de-ingestion-de-api-con-dlt/pipelines/taxi-pipeline/
    taxi_pipeline.py @0a242c9e."""
    return {
        "client": {
            "base_url": "https://us-central1-dlthub-analytics.cloudfunctions.net/data_engineering_zoomcamp_api",
        },
        "resources": [
            {
                "name": "rides",
                "endpoint": {
                    "path": "",
                    "paginator": {
                        "type": "page_number",
                        "page_param": "page",
                        "base_page": 1,
                        "total_path": None,
                        "stop_after_empty_page": True,
                    },
                },
            }
        ],
    }


def spacex_launches() -> dict:
    """Mcanroe/SpaceX-Pipeline motherduck_data_load/load_data.py @43d63ac0."""
    return {
        "client": {
            "base_url": "https://api.spacexdata.com/v4/",
            "paginator": {
                "type": "json_link",
                "next_url_path": "paging.next",
            },
        },
        "resource_defaults": {
            "write_disposition": "replace",
        },
        "resources": [
            "launches",
            "crew",
            "landpads",
            "launchpads",
            "rockets",
        ],
    }


def blog() -> dict:
    """dlt's REST API source docs, "Quick example" (docs/website/docs/dlt-ecosystem/verified-sources/
    rest_api/basic.md @58d66fce; https://dlthub.com/docs/dlt-ecosystem/verified-sources/rest_api/basic)."""
    return {
        "client": {
            "base_url": "https://api.example.com/",
            "auth": {
                "token": "dummy-blog-api-token",  # dlt.secrets["your_api_token"]
            },
            "paginator": {
                "type": "json_link",
                "next_url_path": "paging.next",
            },
        },
        "resources": [
            "posts",
            {
                "name": "comments",
                "endpoint": {
                    "path": "posts/{resources.posts.id}/comments",
                    "params": {
                        "sort": "created_at",
                    },
                },
            },
        ],
    }


def events_headers() -> dict:
    """dlt's REST API source docs, "Example: headers with incremental values" (docs/website/docs/
    dlt-ecosystem/verified-sources/rest_api/advanced.md @58d66fce)."""
    return {
        "client": {
            "base_url": "https://api.example.com"
        },
        "resources": [
            {
                "name": "events",
                "endpoint": {
                    "path": "events",
                    "headers": {
                        "X-Since-Timestamp": "{incremental.start_value}"
                    },
                    "incremental": {
                        "cursor_path": "updated_at",
                        "initial_value": "2024-01-01T00:00:00Z"
                    }
                }
            }
        ]
    }


ORIGINALS: Dict[str, Callable[[], dict]] = {
    fn.__name__: fn
    for fn in [
        pokemon, github, pokemon_berries, github_issues, freshdesk, zoom, ghtriage, pipedrive_v2, newsapi,
        hubspot, alpaca, spacex, dlt_headers, dlt_custom_classes, dlt_json_link_incremental, taxi,
        spacex_launches, blog, events_headers,
    ]
}
