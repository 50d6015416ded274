"""How the copy checks cut text into words (shared by the tests and the fingerprint builder)."""

from __future__ import annotations

import re

from service.guardrails.normalise import normalise


def prose_words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower().replace("’", "'").replace("'", ""))


def lexicon_words(text: str) -> list[str]:
    return normalise(text)[1].text.replace(".", " ").replace(",", " ").split()
