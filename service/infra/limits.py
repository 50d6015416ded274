"""Configurable limits on what one thread may hold (the body size limit lives on the app).

Pydantic enforces the static shape; these bounds depend on settings, so they are checked here and
answered with a 422 problem that names the limit and the setting that moves it.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.models import Thread


@dataclass(frozen=True)
class ThreadLimits:
    max_messages: int
    max_message_chars: int


class LimitExceeded(ValueError):
    def __init__(self, detail: str, field: str) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


def check_text_limit(text: str, max_chars: int) -> None:
    """The reply a check reads: at most ``max_chars`` characters (TACTFUL_MAX_CHECK_CHARS)."""
    if len(text) > max_chars:
        raise LimitExceeded(
            f"The text has {len(text)} characters; at most {max_chars} are checked "
            "(TACTFUL_MAX_CHECK_CHARS).",
            "text",
        )


def check_thread_limits(thread: Thread, limits: ThreadLimits) -> None:
    if len(thread.messages) > limits.max_messages:
        raise LimitExceeded(
            f"The thread has {len(thread.messages)} messages; at most {limits.max_messages} are accepted "
            "(TACTFUL_MAX_MESSAGES).",
            "messages",
        )
    for index, message in enumerate(thread.messages):
        if len(message.body) > limits.max_message_chars:
            raise LimitExceeded(
                f"Message {index} has {len(message.body)} characters; at most {limits.max_message_chars} "
                "are accepted per message (TACTFUL_MAX_MESSAGE_CHARS).",
                f"messages[{index}].body",
            )
