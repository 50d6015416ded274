"""The offline composer's voice: the phrasebook in the customer's register and language variant.

A customer who writes "du", "tu", "tú" or "vos" is answered that way, and so is one whose earlier
agent turns already did; European and Brazilian Portuguese are never mixed. The phrases are data
(data/composer_phrases.yaml for the base, data/composer_voice.yaml for the register and variant
lines); this module only chooses the keys, from general to specific: en, language, variant,
language@register, variant@register.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from pydantic import BaseModel, ConfigDict

from service.drafting.composer_phrases import Phrases, phrases_for
from service.language.analysis import ThreadAnalysis
from service.language.cues import compile_cues, fold
from service.language.data import load_table
from service.language.register import Register, read_register
from service.models import Channel, Role, Thread, Tone

_AGENT_CHARS = 1_500  # an agent turn shows its register in its first lines
_TONES = {tone.value: tone for tone in Tone}


class _VoiceFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: int
    dm_cues: tuple[str, ...]
    voseo_locales: frozenset[str]
    informal_on_social: frozenset[str]
    voseo_words: tuple[str, ...]
    tu_words: tuple[str, ...]
    t_forms: dict[str, tuple[str, ...]]
    no_eszett: frozenset[str]
    titles: dict[str, dict[str, str]]
    kin_words: dict[str, tuple[str, ...]]
    first_surname: frozenset[str]
    note_register: dict[str, dict[str, tuple[str, ...]]]
    lower_after_salutation: frozenset[str]
    voices: dict[str, dict[str, str]]


@cache
def _table() -> _VoiceFile:
    return load_table("composer_voice", _VoiceFile)


@cache
def _voseo() -> re.Pattern[str] | None:
    return compile_cues(_table().voseo_words)


@cache
def _tu() -> re.Pattern[str] | None:
    return compile_cues(_table().tu_words)


@cache
def _t_forms(language: str) -> re.Pattern[str] | None:
    return compile_cues(_table().t_forms.get(language, ()))


def lower_after_salutation() -> frozenset[str]:
    """Languages whose letter goes on in lower case after a salutation ending in a comma."""
    return _table().lower_after_salutation


def salutation_table() -> _VoiceFile:
    """The titles, kin words and surname rule salutation.py reads."""
    return _table()


@cache
def _dm() -> re.Pattern[str] | None:
    return compile_cues(_table().dm_cues)


@dataclass(frozen=True)
class Voice:
    language: str
    register: Register
    keys: tuple[str, ...]  # the table keys merged, general to specific
    phrases: Phrases
    lines: Mapping[str, str]

    def line(self, name: str) -> str:
        return self.lines[name]


def _agent_register(thread: Thread, language: str) -> Register:
    """The register our earlier turns used, newest first: a thread keeps the address it started."""
    for message in reversed(thread.messages):
        if message.role is Role.agent and message.body.strip():
            found = read_register(message.body[:_AGENT_CHARS], language).register
            if found is not Register.unknown:
                return found
    return Register.unknown


def _locale(thread: Thread) -> str:
    if thread.options and thread.options.language and "-" in thread.options.language:
        return thread.options.language
    return thread.customer.locale or ""


@cache
def _note_cues(kind: str, language: str) -> re.Pattern[str] | None:
    return compile_cues(_table().note_register.get(kind, {}).get(language, ()))


_NOTE_SENTENCE = re.compile(r"(?<=[.!?;\n])\s+")


def note_register(thread: Thread, language: str) -> Register:
    """How a note says the brand addresses customers here ("Auf Facebook duzen wir", "Sur les
    réseaux on tutoie"): a constraint like any other note's. Unknown when no note says it, when a
    negation shares the sentence ("nicht duzen"), or when notes say both."""
    negation = _note_cues("negations", language)
    found: set[Register] = set()
    for message in thread.messages:
        if message.role is not Role.note:
            continue
        for sentence in _NOTE_SENTENCE.split(fold(message.body[:_AGENT_CHARS])):
            if negation is not None and negation.search(sentence):
                continue
            for kind, register in (("informal", Register.informal), ("formal", Register.formal)):
                pattern = _note_cues(kind, language)
                if pattern is not None and pattern.search(sentence):
                    found.add(register)
    return found.pop() if len(found) == 1 else Register.unknown


def register_for(thread: Thread, analysis: ThreadAnalysis) -> Register:
    """The address a note prescribes, else the customer's own register, else our earlier turns',
    else the thread's formal tone. A formal address our turns established stays unless the
    customer uses an informal form."""
    prescribed = note_register(thread, analysis.language)
    if prescribed is not Register.unknown:
        return prescribed
    ours = _agent_register(thread, analysis.language)
    if analysis.register is Register.informal and ours is Register.formal:
        # Casual words are not an offer to change the address we established ("o senhor");
        # an informal pronoun or verb form is.
        last = thread.last_customer_message().body[:_AGENT_CHARS]
        pattern = _t_forms(analysis.language)
        return Register.informal if pattern and pattern.search(fold(last)) else Register.formal
    if analysis.register is not Register.unknown:
        return analysis.register
    if ours is not Register.unknown:
        return ours
    if thread.options and thread.options.tone is Tone.formal:
        return Register.formal
    if thread.channel is Channel.social and analysis.variant in _table().informal_on_social:
        return Register.informal
    return Register.unknown


def _thread_shows(thread: Thread, pattern: re.Pattern[str] | None) -> bool:
    """Whether the customer's newest message or any of our own turns uses these forms: a
    thread keeps the address it established ("vos", "tua"), whoever wrote it first."""
    if pattern is None:
        return False
    texts = [thread.last_customer_message().body]
    texts += [m.body for m in thread.messages if m.role is Role.agent]
    return any(pattern.search(fold(text[:_AGENT_CHARS])) for text in texts)


def _uses_voseo(thread: Thread, analysis: ThreadAnalysis) -> bool:
    if analysis.language != "es":
        return False
    return _locale(thread) in _table().voseo_locales or _thread_shows(thread, _voseo())


def _uses_tu(thread: Thread, analysis: ThreadAnalysis, variant: str | None) -> bool:
    """Brazilian "tu" (the South, gaúcho): answered with tu, not the informal "você"."""
    return analysis.language == "pt" and variant == "pt-BR" and _thread_shows(thread, _tu())


def voice_for(thread: Thread, analysis: ThreadAnalysis) -> Voice:
    language = analysis.language if analysis.language in _table().voices else "en"
    register = register_for(thread, analysis)
    variant = analysis.variant or (_locale(thread) or None)
    locale = _locale(thread)
    if variant == language and locale.startswith(f"{language}-"):
        # The text shows only the language ("de"); the locale says which one (de-CH, fr-CA).
        variant = locale
    keys = ["en", language]
    if variant and variant != language:
        keys.append(variant)
    if register is Register.informal:
        keys.append(f"{language}@informal")
        if variant and variant != language:
            keys.append(f"{variant}@informal")
        if _uses_voseo(thread, analysis):
            keys.append(f"{language}@voseo")
        if _uses_tu(thread, analysis, variant):
            keys.append(f"{variant}@tu")
    voices = _table().voices
    used = tuple(dict.fromkeys(k for k in keys if k in voices))
    lines: dict[str, str] = {}
    for key in used:
        lines.update(voices[key])
    phrases = phrases_for(language)
    fields = set(Phrases.model_fields)
    update: dict[str, object] = {k: v for k, v in lines.items() if k in fields and k != "closing"}
    closings = {_TONES[k.removeprefix("closing_")]: v for k, v in lines.items() if k.startswith("closing_")}
    if closings:
        update["closing"] = {**phrases.closing, **closings}
    return Voice(language, register, used, phrases.model_copy(update=update), lines)


def spelled_for(voice: Voice, text: str) -> str:
    """The reply in its variant's spelling: Swiss German writes "ss" where Germany writes "ß"."""
    if any(key in _table().no_eszett for key in voice.keys):
        return text.replace("ß", "ss")
    return text


def moved_to_private(thread: Thread) -> bool:
    """True when the customer is in a private conversation or already sent one, or we have
    answered before: asking them to message us privately again is pointless."""
    if thread.channel is not Channel.social:
        return True
    if any(m.role is Role.agent for m in thread.messages):
        return True
    pattern = _dm()
    return pattern is not None and any(
        pattern.search(fold(m.body[:_AGENT_CHARS])) for m in thread.messages if m.role is Role.customer
    )


def already_in_private(thread: Thread) -> bool:
    """True when a private message is pointless: the customer is in one or already sent one, or
    we have answered before or hold notes on the case (we have what we need)."""
    if thread.channel is not Channel.social:
        return True
    if any(m.role in (Role.agent, Role.note) for m in thread.messages):
        return True
    pattern = _dm()
    return pattern is not None and any(
        pattern.search(fold(m.body[:_AGENT_CHARS])) for m in thread.messages if m.role is Role.customer
    )


def in_public(thread: Thread) -> bool:
    """A social thread read as a public post or comment: no label of a private conversation in
    its subject ("DM:", "Mensaje directo"). Public replies own the problem briefly and take the
    details (references, amounts, steps) to a private message."""
    if thread.channel is not Channel.social:
        return False
    pattern = _dm()
    return pattern is None or pattern.search(fold(thread.subject or "")) is None
