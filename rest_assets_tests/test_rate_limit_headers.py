"""What the engine reads from an answer's rate-limit headers, and the `requests_per_second` setting."""

from __future__ import annotations

import time
from email.utils import formatdate

import pytest

from rest_assets.engine.http import HttpPolicy
from rest_assets.engine.ratelimits import RateLimitHeaders


def test_x_ratelimit_reset_as_an_epoch_second_is_the_time_left():
    limits = RateLimitHeaders.of({"X-RateLimit-Limit": "8", "X-RateLimit-Remaining": "0",
                                  "X-RateLimit-Reset": str(int(time.time()) + 30)})
    assert (limits.limit, limits.remaining) == (8, 0)
    assert 28 < limits.reset_seconds <= 30 and 28 < limits.wait_seconds <= 30


@pytest.mark.parametrize(
    "headers, limit, remaining, reset",
    [
        pytest.param({"X-RateLimit-Remaining": "5", "X-RateLimit-Reset": "2"}, None, 5, 2.0, id="x-ratelimit-seconds"),
        pytest.param({"X-RateLimit-Reset": "0.25", "X-RateLimit-Remaining": "1"}, None, 1, 0.25, id="fractional-seconds"),
        pytest.param({"RateLimit-Limit": "100, 100;w=60", "RateLimit-Remaining": "7", "RateLimit-Reset": "12"},
                     100, 7, 12.0, id="ietf-with-policy"),
        pytest.param({"X-RateLimit-Remaining": "many", "X-RateLimit-Reset": "soon"}, None, None, None, id="unreadable"),
        pytest.param({}, None, None, None, id="none"),
    ],
)
def test_rate_limit_headers_are_read_in_either_form(headers, limit, remaining, reset):
    limits = RateLimitHeaders.of(headers)
    assert (limits.limit, limits.remaining, limits.reset_seconds) == (limit, remaining, reset)


def test_the_wait_is_retry_after_else_the_reset_of_a_spent_window_only():
    assert RateLimitHeaders.of({"Retry-After": "3", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "9"}).wait_seconds == 3
    assert RateLimitHeaders.of({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "9"}).wait_seconds == 9
    assert RateLimitHeaders.of({"X-RateLimit-Remaining": "4", "X-RateLimit-Reset": "9"}).wait_seconds is None
    in_five = RateLimitHeaders.of({"Retry-After": formatdate(time.time() + 5, usegmt=True)}).wait_seconds
    assert 3 < in_five <= 5


def test_requests_per_second_is_unset_by_default_and_set_per_api_through_the_environment(monkeypatch):
    assert HttpPolicy().requests_per_second is None
    monkeypatch.setenv("REST_ASSETS_HTTP_REQUESTS_PER_SECOND", "20")
    monkeypatch.setenv("AGENCY_HTTP_REQUESTS_PER_SECOND", "7.5")
    assert HttpPolicy().with_env("agency").requests_per_second == 7.5
    assert HttpPolicy().with_env("workhub").requests_per_second == 20.0


@pytest.mark.parametrize("value, complaint", [("fast", "is not a valid float"), ("0", "must be more than 0")])
def test_a_pace_that_is_not_a_positive_number_is_refused_with_its_name(monkeypatch, value, complaint):
    monkeypatch.setenv("AGENCY_HTTP_REQUESTS_PER_SECOND", value)
    with pytest.raises(ValueError, match=complaint) as refused:
        HttpPolicy().with_env("agency")
    assert "REQUESTS_PER_SECOND" in str(refused.value)
