"""Deterministic guardrails for reply drafts: a pure rule engine over versioned lexicon data.

Build one `Guardrails` at start-up with `load_guardrails()` (the only step that reads files), then
call `check`, `repair` and `reask_instructions` per reply; none of them does I/O.
"""

from __future__ import annotations

from service.guardrails.context import CheckContext
from service.guardrails.engine import Guardrails, load_guardrails, verdict_of

__all__ = ["CheckContext", "Guardrails", "load_guardrails", "verdict_of"]
