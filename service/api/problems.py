"""OpenAPI descriptions of the problem responses each operation can give."""

from __future__ import annotations

from typing import Any

from litestar.openapi.datastructures import ResponseSpec
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

# Functional syntax: the wire name `in` is a Python keyword. `field` says where the error is
# (e.g. `messages.0.role`, empty for the whole body), `message` what is wrong (never the value that
# was sent), `in` the part of the request: body, query, header, path or cookie.
FieldError = TypedDict("FieldError", {"field": str, "message": str, "in": str})


class ProblemDetails(BaseModel):
    """RFC 9457 problem details, served as ``application/problem+json``."""

    type: str = Field(description="A stable URI identifying the kind of problem.")
    title: str = Field(description="A short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong with this request; never echoes submitted text.")
    instance: str = Field(description="The request path.")
    errors: list[FieldError] | None = Field(None, description="On 422: one entry per invalid field.")


def _problem(description: str) -> ResponseSpec:
    return ResponseSpec(
        data_container=ProblemDetails,
        description=description,
        media_type="application/problem+json",
        generate_examples=False,
    )


COMMON_PROBLEMS: dict[int, ResponseSpec] = {
    400: _problem("Malformed request (e.g. the body is not JSON)."),
    401: _problem("Missing or invalid API key (only when TACTFUL_API_KEYS is set)."),
    413: _problem("Request body larger than TACTFUL_MAX_BODY_BYTES."),
    422: _problem("The body does not match the schema or exceeds a configured limit."),
    429: _problem("Rate limit of this API key (or webhook source) reached; see Retry-After."),
}

DRAFT_PROBLEMS: dict[int, ResponseSpec] = {
    **COMMON_PROBLEMS,
    502: _problem("The LLM endpoint refused the request (a configuration error such as a bad key)."),
    503: _problem("The LLM is unavailable and the offline fallback is disabled; see Retry-After."),
}

METRICS_PROBLEMS: dict[int, ResponseSpec] = {
    401: _problem(
        "Missing or wrong metrics token or API key (when TACTFUL_METRICS_TOKEN or TACTFUL_API_KEYS is set)."
    ),
}

# /health/ready's 503 carries the same body as its 200 (status and checks), not a problem.
READY_UNAVAILABLE = ResponseSpec(
    data_container=dict[str, Any],
    description="Not ready: Redis does not answer, no provider is configured, or the service is "
    "draining after SIGTERM; see `status`, `checks` and Retry-After.",
    generate_examples=False,
)
