"""The customer's name as a reply may print it: (first name, full name), or nothing.

One reading for every part of the composer: the greeting, the earlier salutation it keeps, and the
note relay that turns "Ana needs to …" into "you'll need to …" all need the same first name. Titles
in front of a name are not a first name ("Dr. Ana Souza" -> "Ana"); which words are titles is data
(composer_voice.yaml `titles`, every language's, since a name field carries no language).
"""

from __future__ import annotations

import re
from functools import cache

from service.drafting.voice import salutation_table
from service.models import Thread

# A helpdesk that sends "[Name]" or "{{name}}" has sent an unfilled template, not a name.
PLACEHOLDER_CHARS = re.compile(r"[\[\]{}<>]")
_NOT_NAMES = frozenset({"name", "customer", "unknown", "n/a"})


@cache
def _titles() -> frozenset[str]:
    return frozenset(key.casefold() for table in salutation_table().titles.values() for key in table)


def is_title_word(word: str) -> bool:
    """Whether `word` ("Dr.", "Sra", "Herr") is a title of address in any language."""
    return word.casefold().rstrip(".") in _titles()


def customer_names(thread: Thread) -> tuple[str, str]:
    """(first name, full name) as safe to print, or ("", "") when unknown or unusable."""
    raw = thread.customer.name or ""
    if "@" in raw or any(ch.isdigit() for ch in raw) or PLACEHOLDER_CHARS.search(raw):
        return "", ""  # an address, an id or an unfilled template, not a name
    cleaned = " ".join(raw.split())
    if not cleaned or cleaned.casefold() in _NOT_NAMES:
        return "", ""
    if cleaned.isupper() and len(cleaned) > 3:
        cleaned = cleaned.title()
    words = cleaned.split()
    given = [w for w in words if not is_title_word(w)] or words
    return given[0], cleaned
