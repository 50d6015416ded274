"""RFC 9457 problem details for every error the API can answer, through Litestar's problem-details plugin.

Litestar's own exceptions, our domain errors and anything unexpected all leave as
``application/problem+json``: :class:`ProblemError` is the plugin's ``ProblemDetailsException``
with our ``type`` URIs, and every other exception is converted to one by the plugin's
``exception_to_problem_detail_map``. Validation messages name the field and the rule, never the
value that was sent: a ticket body must not come back in an error, nor go to a log. The logs below
carry the request id (bound by the observability middleware), whose access line has the route.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any

import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.plugins.problem_details import (
    ProblemDetailsConfig,
    ProblemDetailsException,
    ProblemDetailsPlugin,
)
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY, HTTP_500_INTERNAL_SERVER_ERROR

from service.llm.base import LLMError, LLMRejected, LLMUnavailable

log = structlog.get_logger("tactful.api")

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://tactful.dev/problems/"  # stable identifiers; docs/errors.md explains each
BODY_PARAMETER = "data"  # the name of the body argument of every handler


class ProblemError(ProblemDetailsException):
    """An error with a problem type of its own: raised on purpose, or converted from another error."""

    def __init__(
        self,
        status_code: int,
        slug: str,
        title: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(
            detail=detail,
            status_code=status_code,
            headers=headers,
            extra=extra,
            type_=PROBLEM_BASE + slug,
            title=title,
        )
        self.slug = slug

    def to_response(self, request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
        # `instance` is the request path, which only the handler that answers knows.
        if self.instance is None:
            self.instance = request.url.path
        return super().to_response(request)


def _slug_for(status: int) -> str:
    return {
        400: "bad-request",
        401: "unauthorized",
        403: "forbidden",
        404: "not-found",
        405: "method-not-allowed",
        413: "body-too-large",
        415: "unsupported-media-type",
        422: "validation-error",
        429: "rate-limited",
        503: "unavailable",
    }.get(status, "http-error")


def _from_validation(exc: ValidationException) -> ProblemError:
    errors = [err for err in (exc.extra if isinstance(exc.extra, list) else []) if isinstance(err, dict)]
    if not errors:
        # No field errors means the body could not be decoded at all (e.g. malformed JSON).
        return ProblemError(400, "bad-request", "Malformed request", exc.detail)
    if any(err.get("key") == BODY_PARAMETER for err in errors):
        # Litestar reports a missing body as a missing ``data`` argument (message: "'data'").
        return ProblemError(
            400, "bad-request", "Malformed request", "The request body is empty; send a JSON object."
        )
    cleaned = [
        {
            "field": str(err.get("key", "")),
            "message": _clean_message(str(err.get("message", ""))),
            # Errors from the pydantic body model come without a source; every other parameter has one.
            "in": err.get("source") or "body",
        }
        for err in errors
    ]
    return ProblemError(
        HTTP_422_UNPROCESSABLE_ENTITY,
        "validation-error",
        "The request is not valid",
        "; ".join(f"{e['field'] or 'body'}: {e['message']}" for e in cleaned)[:1_000],
        extra={"errors": cleaned},
    )


def _clean_message(message: str) -> str:
    # pydantic prefixes the messages of model validators with "Value error, ".
    return message.removeprefix("Value error, ")


def _from_http(exc: HTTPException) -> ProblemError:
    status = exc.status_code
    if status >= HTTP_500_INTERNAL_SERVER_ERROR:
        log.error("http.server_error", status=status, error=type(exc).__name__)
    detail = exc.detail
    if status == 413:
        detail = "The request body is larger than this server accepts (TACTFUL_MAX_BODY_BYTES)."
    return ProblemError(status, _slug_for(status), _title_for(status), detail, headers=exc.headers)


def _title_for(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _from_llm(exc: LLMError) -> ProblemError:
    if isinstance(exc, LLMRejected):
        # A refusal (bad key, unknown model, bad request) is a configuration problem of ours:
        # retrying does not help, so no Retry-After, and 502 rather than 503.
        log.error("llm.rejected", status=exc.status, code=exc.code)
        code = f", code {exc.code}" if exc.code else ""
        return ProblemError(
            502,
            "llm-rejected",
            "The language model rejected the request",
            f"The LLM endpoint refused the request (HTTP {exc.status}{code}); check "
            "TACTFUL_LLM_BASE_URL, TACTFUL_LLM_API_KEY and TACTFUL_LLM_MODEL.",
        )
    retry_after = exc.retry_after if isinstance(exc, LLMUnavailable) and exc.retry_after else 5.0
    reason = getattr(exc, "reason", "error")
    log.warning("llm.unavailable", reason=reason)
    return ProblemError(
        503,
        "llm-unavailable",
        "The language model is unavailable",
        f"The LLM endpoint could not produce a draft ({reason}); try again shortly.",
        headers={"Retry-After": str(max(1, round(retry_after)))},
    )


def _from_undecodable(exc: Exception) -> ProblemError:
    # Litestar turns malformed JSON into a 400 itself, but not bytes that are not UTF-8
    # (UnicodeDecodeError) or JSON nested deeper than Python can walk (RecursionError): both come
    # from reading the request body, and both are the client's to fix.
    detail = (
        "The body is nested too deeply to read."
        if isinstance(exc, RecursionError)
        else "The body is not valid UTF-8 JSON."
    )
    return ProblemError(400, "bad-request", "Malformed request", detail)


def _from_unexpected(exc: Exception) -> ProblemError:
    # Only the type: exception messages can carry request content.
    log.error("http.unhandled", error=type(exc).__name__)
    return ProblemError(
        HTTP_500_INTERNAL_SERVER_ERROR,
        "internal-error",
        "Internal Server Error",
        "Something went wrong on our side; it has been logged without the request content.",
    )


# The plugin registers one handler per entry (and one for ProblemDetailsException itself, which
# ProblemError is); Litestar picks the most specific by the exception's MRO.
PROBLEM_CONVERSIONS: Mapping[type[Exception], Callable[[Any], ProblemDetailsException]] = {
    ValidationException: _from_validation,
    HTTPException: _from_http,
    LLMError: _from_llm,
    UnicodeDecodeError: _from_undecodable,
    RecursionError: _from_undecodable,
    Exception: _from_unexpected,
}


def problem_details_plugin() -> ProblemDetailsPlugin:
    return ProblemDetailsPlugin(ProblemDetailsConfig(exception_to_problem_detail_map=PROBLEM_CONVERSIONS))


def as_problem(exc: Exception) -> ProblemError:
    """The problem an exception raised after the response started (a stream) would have answered."""
    return _from_llm(exc) if isinstance(exc, LLMError) else _from_unexpected(exc)


__all__ = ["PROBLEM_JSON", "ProblemError", "as_problem", "problem_details_plugin"]
