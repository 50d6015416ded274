"""How a draft addresses the customer: a first name, or a title with the surname, never both names.

A formal e-mail that opens on the customer's full name ("Dear Claire Whitmore", "Guten Tag Reinhard
Baumgartner") reads like a mail merge (review G). A formal greeting takes a title with the surname
when the thread gives one: the customer's name field, or our own earlier turns naming them ("Frau
Brandt", "Sr. Ortega"); never a note, which names relatives as often. Without one it takes the
first name where the language's formal address allows it (English, Spanish, Portuguese) and no
name where it needs a title (German, French: their untitled lines are in composer_voice.yaml).
Titles, the kin words that make a titled surname someone else's ("Mme Dubreuil, sa mère"), and
which surname a language keeps are data.
"""

from __future__ import annotations

import re
from functools import cache

from service.drafting.voice import salutation_table
from service.language.cues import compile_cues, fold
from service.models import Role, Thread

_NOTE_CHARS = 3_000
_KIN_WINDOW = 6  # words either side of a titled surname in which a relative's word makes it theirs


@cache
def _titles(language: str) -> dict[str, str]:
    table = salutation_table()
    return {fold(k): v for k, v in {**table.titles.get("en", {}), **table.titles.get(language, {})}.items()}


@cache
def _kin(language: str) -> re.Pattern[str] | None:
    return compile_cues(salutation_table().kin_words.get(language, ()))


def _title_key(word: str) -> str:
    return fold(word).rstrip(".")


def is_title(word: str, language: str) -> bool:
    titles = _titles(language)
    return _title_key(word) in titles or fold(word) in titles


def _title_form(word: str, language: str) -> str:
    titles = _titles(language)
    return titles.get(fold(word)) or titles.get(_title_key(word)) or word


def surname(given: list[str], language: str) -> str:
    """The surname a salutation keeps: Spanish keeps the first of two ("Javier Ortega Castillo" ->
    "Ortega"), the other languages the last."""
    if len(given) >= 3 and language in salutation_table().first_surname:
        return given[1]
    return given[-1]


def _named_in_thread(thread: Thread, language: str, last_names: set[str]) -> str:
    """The one title our earlier turns put before the customer's surname ("Frau Brandt"), or ""
    when none does, when two differ, or when a relative is named nearby ("M. Marchand, son mari")."""
    titles = _titles(language)
    kin = _kin(language)
    found: set[str] = set()
    for message in thread.messages:
        # Our own turns only: a note's "Mr Harwood stopped ..." is as often the late father whose
        # account the daughter is closing (threads-k #01) as the customer.
        if message.role is not Role.agent:
            continue
        words = message.body[:_NOTE_CHARS].split()
        for i, word in enumerate(words[:-1]):
            if words[i + 1].strip(",.;:!?()'\"").casefold() not in last_names:
                continue
            key = fold(word) if fold(word) in titles else _title_key(word)
            if key not in titles:
                continue
            near = fold(" ".join(words[max(0, i - _KIN_WINDOW) : i + _KIN_WINDOW]))
            if kin is not None and kin.search(near):
                continue
            found.add(titles[key])
    return found.pop() if len(found) == 1 else ""


def titled_name(thread: Thread, full: str, language: str) -> str:
    """ "Dr. Hoffmann", "Frau Brandt", "Sr. Ortega": a title with the surname, or "" without a title."""
    words = full.split()
    given = [w for w in words if not is_title(w, language)]
    if not given:
        return ""
    titles = [_title_form(w, language) for w in words if is_title(w, language)]
    if titles and len(given) >= 2:
        return " ".join([*titles, surname(given, language)])
    if len(given) < 2:
        return ""
    last = surname(given, language)
    title = _named_in_thread(thread, language, {last.casefold(), given[-1].casefold()})
    return f"{title} {last}" if title else ""
