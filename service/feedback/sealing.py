"""Texts at rest: redacted first, then encrypted with Fernet (AES-128-CBC + HMAC-SHA256).

``TACTFUL_FEEDBACK_KEY`` holds one or more Fernet keys, comma-separated: the first encrypts, every
one decrypts, which is how a key is rotated (prepend the new key, wait out the retention period,
drop the old one). Without a key nothing is sealed and the callers keep no final text at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from service.drafting.redaction import Redactor
from service.feedback.distances import SpanRef


class FeedbackKeyError(ValueError):
    """The configured key is not a Fernet key (never says what was configured)."""


class Sealer:
    def __init__(self, keys: Sequence[str]) -> None:
        try:
            self._fernet = MultiFernet([Fernet(key.strip().encode()) for key in keys if key.strip()])
        except (ValueError, TypeError):
            raise FeedbackKeyError(
                "TACTFUL_FEEDBACK_KEY must be Fernet keys (32 url-safe base64 bytes), comma-separated; "
                "make one with: python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'"
            ) from None

    @classmethod
    def from_setting(cls, value: str | None) -> Sealer | None:
        keys = [k for k in (value or "").split(",") if k.strip()]
        return cls(keys) if keys else None

    def seal(self, text: str) -> str:
        return self._fernet.encrypt(text.encode()).decode("ascii")

    def open(self, token: str) -> str | None:
        """The text, or None when no configured key opens it (rotated away, or tampered with)."""
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode()
        except (InvalidToken, UnicodeError, ValueError):
            return None


def redact_with_spans(
    redactor: Redactor | None, text: str, spans: Sequence[SpanRef] = ()
) -> tuple[str, list[SpanRef]]:
    """``text`` with sensitive values replaced by ``[KIND_n]`` placeholders (the pipeline's redactor
    and format), and ``spans`` moved to the redacted text's offsets. A span edge inside a redacted
    value moves to the placeholder's edge, so a finding on a value still covers its placeholder."""
    if redactor is None:
        return text, list(spans)
    found = redactor.find(text)
    if not found:
        return text, list(spans)
    numbers: Counter[str] = Counter()
    issued: dict[tuple[str, str], str] = {}
    parts: list[str] = []
    # (original start, original end, redacted start, redacted end) of each replaced value
    moves: list[tuple[int, int, int, int]] = []
    position = length = 0
    for span in found:
        parts.append(text[position : span.start])
        length += span.start - position
        value = text[span.start : span.end]
        placeholder = issued.get((span.kind.value, value))
        if placeholder is None:
            numbers[span.kind.value] += 1
            placeholder = f"[{span.kind.value}_{numbers[span.kind.value]}]"
            issued[(span.kind.value, value)] = placeholder
        parts.append(placeholder)
        moves.append((span.start, span.end, length, length + len(placeholder)))
        length += len(placeholder)
        position = span.end
    parts.append(text[position:])

    def move(offset: int, *, is_end: bool) -> int:
        shift = 0
        for start, end, new_start, new_end in moves:
            if offset <= start:
                break
            if offset < end:
                return new_end if is_end else new_start
            shift = new_end - end
        return offset + shift

    moved = [SpanRef(s.rule, move(s.start, is_end=False), move(s.end, is_end=True)) for s in spans]
    return "".join(parts), moved
