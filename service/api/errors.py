"""RFC 9457 problem details for every error the API can answer.

Litestar's own exceptions, our domain errors and anything unexpected all leave as
``application/problem+json``. Validation messages name the field and the rule, never the value
that was sent: a ticket body must not come back in an error, nor go to a log.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY, HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import ExceptionHandlersMap

from service.llm.base import LLMError, LLMRejected, LLMUnavailable

log = structlog.get_logger("tactful.api")

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://tactful.dev/problems/"  # stable identifiers; docs/errors.md explains each
BODY_PARAMETER = "data"  # the name of the body argument of every handler


class ProblemError(HTTPException):
    """An error we raise on purpose, with a problem type of its own."""

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
        super().__init__(detail=detail, status_code=status_code, headers=headers, extra=extra)
        self.slug = slug
        self.title = title


def problem_response(
    request: Request[Any, Any, Any],
    *,
    status: int,
    slug: str,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if extra:
        body.update(extra)
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


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


def _on_problem(request: Request[Any, Any, Any], exc: ProblemError) -> Response[dict[str, Any]]:
    extra = exc.extra if isinstance(exc.extra, dict) else None
    return problem_response(
        request,
        status=exc.status_code,
        slug=exc.slug,
        title=exc.title,
        detail=exc.detail,
        headers=exc.headers,
        extra=extra,
    )


def _on_validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[dict[str, Any]]:
    errors = [err for err in (exc.extra if isinstance(exc.extra, list) else []) if isinstance(err, dict)]
    if not errors:
        # No field errors means the body could not be decoded at all (e.g. malformed JSON).
        return problem_response(
            request, status=400, slug="bad-request", title="Malformed request", detail=exc.detail
        )
    if any(err.get("key") == BODY_PARAMETER for err in errors):
        # Litestar reports a missing body as a missing ``data`` argument (message: "'data'").
        return problem_response(
            request,
            status=400,
            slug="bad-request",
            title="Malformed request",
            detail="The request body is empty; send a JSON object.",
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
    return problem_response(
        request,
        status=HTTP_422_UNPROCESSABLE_ENTITY,
        slug="validation-error",
        title="The request is not valid",
        detail="; ".join(f"{e['field'] or 'body'}: {e['message']}" for e in cleaned)[:1_000],
        extra={"errors": cleaned},
    )


def _clean_message(message: str) -> str:
    # pydantic prefixes the messages of model validators with "Value error, ".
    return message.removeprefix("Value error, ")


def _on_http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    status = exc.status_code
    if status >= HTTP_500_INTERNAL_SERVER_ERROR:
        log.error("http.server_error", status=status, error=type(exc).__name__, path=request.url.path)
    detail = exc.detail
    if status == 413:
        detail = "The request body is larger than this server accepts (TACTFUL_MAX_BODY_BYTES)."
    return problem_response(
        request,
        status=status,
        slug=_slug_for(status),
        title=_title_for(status),
        detail=detail,
        headers=exc.headers,
    )


def _title_for(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _on_llm(request: Request[Any, Any, Any], exc: LLMError) -> Response[dict[str, Any]]:
    if isinstance(exc, LLMRejected):
        # A refusal (bad key, unknown model, bad request) is a configuration problem of ours:
        # retrying does not help, so no Retry-After, and 502 rather than 503.
        log.error("llm.rejected", status=exc.status, code=exc.code, path=request.url.path)
        code = f", code {exc.code}" if exc.code else ""
        return problem_response(
            request,
            status=502,
            slug="llm-rejected",
            title="The language model rejected the request",
            detail=f"The LLM endpoint refused the request (HTTP {exc.status}{code}); check "
            "TACTFUL_LLM_BASE_URL, TACTFUL_LLM_API_KEY and TACTFUL_LLM_MODEL.",
        )
    retry_after = exc.retry_after if isinstance(exc, LLMUnavailable) and exc.retry_after else 5.0
    reason = getattr(exc, "reason", "error")
    log.warning("llm.unavailable", reason=reason, path=request.url.path)
    return problem_response(
        request,
        status=503,
        slug="llm-unavailable",
        title="The language model is unavailable",
        detail=f"The LLM endpoint could not produce a draft ({reason}); try again shortly.",
        headers={"Retry-After": str(max(1, round(retry_after)))},
    )


def _on_undecodable(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    # Litestar turns malformed JSON into a 400 itself, but not bytes that are not UTF-8
    # (UnicodeDecodeError) or JSON nested deeper than Python can walk (RecursionError): both come
    # from reading the request body, and both are the client's to fix.
    detail = (
        "The body is nested too deeply to read."
        if isinstance(exc, RecursionError)
        else "The body is not valid UTF-8 JSON."
    )
    return problem_response(request, status=400, slug="bad-request", title="Malformed request", detail=detail)


def _on_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    # Only the type: exception messages can carry request content.
    log.error("http.unhandled", error=type(exc).__name__, path=request.url.path)
    return problem_response(
        request,
        status=HTTP_500_INTERNAL_SERVER_ERROR,
        slug="internal-error",
        title="Internal Server Error",
        detail="Something went wrong on our side; it has been logged without the request content.",
    )


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    ProblemError: _on_problem,
    ValidationException: _on_validation,
    HTTPException: _on_http,
    LLMError: _on_llm,
    UnicodeDecodeError: _on_undecodable,
    RecursionError: _on_undecodable,
    Exception: _on_unexpected,
}

__all__ = ["EXCEPTION_HANDLERS", "PROBLEM_JSON", "ProblemError", "problem_response"]
