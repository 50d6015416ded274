"""Sealing texts at rest, key rotation, and redaction that keeps the findings' spans on their words."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from service.drafting.redaction import Redactor
from service.feedback.distances import SpanRef
from service.feedback.sealing import FeedbackKeyError, Sealer, redact_with_spans


def test_seal_and_open_with_rotation() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    token = Sealer([old]).seal("hello")
    assert "hello" not in token
    rotated = Sealer.from_setting(f"{new},{old}")
    assert rotated is not None
    assert rotated.open(token) == "hello"
    assert Sealer([new]).open(token) is None
    assert Sealer.from_setting("") is None


def test_a_bad_key_fails_without_echoing_it() -> None:
    with pytest.raises(FeedbackKeyError) as raised:
        Sealer(["not-a-key-secret"])
    assert "not-a-key-secret" not in str(raised.value)


def test_redaction_moves_spans_onto_the_redacted_text() -> None:
    text = "Write to alex@example.com today. That was your fault."
    start = text.index("That was")
    redacted, spans = redact_with_spans(
        Redactor.load(), text, [SpanRef("no-blame", start, len(text)), SpanRef("pii", 9, 25)]
    )
    assert redacted == "Write to [EMAIL_1] today. That was your fault."
    assert [redacted[s.start : s.end] for s in spans] == ["That was your fault.", "[EMAIL_1]"]
    assert redact_with_spans(None, text) == (text, [])
