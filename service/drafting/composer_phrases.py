"""The offline composer's base phrasebook per language (data/composer_phrases.yaml).

Register and variant lines on top of it come from data/composer_voice.yaml (voice.py).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from service.language.analysis import Category
from service.language.data import load_table
from service.models import Tone


class Phrases(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    greeting: str  # "{name}" is the first name
    greeting_formal: str  # "{name}" is the full name
    greeting_anonymous: str
    greeting_anonymous_formal: str
    inline_greeting: str  # SMS: greeting and reply in one sentence
    inline_greeting_anonymous: str
    steps_intro: str
    follow_up_email: str
    follow_up_urgent: str
    follow_up_chat: str
    follow_up_sms: str
    social_private: str
    closing: dict[Tone, str]
    team: str
    # Kept for the phrase tables' history; the composer no longer states a step from a guessed
    # category (issue 13): only "general" steps, which any thread supports, and note facts.
    steps: dict[Category, tuple[str, ...]]
    refund_issued: str  # {ref}, {timeline}: a refund our notes say was issued
    refund_issued_no_timeline: str
    variant_steps: dict[str, tuple[str, ...]] = {}  # the general steps in a language variant


class _PhrasebookFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    languages: dict[str, Phrases]


PHRASES: dict[str, Phrases] = load_table("composer_phrases", _PhrasebookFile).languages


def phrases_for(language: str) -> Phrases:
    return PHRASES.get(language, PHRASES["en"])
