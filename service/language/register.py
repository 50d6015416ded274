"""Register (formal or informal address) and language variant of a customer's message.

Register: formal and informal cues per language (data/register.yaml, with the casual words that
address on their own from data/casual_voice.yaml) are counted; the side with more hits wins, and
nothing either way is "unknown" (an English one-liner shows no register). In German the formal
pronouns are told from "sie" (she, they) by their capital inside a sentence.

Variant: European or Brazilian Portuguese, Spain or Latin-American Spanish, from words that only
one side uses (telemóvel/celular, ordenador/computadora, "estou a fazer"/"estou fazendo",
vosotros/ustedes); when the text shows neither, the customer's locale decides; else None. For
English, German and French the variant is the language itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from pydantic import BaseModel, ConfigDict

from service.language.casual import address_words, read_casual
from service.language.cues import CueSet, compile_cues, fold, tokens
from service.language.data import load_table

TEXT_CHARS = 1_500
_VARIANTS_OF = {"pt": ("pt-PT", "pt-BR"), "es": ("es-ES", "es-419")}


_PT_ARTICLE_POSSESSIVE = re.compile(
    r"(?<!\w)(?:[oa]s?|d[oa]s?|n[oa]s?|pel[oa]s?)\s+(?:meu|minha|meus|minhas)\b"
)
_PT_BARE_POSSESSIVE = re.compile(
    r"(?:^|[.!?,:;]\s*|\b(?:com|em|de|para|pra|que|e|mas|por)\s+)(?:meu|minha|meus|minhas)\b"
)


class Register(StrEnum):
    formal = "formal"
    informal = "informal"
    unknown = "unknown"


class _Side(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    formal: tuple[str, ...]
    informal: tuple[str, ...]


class _Patterns(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    formal: tuple[str, ...] = ()
    informal: tuple[str, ...] = ()


class _RegisterFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: int
    address: dict[str, _Side]
    patterns: dict[str, _Patterns]
    decisive: dict[str, _Patterns]
    variants: dict[str, tuple[str, ...]]
    locale_variants: dict[str, str]


@dataclass(frozen=True)
class RegisterReading:
    register: Register
    evidence: tuple[int, int] | None  # the first cue of the winning side, offsets into the text


@dataclass(frozen=True)
class _Compiled:
    cues: CueSet[Register]
    # Regular expressions on the original text, per side: verb morphology, capitals, emoji...
    patterns: tuple[tuple[Register, re.Pattern[str]], ...] = ()
    # Forms that settle the register alone: French "tu" wins over a "vous" that may be plural.
    decisive: tuple[tuple[Register, re.Pattern[str]], ...] = ()


def _compile_side(table: dict[str, _Patterns], language: str) -> tuple[tuple[Register, re.Pattern[str]], ...]:
    compiled: list[tuple[Register, re.Pattern[str]]] = []
    for key in ("*", language):
        side = table.get(key)
        if side is None:
            continue
        compiled += [(Register.formal, re.compile(p, re.MULTILINE)) for p in side.formal]
        compiled += [(Register.informal, re.compile(p, re.MULTILINE)) for p in side.informal]
    return tuple(compiled)


def _table() -> _RegisterFile:
    return load_table("register", _RegisterFile)


@cache
def _register_cues(language: str) -> _Compiled:
    table = _table()
    side = table.address.get(language)
    if side is None:
        return _Compiled(CueSet([]))
    formal = [(cue, Register.formal) for cue in side.formal]
    # The grammar of address (register.yaml) and the casual words that address on their own
    # (casual_voice.yaml `address`): one vocabulary of casual words, kept with the casual voice.
    informal = [(cue, Register.informal) for cue in (*side.informal, *address_words(language))]
    return _Compiled(
        CueSet(formal + informal),
        patterns=_compile_side(table.patterns, language),
        decisive=_compile_side(table.decisive, language),
    )


@cache
def _variant_cues(variant: str) -> re.Pattern[str] | None:
    return compile_cues(_table().variants.get(variant, ()))


def read_register(text: str, language: str) -> RegisterReading:
    text = text[:TEXT_CHARS]
    folded = fold(text)
    compiled = _register_cues(language)
    for side, pattern in compiled.decisive:
        match = pattern.search(text)
        if match:
            return RegisterReading(side, match.span())
    hits = compiled.cues.find(tokens(folded))
    formal = [(start, end) for start, end, side in hits if side is Register.formal]
    informal = [(start, end) for start, end, side in hits if side is Register.informal]
    for side, pattern in compiled.patterns:
        spans = [m.span() for m in pattern.finditer(text)]
        (formal if side is Register.formal else informal).extend(spans)
    if not formal and not informal:
        # No address either way: the casual voice may still show it (slang, chat shorthand).
        casual = read_casual(folded, language)
        if casual.informal:
            return RegisterReading(Register.informal, casual.evidence)
        return RegisterReading(Register.unknown, None)
    if len(formal) >= len(informal):
        return RegisterReading(Register.formal, min(formal))
    return RegisterReading(Register.informal, min(informal))


def read_variant(text: str, language: str, locale: str | None) -> str | None:
    """pt-PT / pt-BR / es-ES / es-419 from the text, else from the locale; the language otherwise."""
    pair = _VARIANTS_OF.get(language)
    if pair is None:
        return language if language in ("en", "de", "fr") else None
    folded = fold(text[:TEXT_CHARS])
    counts = {}
    for variant in pair:
        pattern = _variant_cues(variant)
        counts[variant] = len(pattern.findall(folded)) if pattern else 0
    if language == "pt":
        # Portugal puts an article before a possessive ("a minha conta"), Brazil mostly does not.
        counts["pt-PT"] += len(_PT_ARTICLE_POSSESSIVE.findall(folded))
        counts["pt-BR"] += len(_PT_BARE_POSSESSIVE.findall(folded))
    first, second = pair
    if counts[first] != counts[second]:
        return first if counts[first] > counts[second] else second
    if locale:
        tag = locale.strip().lower().replace("_", "-")
        mapped = _table().locale_variants.get(tag)
        if mapped in pair:
            return mapped
    return None
