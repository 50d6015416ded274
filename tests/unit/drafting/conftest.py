"""Fixtures for the drafting tests: the seed threads, the real prompts folder, a thread factory."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from service.drafting.prompts import PromptBuilder
from service.models import Thread

REPO = Path(__file__).resolve().parents[3]
PROMPTS = REPO / "prompts"
SEED_THREADS = REPO / "seeds" / "threads"
SEED_PATHS = sorted(SEED_THREADS.glob("*.json"))


def load_seed(path: Path) -> Thread:
    return Thread.model_validate(json.loads(path.read_text(encoding="utf-8")))


@pytest.fixture(scope="session")
def builder() -> PromptBuilder:
    return PromptBuilder(PROMPTS, 6_000)


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
