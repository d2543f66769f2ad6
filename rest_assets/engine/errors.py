"""The project's exception types: what the engine refuses, each saying what to do (`advice`).

`explain` (engine/explain.py) turns them, and whatever dlt raised, into the message a run fails with.
"""

from __future__ import annotations

from requests import RequestException, Timeout


class ApiProblem(RequestException):
    """Something the API sent or asked for that the engine refuses; `str()` says what, `advice` what to do."""

    advice = ""

    def __init__(self, what: str, *, response=None, request=None, advice: str | None = None) -> None:
        super().__init__(what, response=response, request=request)
        if advice is not None:
            self.advice = advice


class UnusableResponse(ApiProblem):
    """A successful status with a body that cannot be loaded: not JSON, cut off, too big, too deep, no data."""


class RetryAfterTooLong(ApiProblem):
    """The API asked to wait longer than the configured cap; waiting less would just be refused again."""


class ForeignOrigin(ApiProblem):
    """A request (next-page link, redirect) aimed at an origin the API's credentials do not belong to."""


class PaginationStuck(ApiProblem):
    """Paging that would never end: a repeated page request, a page of records already listed, or more pages than the cap."""


class PartialListing(ApiProblem):
    """A listing whose paging ended (one page, or a paginator that stopped) while its last answer says more follow."""


class ResponseDeadlineExceeded(ApiProblem, Timeout):
    """An answer not complete within the response deadline; a Timeout, so dlt retries it like one."""


class UnsafePathValue(ApiProblem):
    """A parent's value that cannot be one segment of a child's URL path ("", ".", "..")."""


class MassDeletion(Exception):
    """A sync that would delete more than half of a table's current rows: more likely an API answering with nothing."""

    def __init__(self, api_name: str, table: str, absent: int, current: int) -> None:
        super().__init__(
            f"this sync would delete {absent} of the {current} current rows of {api_name}.{table}, "
            "more than half: the API listed far fewer rows than the table holds"
        )
        self.advice = (
            "If the API really deleted them, run again with `allow_mass_deletion: true` in the run config "
            f"(ops: {api_name}_sync: config) to accept it once."
        )


class InvalidRunConfig(ValueError):
    """A run config value that cannot be used; raised before any request."""


class ApiGaveUp(Exception):
    """A request not sent because an earlier one of the same API failed for good; that failure is its cause.

    Not a RequestException: dlt's retries must not send it again, and the message is about the cause.
    """


class DatasetNamedLikeTheFile(ValueError):
    """A DuckDB file whose name is an API's dataset name: DuckDB cannot tell the two apart in a query."""


class WarehouseLocked(Exception):
    """Another program kept the DuckDB file open for longer than the sync waits."""


class SyncFailed(Exception):
    """A sync that loaded nothing; `str()` is the whole message a run fails with (engine/explain.py)."""
