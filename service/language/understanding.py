"""One customer message read as a support lead would: language, feelings, register, variant,
the latest request and the facts already given. Pure and bounded (see each module's limits)."""

from __future__ import annotations

from dataclasses import dataclass

from service.language.detect import detect
from service.language.feelings import FeelingReading, read_feelings
from service.language.register import Register, read_register, read_variant
from service.language.request import Fact, Span, find_facts, find_request

_CONFIDENT = 0.5


@dataclass(frozen=True)
class MessageReading:
    language: str
    feelings: tuple[FeelingReading, ...]
    register: Register
    variant: str | None
    request: Span | None
    facts: tuple[Fact, ...]


def message_language(text: str, fallback: str = "en") -> str:
    """Our language of `text` when lingua is confident, else `fallback`."""
    found = detect(text)
    if found is None or found[1] < _CONFIDENT:
        return fallback
    return found[0]


def read_message(text: str, *, language: str | None = None, locale: str | None = None) -> MessageReading:
    lang = language or message_language(text)
    return MessageReading(
        language=lang,
        feelings=tuple(read_feelings(text, lang)),
        register=read_register(text, lang).register,
        variant=read_variant(text, lang, locale),
        request=find_request(text, lang),
        facts=tuple(find_facts(text, lang)),
    )
