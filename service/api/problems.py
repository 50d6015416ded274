"""OpenAPI descriptions of the problem responses each operation can give."""

from __future__ import annotations

from typing import Any

from litestar.openapi.datastructures import ResponseSpec


class ProblemDetails(dict[str, Any]):
    """RFC 9457 problem details: type, title, status, detail, instance (+ errors on 422)."""


def _problem(description: str) -> ResponseSpec:
    return ResponseSpec(
        data_container=ProblemDetails, description=description, media_type="application/problem+json"
    )


COMMON_PROBLEMS: dict[int, ResponseSpec] = {
    400: _problem("Malformed request (e.g. the body is not JSON)."),
    401: _problem("Missing or invalid API key (only when TACTFUL_API_KEYS is set)."),
    413: _problem("Request body larger than TACTFUL_MAX_BODY_BYTES."),
    422: _problem("The body does not match the schema or exceeds a configured limit."),
}

DRAFT_PROBLEMS: dict[int, ResponseSpec] = {
    **COMMON_PROBLEMS,
    503: _problem("The LLM is unavailable and the offline fallback is disabled; see Retry-After."),
}
