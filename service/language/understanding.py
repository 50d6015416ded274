"""One customer message read as a support lead would: language, feelings, register, variant,
the latest request and the facts already given. Pure and bounded (see each module's limits)."""

from __future__ import annotations

from dataclasses import dataclass

from service.language.analysis import choose_language
from service.language.feelings import FeelingReading, read_feelings
from service.language.register import Register, read_register, read_variant
from service.language.request import Fact, Span, find_facts, find_request


@dataclass(frozen=True)
class MessageReading:
    language: str
    feelings: tuple[FeelingReading, ...]
    register: Register
    variant: str | None
    request: Span | None
    facts: tuple[Fact, ...]


def message_language(text: str, locale: str | None = None) -> str:
    """The language of one message, chosen as the thread analysis chooses it: clear function
    words, then lingua where they allow it, then the locale (analysis.choose_language)."""
    return choose_language(text, text, locale)[0]


def read_message(text: str, *, language: str | None = None, locale: str | None = None) -> MessageReading:
    lang = language or message_language(text, locale)
    return MessageReading(
        language=lang,
        feelings=tuple(read_feelings(text, lang)),
        register=read_register(text, lang).register,
        variant=read_variant(text, lang, locale),
        request=find_request(text, lang),
        facts=tuple(find_facts(text, lang)),
    )
