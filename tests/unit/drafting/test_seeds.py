"""The sample threads in seeds/threads/: valid wire models, and the variety the brief asks for."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from service.language.analysis import analyse_thread
from service.models import Channel, Role, Thread
from tests.unit.drafting.conftest import SEED_PATHS, SEED_THREADS, load_seed


@pytest.mark.parametrize("path", SEED_PATHS, ids=lambda p: p.stem)
def test_seed_matches_the_wire_model_exactly(path: Path) -> None:
    raw = json.loads(path.read_text(encoding="utf-8"))
    thread = Thread.model_validate(raw)
    # Nothing dropped as an unknown field: the dump carries every key the file has.
    dumped = thread.model_dump(mode="json", exclude_none=True)
    assert set(raw) <= set(dumped)
    for given, parsed in zip(raw["messages"], dumped["messages"], strict=True):
        assert set(given) <= set(parsed)
    for section in ("customer", "agent", "options"):
        if section in raw:
            assert set(raw[section]) <= set(dumped[section])


@pytest.mark.parametrize("path", SEED_PATHS, ids=lambda p: p.stem)
def test_seed_uses_fictional_addresses_only(path: Path) -> None:
    thread = load_seed(path)
    if thread.customer.email:
        assert thread.customer.email.endswith("@example.com")


def test_seed_set_covers_the_situations_we_promise() -> None:
    threads = {path.stem: load_seed(path) for path in SEED_PATHS}
    assert len(threads) >= 12
    channels = {t.channel for t in threads.values()}
    assert {Channel.email, Channel.chat, Channel.sms} <= channels
    languages = {analyse_thread(t).language for t in threads.values()}
    assert len(languages - {"en"}) >= 3
    assert any(
        {m.role for m in t.messages} >= {Role.customer, Role.agent, Role.note} for t in threads.values()
    )
    assert any(analyse_thread(t).injection_markers for t in threads.values())
    assert "billing_double_charge" in threads  # the integration tests load it by name


def test_long_thread_is_long_and_reproducible() -> None:
    path = SEED_THREADS / "long_thread_data_migration.json"
    thread = load_seed(path)
    assert len(thread.messages) >= 60
    assert sum(len(m.body) for m in thread.messages) >= 35_000
    spec = importlib.util.spec_from_file_location("make_long_thread", SEED_THREADS / "make_long_thread.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = json.dumps(module.build(), ensure_ascii=False, indent=2) + "\n"
    assert path.read_text(encoding="utf-8") == expected
