"""Bounded work per draft (issue 14, decision 54): the thread is read once, however many times the
prompt is rendered; the stream's sentence checks leave the event loop for a large thread."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable, Sequence
from typing import Any

import pytest

import service.drafting.composer as composer
import service.drafting.pipeline as pipeline_module
import service.drafting.prompt_context as prompt_context
from service.drafting.pipeline import OFFLOAD_CHARS, DraftDelta, DraftOutcome, DraftPipeline, Sampling
from service.drafting.prompts import ContextWindow, PromptBuilder
from service.drafting.redaction import Redactor
from service.drafting.stream_guard import StreamGuard
from service.language.analysis import analyse_thread
from service.language.notes import NoteFacts, read_notes
from service.llm.base import ChatMessage, Completion, StreamChunk
from service.models import DraftStatus, Provider, Thread
from tests.unit.drafting.conftest import MakeThread, offline_pipeline

GOOD = (
    "Hi Dana,\n\nI'm so sorry your refund has not arrived yet; I understand how worrying that is. "
    "I've checked it and it is on its way to your card, and I'll confirm once it lands.\n\nBest,\nSam"
)
# No acknowledgement of the customer at all: blocked, so the pipeline asks the model again.
UNSENDABLE = "Hi Dana,\n\nThe refund is processing.\n\nBest,\nSam"
NOTE = "Refund RF-11902 issued on 4 March; it takes 5-10 business days. Do not promise a date."


class ScriptedClient:
    """An LLMClient that answers from a list (the last reply repeats), streaming word by word."""

    def __init__(self, *replies: str) -> None:
        self.replies = list(replies)
        self.calls = 0

    def _next(self) -> str:
        self.calls += 1
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]

    async def complete(
        self, messages: Sequence[ChatMessage], *, model: str, temperature: float, max_tokens: int
    ) -> Completion:
        return Completion(self._next(), model, 10, 10)

    async def stream(
        self, messages: Sequence[ChatMessage], *, model: str, temperature: float, max_tokens: int
    ) -> AsyncGenerator[StreamChunk | Completion, None]:
        text = self._next()
        for word in text.split(" "):
            yield StreamChunk(word + " ")
        yield Completion(text, model, 10, 10)


def drafter(builder: PromptBuilder, llm: ScriptedClient | None) -> DraftPipeline:
    return offline_pipeline(
        builder,
        provider=Provider.openai if llm is not None else Provider.offline,
        llm=llm,
        sampling=Sampling("m", 0.0, 300),
        max_reasks=1,
        redactor=Redactor.load(),
        window=ContextWindow(8_192, 300),  # the budget is fitted to a window: one more render each
    )


@pytest.fixture
def note_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many notes each read_notes call read, wherever it is called from."""
    reads: list[int] = []

    def counted(thread: Thread, language: str = "en") -> NoteFacts:
        facts = read_notes(thread, language)
        reads.append(len(facts.texts))
        return facts

    for module in (pipeline_module, prompt_context, composer):
        monkeypatch.setattr(module, "read_notes", counted)
    return reads


def thread_with_notes(make_thread: MakeThread, notes: int) -> Thread:
    return make_thread(
        "Where is my refund? You said it was sent last week.",
        *({"role": "note", "body": NOTE} for _ in range(notes)),
    )


def test_notes_are_read_once_per_draft_with_a_reask(
    builder: PromptBuilder, make_thread: MakeThread, note_reads: list[int]
) -> None:
    # A first answer the guardrails block, then a good one: the prompt is rendered for the
    # redaction session, the first call and the re-ask, each fitted to the window. 499 notes took
    # ~60 ms of sentence splitting per reading, four readings a draft (issue 14).
    llm = ScriptedClient(UNSENDABLE, GOOD)
    outcome = asyncio.run(drafter(builder, llm).draft(thread_with_notes(make_thread, 499)))
    assert llm.calls == 2
    assert outcome.result.attempts == 2
    assert outcome.result.status is DraftStatus.approved
    assert len(note_reads) == 1
    assert 0 < note_reads[0] < 499  # the newest notes only (NOTES_READ_CHARS)


def test_notes_are_read_once_per_offline_draft(
    builder: PromptBuilder, make_thread: MakeThread, note_reads: list[int]
) -> None:
    outcome = asyncio.run(drafter(builder, None).draft(thread_with_notes(make_thread, 3)))
    assert "RF-11902" in (outcome.result.reply or "")  # the composer used the notes read once
    assert note_reads == [3]


def test_the_notes_given_to_the_prompt_are_the_ones_it_shows(
    builder: PromptBuilder, make_thread: MakeThread
) -> None:
    thread = thread_with_notes(make_thread, 2)
    analysis = analyse_thread(thread)
    notes = read_notes(thread, analysis.language)
    assert builder.render(thread, analysis, notes=notes) == builder.render(thread, analysis)
    other = NoteFacts(("Escalated to billing on Monday.",), (), frozenset())
    shown = builder.render(thread, analysis, notes=other)[1]["content"]
    assert "Escalated to billing on Monday." in shown
    assert "RF-11902" not in shown


def checks_in(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """For each sentence check of the stream: whether it ran on the event loop's thread."""
    on_loop: list[bool] = []
    check: Callable[[StreamGuard], Any] = StreamGuard.check

    def recorded(self: StreamGuard) -> Any:
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # a worker thread has no running loop
            on_loop.append(False)
        else:
            on_loop.append(True)
        return check(self)

    monkeypatch.setattr(StreamGuard, "check", recorded)
    return on_loop


async def stream(pipeline: DraftPipeline, thread: Thread) -> list[Any]:
    return [event async for event in pipeline.draft_stream(thread)]


@pytest.mark.parametrize("large", [False, True])
def test_stream_sentence_checks_leave_the_loop_for_a_large_thread(
    builder: PromptBuilder, make_thread: MakeThread, monkeypatch: pytest.MonkeyPatch, large: bool
) -> None:
    # With the thread as context, pii and prompt-leak read up to 32,000 characters of it at every
    # sentence: ~70 ms a sentence on the loop before the paraphrase check was bounded (decision 55).
    on_loop = checks_in(monkeypatch)
    padding = "a@b.co " * (OFFLOAD_CHARS // 7) if large else ""
    body = "My refund has not arrived, please check it. " + padding
    thread = make_thread(body, customer={"name": "Dana"})
    events = asyncio.run(stream(drafter(builder, ScriptedClient(GOOD)), thread))
    assert isinstance(events[-1], DraftOutcome)
    assert sum(isinstance(e, DraftDelta) for e in events) > 10
    assert len(on_loop) >= 3  # one per finished sentence
    assert on_loop == [not large] * len(on_loop)
