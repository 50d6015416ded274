"""Tactful's own CPU per draft, in process and deterministic enough to compare on a busy machine.

``python -m bench.draft_cpu cpu``: the production pipeline (openai provider, redaction on, the
packaged prompts and ruleset, no Redis) drafts every thread in ``seeds/threads*`` with a stand-in
LLM client that answers at once with the bench mock's reply, so what is timed is our own work:
cache key, reading the thread, redaction and prompt rendering, guardrails, the result model. The
sentence cache is cleared before every draft (a stream of distinct tickets shares no paragraphs).
CPU time (``time.process_time``) per pass over the threads; the best pass is the figure, since
other processes on the machine only ever add time. ``--profile`` prints cProfile's top functions.

``python -m bench.draft_cpu dump OUT.json``: for every thread, the rendered prompt, the offline
draft, the LLM draft and the analysis (everything but ids and timings), to show that a change
meant to cost less CPU leaves every output as it was (compare two dumps with ``cmp``).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import dataclasses
import json
import os
import pstats
import subprocess
import time
from collections.abc import AsyncGenerator, Sequence
from pathlib import Path
from typing import Any

from bench.mock_reply import compose_reply
from service.drafting.cache import DraftCache
from service.drafting.pipeline import DraftPipeline, Sampling, read_thread
from service.drafting.prompts import ContextWindow, PromptBuilder
from service.drafting.redaction import Redactor
from service.guardrails import load_guardrails
from service.infra.logs import configure_logging
from service.language import sentences
from service.llm.base import ChatMessage, Completion, StreamChunk
from service.models import DraftResult, Provider, Thread

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"


def seed_threads(folders: str = "threads*") -> list[tuple[str, Thread]]:
    paths = sorted(p for d in sorted(SEEDS.glob(folders)) for p in d.glob("*.json"))
    return [
        (str(p.relative_to(SEEDS)), Thread.model_validate(json.loads(p.read_text(encoding="utf-8"))))
        for p in paths
    ]


class InstantLLM:
    """Answers at once with the bench mock's reply to the prompt it is sent, remembered per prompt
    (the warm-up pass writes them), so that the mock's own work is not timed as ours."""

    def __init__(self) -> None:
        self._replies: dict[str, str] = {}

    async def complete(
        self, messages: Sequence[ChatMessage], *, model: str, temperature: float, max_tokens: int
    ) -> Completion:
        prompt = json.dumps(messages)
        text = self._replies.get(prompt)
        if text is None:
            text = self._replies[prompt] = compose_reply(messages)
        return Completion(text=text, model=model, prompt_tokens=100, completion_tokens=100)

    async def stream(
        self, messages: Sequence[ChatMessage], *, model: str, temperature: float, max_tokens: int
    ) -> AsyncGenerator[StreamChunk | Completion, None]:
        completion = await self.complete(
            messages, model=model, temperature=temperature, max_tokens=max_tokens
        )
        yield StreamChunk(completion.text)
        yield completion


def pipeline(provider: Provider) -> DraftPipeline:
    return DraftPipeline(
        provider=provider,
        prompts=PromptBuilder(REPO / "prompts", 6_000),
        guardrails=load_guardrails(),
        llm=InstantLLM() if provider is Provider.openai else None,
        cache=DraftCache(None, ttl_s=0, wait_s=1.0),
        sampling=Sampling("mock-1", 0.3, 600),
        window=ContextWindow(8_192, 600),
        max_reasks=2,
        fallback_offline=True,
        redactor=Redactor.load(),
    )


def _stable(result: DraftResult) -> dict[str, Any]:
    data = result.model_dump(mode="json")
    for volatile in ("id", "timings_ms"):
        data.pop(volatile, None)
    return data


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)


async def dump() -> dict[str, Any]:
    llm, offline = pipeline(Provider.openai), pipeline(Provider.offline)
    report: dict[str, Any] = {}
    for name, thread in seed_threads():
        reading = read_thread(thread)
        _, messages = llm._prepare(thread, reading)
        report[name] = {
            "reading": {"analysis": _plain(reading.analysis), "notes": _plain(reading.notes)},
            "prompt": messages,
            "offline": _stable((await offline.draft(thread)).result),
            "llm": _stable((await llm.draft(thread)).result),
        }
    return report


def _instrument(on: bool) -> None:
    """Switch callgrind's instrumentation for this process (run under ``valgrind --tool=callgrind
    --instr-atstart=no``): only the timed drafts are counted, not start-up and warm-up."""
    state = "on" if on else "off"
    subprocess.run(["callgrind_control", "-i", state, str(os.getpid())], check=True, capture_output=True)


async def cpu(passes: int, profile: bool, provider: Provider, folders: str, callgrind: bool = False) -> None:
    drafter = pipeline(provider)
    threads = seed_threads(folders)
    for _, thread in threads:  # imports, compiled tables and the mock's replies: not per draft
        await drafter.draft(thread)
    profiler = cProfile.Profile() if profile else None
    best = float("inf")
    if callgrind:
        _instrument(True)
    for _ in range(passes):
        spent = 0.0
        for _, thread in threads:
            sentences._segment.cache_clear()
            if profiler is not None:
                profiler.enable()
            began = time.process_time()
            await drafter.draft(thread)
            spent += time.process_time() - began
            if profiler is not None:
                profiler.disable()
        best = min(best, spent)
        print(f"pass: {spent / len(threads) * 1000:.2f} ms/draft")
    if callgrind:
        _instrument(False)
        print(f"callgrind: divide the instructions by {passes * len(threads)} drafts")
    print(f"best of {passes}: {best / len(threads) * 1000:.2f} ms/draft over {len(threads)} threads")
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    timed = commands.add_parser("cpu")
    timed.add_argument("--passes", type=int, default=5)
    timed.add_argument("--profile", action="store_true")
    timed.add_argument("--seeds", default="threads*", help="folders of seeds/ (a glob; the bench's: threads)")
    timed.add_argument("--callgrind", action="store_true", help="count only the drafts (under callgrind)")
    timed.add_argument("--offline", action="store_true", help="the offline composer instead of the LLM")
    dumped = commands.add_parser("dump")
    dumped.add_argument("out", type=Path)
    args = parser.parse_args()
    configure_logging("WARNING")
    if args.command == "cpu":
        provider = Provider.offline if args.offline else Provider.openai
        asyncio.run(cpu(args.passes, args.profile, provider, args.seeds, args.callgrind))
    else:
        report = asyncio.run(dump())
        text = json.dumps(report, indent=1, ensure_ascii=False, sort_keys=True)
        args.out.write_text(text, encoding="utf-8")
        print(f"{len(report)} threads -> {args.out}")


if __name__ == "__main__":
    main()
