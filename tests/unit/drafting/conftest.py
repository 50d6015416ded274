"""Fixtures for the drafting tests: the seed threads, the real prompts folder, a thread factory."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from service.drafting.cache import DraftCache
from service.drafting.pipeline import DraftPipeline, Sampling
from service.drafting.prompts import PromptBuilder
from service.guardrails import load_guardrails
from service.models import Provider, Thread

REPO = Path(__file__).resolve().parents[3]
PROMPTS = REPO / "prompts"
SEED_THREADS = REPO / "seeds" / "threads"
SEED_PATHS = sorted(SEED_THREADS.glob("*.json"))


def load_seed(path: Path) -> Thread:
    return Thread.model_validate(json.loads(path.read_text(encoding="utf-8")))


@pytest.fixture(scope="session")
def builder() -> PromptBuilder:
    return PromptBuilder(PROMPTS, 6_000)


def offline_pipeline(builder: PromptBuilder, **overrides: Any) -> DraftPipeline:
    """An offline pipeline without Redis or re-asks; ``overrides`` add parts (tenants, a redactor)
    or replace the defaults (an LLM client, a sampling, re-asks)."""
    parts: dict[str, Any] = {
        "provider": Provider.offline,
        "prompts": builder,
        "guardrails": load_guardrails(),
        "llm": None,
        "cache": DraftCache(None, ttl_s=0, wait_s=1.0),
        "sampling": Sampling("m", 0.0, 100),
        "max_reasks": 0,
        "fallback_offline": True,
    }
    return DraftPipeline(**{**parts, **overrides})


MakeThread = Callable[..., Thread]


@pytest.fixture
def make_thread() -> MakeThread:
    """A thread from customer bodies (strings) or message dicts, with optional top-level fields."""

    def make(*messages: str | dict[str, Any], **fields: Any) -> Thread:
        data: dict[str, Any] = {
            "customer": {"name": "Dana Reyes"},
            "agent": {"name": "Sam"},
            **fields,
            "messages": [{"role": "customer", "body": m} if isinstance(m, str) else m for m in messages],
        }
        return Thread.model_validate(data)

    return make
