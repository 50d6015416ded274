"""Fixtures for the guardrail tests: one compiled ruleset, shared by every test."""

from __future__ import annotations

import pytest

from service.guardrails import Guardrails, load_guardrails


@pytest.fixture(scope="session")
def guardrails() -> Guardrails:
    return load_guardrails()
