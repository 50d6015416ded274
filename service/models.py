"""Wire models: the JSON contracts of docs/api.md, as pydantic v2 models.

These shapes are relied on by integrations, benchmarks and tests we do not see; change them only
by adding optional fields. Size limits that depend on configuration (message count, text length)
are enforced by :mod:`service.infra.limits` so that operators can tune them; the static bounds here are
the ones no deployment should ever exceed.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# --- Invisible characters ---------------------------------------------------------------------------
# Unicode's format characters (category Cf: zero-width spaces and joiners, bidi embeddings,
# overrides and isolates, the BOM, the soft hyphen, invisible operators, tag characters) draw
# nothing. A message made only of them and whitespace is empty. In a reply they can reorder what
# the customer sees (a bidi override) or hide text, so the pipeline takes them out before a draft is
# checked; the one exception is a zero-width joiner between two emoji, which joins them into one.


def _char_class(codes: list[int]) -> str:
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "".join(re.escape(chr(a)) + (f"-{re.escape(chr(b))}" if b > a else "") for a, b in ranges)


# Every format character, computed once at import: the BMP, and the astral blocks that hold any
# (Egyptian hieroglyph and shorthand controls, musical symbol formatting, tags).
_ASTRAL = [*range(0x110BD, 0x110CE), *range(0x13430, 0x13460), *range(0x1BCA0, 0x1BCA4),
           *range(0x1D173, 0x1D17B), *range(0xE0000, 0xE0080)]  # fmt: skip
_FORMAT_CODES = [c for c in [*range(0x10000), *_ASTRAL] if unicodedata.category(chr(c)) == "Cf"]
_ZWJ = 0x200D
_FORMAT = _char_class(_FORMAT_CODES)
_EMOJI = "\u2600-\u27bf\ufe0f\U0001f000-\U0001faff"
_VISIBLE = re.compile(rf"[^\s{_FORMAT}]")
_INVISIBLE = re.compile(
    rf"[{_char_class([c for c in _FORMAT_CODES if c != _ZWJ])}]"
    rf"|(?<![{_EMOJI}])\u200d|\u200d(?![{_EMOJI}])"
)


def has_visible_text(text: str) -> bool:
    """Is there anything but whitespace and invisible format characters?"""
    return _VISIBLE.search(text) is not None


def strip_invisible(text: str) -> str:
    """``text`` without format characters (a zero-width joiner between two emoji stays)."""
    return text if text.isascii() else _INVISIBLE.sub("", text)


class Channel(StrEnum):
    email = "email"
    chat = "chat"
    sms = "sms"
    social = "social"
    other = "other"


class Role(StrEnum):
    customer = "customer"
    agent = "agent"
    note = "note"  # a private note: never shown to the customer; the prompt gives it as facts (issue 13)


class Provider(StrEnum):
    """Who wrote a draft: an OpenAI-compatible endpoint, or the offline composer."""

    openai = "openai"
    offline = "offline"


class Severity(StrEnum):
    block = "block"
    warn = "warn"
    info = "info"


class Verdict(StrEnum):
    pass_ = "pass"  # noqa: S105 - a verdict, not a password
    warn = "warn"
    block = "block"


class DraftStatus(StrEnum):
    approved = "approved"
    needs_review = "needs_review"
    blocked = "blocked"


class _Wire(BaseModel):
    # Helpdesks and clients add fields of their own; ignoring them keeps old clients working.
    # serialize_by_alias: a field whose Python name differs from its JSON name (DraftAnalysis
    # `register`) is written under its JSON name, whoever dumps it (Litestar, the cache).
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False, serialize_by_alias=True)


ShortText = Annotated[str, Field(max_length=1_000)]


class Customer(_Wire):
    name: ShortText | None = None
    email: ShortText | None = None
    locale: Annotated[str, Field(max_length=35)] | None = None  # BCP 47, e.g. "pt-BR"


class Agent(_Wire):
    name: ShortText | None = None
    signature: Annotated[str, Field(max_length=2_000)] | None = None


class Message(_Wire):
    role: Role
    body: str
    created_at: datetime | None = None


class Tone(StrEnum):
    warm = "warm"
    neutral = "neutral"
    formal = "formal"


class DraftOptions(_Wire):
    tone: Tone | None = None
    max_words: Annotated[int, Field(ge=20, le=2_000)] | None = None
    language: Annotated[str, Field(min_length=2, max_length=35)] | None = None


class Thread(_Wire):
    """A helpdesk conversation: the input of every door."""

    id: ShortText | None = None
    subject: ShortText | None = None
    channel: Channel = Channel.email
    customer: Customer = Field(default_factory=Customer)
    agent: Agent = Field(default_factory=Agent)
    messages: list[Message] = Field(min_length=1)
    options: DraftOptions | None = None

    @model_validator(mode="after")
    def _has_customer_text(self) -> Thread:
        # Zero-width and other format characters draw nothing: a message of only those is empty.
        if not any(m.role is Role.customer and has_visible_text(m.body) for m in self.messages):
            raise ValueError("the thread needs at least one customer message with visible text")
        return self

    def customer_messages(self) -> list[Message]:
        return [m for m in self.messages if m.role is Role.customer and has_visible_text(m.body)]

    def last_customer_message(self) -> Message:
        return self.customer_messages()[-1]


class Finding(_Wire):
    rule: str
    severity: Severity
    message: str
    start: int | None = None
    end: int | None = None
    suggestion: str | None = None


class GuardrailReport(_Wire):
    verdict: Verdict
    ruleset_version: str
    findings: list[Finding] = Field(default_factory=list)

    def has_blocking(self) -> bool:
        return any(f.severity is Severity.block for f in self.findings)

    def failed(self, rule: str) -> bool:
        return any(f.rule == rule and f.severity is not Severity.info for f in self.findings)

    def fired(self, rule: str) -> bool:
        """Whether ``rule`` has any finding, whatever severity an operator gave it."""
        return any(f.rule == rule for f in self.findings)


class Usage(_Wire):
    prompt_tokens: int
    completion_tokens: int
    estimated: bool = Field(
        False,
        description="True when the server reported no usage and these are Tactful's estimates "
        "(UTF-8 bytes per token, calibrated on the usage the server does report).",
    )


class LLMIncident(_Wire):
    """Something the LLM's answer needed handling for, and what was done about it."""

    kind: Literal["context_length", "length", "incomplete"] = Field(
        description="`context_length`: the prompt was over the model's context window; `length`: the "
        "answer was cut at the completion limit; `incomplete`: the stream ended without a finish "
        "reason (cut off, or interrupted by the server)."
    )
    action: Literal["shrunk", "reasked", "flagged", "retried", "fell_back"] = Field(
        description="`shrunk`: asked again with a shorter thread; `reasked`: asked for a shorter reply; "
        "`flagged`: kept, with a `length` finding (needs review); `retried`: asked again; "
        "`fell_back`: the offline composer wrote the draft instead."
    )


class EvidenceSpan(_Wire):
    """Words of one thread message: ``thread.messages[message].body[start:end] == text``."""

    message: int = Field(description="Index of the message in the thread's messages.")
    start: int
    end: int
    text: str


class FeelingHint(_Wire):
    name: Literal[
        "anger",
        "frustration",
        "worry",
        "disappointment",
        "grief",
        "sarcasm",
        "urgency",
        "threat",
        "gratitude",
        "excitement",
    ]
    intensity: Annotated[int, Field(ge=1, le=3, description="1 mild or implied, 2 clear, 3 strong.")]
    evidence: list[EvidenceSpan] = Field(default_factory=list)


class FactHint(EvidenceSpan):
    kind: Literal["id", "amount", "date", "deadline", "error", "tried", "device"]


class DraftAnalysis(_Wire):
    """How the customer's newest message was read: why the draft sounds as it does."""

    # "register" would shadow BaseModel.register (an ABC method): the attribute is
    # `address_register`, the JSON field is "register" both ways.
    model_config = ConfigDict(extra="ignore", serialize_by_alias=True, validate_by_name=True)

    language: str
    variant: str | None = Field(
        None, description="pt-PT, pt-BR, es-ES, es-419, en, de, fr; null when unsure."
    )
    address_register: Literal["formal", "informal", "unknown"] = Field(
        "unknown", alias="register", description="How the customer addresses us."
    )
    feelings: list[FeelingHint] = Field(default_factory=list)
    request: EvidenceSpan | None = Field(None, description="What the customer asks for now.")
    facts: list[FactHint] = Field(default_factory=list, description="What the customer already gave.")


class DraftResult(_Wire):
    id: str
    status: DraftStatus
    reply: str | None
    rejected_draft: str | None
    guardrails: GuardrailReport
    provider: Provider
    model: str
    prompt_version: str
    attempts: int
    cached: bool
    usage: Usage | None
    timings_ms: dict[str, float] = Field(default_factory=dict)
    analysis: DraftAnalysis | None = None
    llm_incidents: list[LLMIncident] = Field(
        default_factory=list, description="What the LLM's answers needed (see LLMIncident); usually empty."
    )


class GuardrailCheckRequest(_Wire):
    text: str
    thread: Thread | None = None
