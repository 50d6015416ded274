"""prompt-leak's paraphrase check reads a bounded window of the thread, and only when it needs it
(issue 14): its cost is the reply's, not that of a thread of ten 99,000-character messages."""

from __future__ import annotations

import pytest

import service.guardrails.rules.prompt_leak as prompt_leak
from service.guardrails import CheckContext, Guardrails
from service.guardrails.context_text import THREAD_CONTEXT_CHARS
from service.language.analysis import analyse_thread
from service.models import Agent, Customer, Message, Role, Thread

SYSTEM = (
    "You are a support agent. Never promise refunds, discounts or compensation that our policies do "
    "not offer. Keep the reply short."
)
# Five of that sentence's content words, in other words around them: a paraphrase, not a copy.
PARAPHRASE = "I must not promise refunds, discounts or compensation beyond our policies"
REPLY = f"Hi Dana,\n\nI'm sorry about the wait. {PARAPHRASE}. I'll check your order today.\n\nBest,\nSam"
WORDS = "promise refunds, discounts, compensation and your policies"


def thread(*bodies: str) -> Thread:
    return Thread(
        customer=Customer(name="Dana"),
        agent=Agent(name="Sam"),
        messages=[Message(role=Role.customer, body=body) for body in bodies],
    )


def paraphrase_hits(guardrails: Guardrails, conversation: Thread) -> list[str]:
    context = CheckContext(thread=conversation, analysis=analyse_thread(conversation), system_prompt=SYSTEM)
    findings = guardrails.check_rules(REPLY, context, ["prompt-leak"])
    return [REPLY[f.start : f.end].strip() for f in findings if f.start is not None and f.end is not None]


@pytest.fixture
def read_sizes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The length of every text the rule takes content words from."""
    sizes: list[int] = []
    # The system prompt is read once per team and cached: read it before recording, so that what
    # is recorded is what one check reads (the reply's sentences, and the thread when it must).
    prompt_leak._prompt_sentences(SYSTEM)
    prompt_leak._prompt_words(SYSTEM)
    content, folded_content = prompt_leak._content, prompt_leak._folded_content

    def recorded(text: str) -> frozenset[str]:
        sizes.append(len(text))
        return content(text)

    def recorded_folded(text: str) -> frozenset[str]:
        sizes.append(len(text))
        return folded_content(text)

    monkeypatch.setattr(prompt_leak, "_content", recorded)
    monkeypatch.setattr(prompt_leak, "_folded_content", recorded_folded)
    return sizes


def test_a_paraphrase_blocks_unless_the_customer_used_the_words(guardrails: Guardrails) -> None:
    assert paraphrase_hits(guardrails, thread("Where is my order?")) == [PARAPHRASE]
    assert paraphrase_hits(guardrails, thread(f"Please {WORDS}: where is my order?")) == []


def test_the_thread_is_read_to_its_newest_window_only(guardrails: Guardrails, read_sizes: list[int]) -> None:
    # The customer's words more than THREAD_CONTEXT_CHARS back are not read: the rule judges the
    # reply against what a prompt can show of the thread.
    filler = "Still waiting on my order. " * (THREAD_CONTEXT_CHARS // 27 + 10)
    assert paraphrase_hits(guardrails, thread(f"Please {WORDS}.", filler, "Where is my order?")) == [
        PARAPHRASE
    ]
    assert paraphrase_hits(guardrails, thread(filler, f"Please {WORDS}: where is my order?")) == []


def test_the_paraphrase_check_reads_a_bounded_window_at_the_limits(
    guardrails: Guardrails, read_sizes: list[int]
) -> None:
    # Ten messages of 99,000 characters (the default limits): the whole thread used to be read at
    # every check, ~70 ms a sentence of a streamed draft.
    huge = thread(*(("a@b.co " * 15_000)[:99_000] for _ in range(10)))
    assert paraphrase_hits(guardrails, huge) == [PARAPHRASE]
    assert max(read_sizes) <= THREAD_CONTEXT_CHARS + 100  # the window, the signature, the subject


def test_the_thread_is_not_read_when_no_sentence_could_be_a_paraphrase(
    guardrails: Guardrails, read_sizes: list[int]
) -> None:
    reply = "Hi Dana,\n\nI'm sorry about the wait; I'll check your order today.\n\nBest,\nSam"
    huge = thread(*(("a@b.co " * 15_000)[:99_000] for _ in range(10)))
    context = CheckContext(thread=huge, analysis=analyse_thread(huge), system_prompt=SYSTEM)
    assert guardrails.check_rules(reply, context, ["prompt-leak"]) == []
    assert max(read_sizes) <= len(reply)  # only the reply's sentences
