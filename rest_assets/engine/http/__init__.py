"""The HTTP layer of a sync: every request to an API, from its policy to its answer.

- `policy.py`: `HttpPolicy`, an API's timeouts, deadline, retries and limits, and their
  overrides from the environment (read through settings.py);
- `transport.py`: `api_session()`, dlt's retrying session with `GuardedTransport` mounted,
  which every request goes through, and its guards (origins, Retry-After, body size, JSON);
- `gate.py`: `ApiGate`, when each of the API's threads may send (failures shared, pacing);
- `deadlines.py`: the deadline of each whole answer, enforced by one watchdog thread;
- `responses.py`: `ParsedOnceResponse`, and the checks a successful answer must pass;
- `attribution.py`: `IssuedRequest` (which resource sent a request) and `RequestStats`.
"""

from rest_assets.engine.http.attribution import IssuedRequest, RequestStats
from rest_assets.engine.http.policy import HttpPolicy
from rest_assets.engine.http.transport import api_session

__all__ = ["HttpPolicy", "IssuedRequest", "RequestStats", "api_session"]
