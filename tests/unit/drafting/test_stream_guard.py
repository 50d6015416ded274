"""StreamGuard: block-level content rules on each finished sentence of a streamed draft."""

from __future__ import annotations

from service.drafting.stream_guard import OVERLAP, STREAM_RULES, StreamGuard
from service.guardrails import CheckContext, load_guardrails
from service.models import Finding

KEY = "sk-live-4eC39HqLyjWDarjtT1zdp7dc"


def feed_words(guard: StreamGuard, text: str) -> tuple[int, Finding | None]:
    """Feed ``text`` a few characters at a time; (characters fed when it fired, the finding)."""
    fed = 0
    for start in range(0, len(text), 3):
        piece = text[start : start + 3]
        fed += len(piece)
        if stop := guard.feed(piece):
            return fed, stop
    return fed, guard.finish()


def test_fires_at_the_end_of_the_sentence_with_offsets_in_the_whole_text() -> None:
    guardrails = load_guardrails()
    # Far more than OVERLAP of clean text first: later checks read only a window of it.
    clean = "We checked your account and everything looks fine now. " * (3 * OVERLAP // 50)
    text = clean + f"Use the key {KEY} to sign in. And then more text."
    fed, stop = feed_words(StreamGuard(guardrails, CheckContext()), text)
    assert stop is not None
    assert stop.rule == "secret"
    assert text[stop.start : stop.end] == KEY
    assert fed <= text.index("And then") + 3  # stopped at the end of the sentence that fired


def test_clean_text_passes_and_only_known_rules_are_run() -> None:
    guardrails = load_guardrails()
    guard = StreamGuard(guardrails, CheckContext())
    _, stop = feed_words(guard, "Thanks for your patience. I've refunded the charge today.\nBest, Sam")
    assert stop is None
    assert set(guardrails.present(STREAM_RULES)) <= set(STREAM_RULES)
    assert {"secret", "pii", "prompt-leak"} <= set(guardrails.present(STREAM_RULES))
