"""PII redaction: sensitive values leave the process as placeholders and come back in the draft.

Before a prompt is rendered, e-mail addresses, phone numbers, payment card numbers (Luhn-checked),
IBANs (mod-97-checked), API keys and tokens, and passwords written in the text are replaced with
placeholders such as ``[EMAIL_1]``. The LLM writes its draft with those placeholders, and
:meth:`Redaction.restore` puts the values back before the guardrails judge the draft, so the final
check sees the text the customer will get (the ``secret`` and ``pii`` rules still block a reply
that would hand a credential or card number back).

Credentials are found with the ``secret`` guardrail's own patterns (its lexicon, loaded through
the guardrails' public loaders), so a new key format added there is redacted here too.

One :class:`Redaction` covers one thread: the same value gets the same placeholder in every
message, so the model can still tell that two mentions are the same address. Text that already
looks like one of our placeholders is redacted too, so restoring never turns a customer's literal
``[EMAIL_1]`` into someone's address.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from service.guardrails.document import Document
from service.guardrails.lexicon import Sources, parse, read_lexicon_files
from service.guardrails.rules.secret import Secret
from service.models import Thread


class Kind(StrEnum):
    # Declared in priority order: when two findings overlap, the earlier kind wins.
    SECRET = "SECRET"  # noqa: S105 - a placeholder kind, not a password
    PASSWORD = "PASSWORD"  # noqa: S105 - a placeholder kind, not a password
    CARD = "CARD"
    IBAN = "IBAN"
    EMAIL = "EMAIL"
    PHONE = "PHONE"


_PRIORITY = {kind: rank for rank, kind in enumerate(Kind)}

PLACEHOLDER = re.compile(r"\[(" + "|".join(k.value for k in Kind) + r")_(\d{1,4})\]")

_EMAIL = re.compile(r"(?<![\w.+'-])[\w.+'-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})*\.[^\W\d_]{2,24}(?![\w-])")
# 13-19 digits, optionally grouped by single spaces or hyphens; the Luhn check decides.
_CARD = re.compile(r"(?<![\w+-])\d(?:[ -]?\d){12,18}(?![\w-])")
# Upper-case country code and check digits, then 11-30 letters or digits, optionally in groups.
_IBAN = re.compile(r"(?<![\w-])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![\w-])")
# International numbers (+ or 00 prefix) or numbers written in groups; a bare run of digits is
# more often an order or ticket number than a phone, so it needs a leading + to count.
_PHONE = re.compile(
    r"(?<![\w+/.-])(?:(?:\+|00)\d{1,3}[ .-]?)?(?:\(\d{1,5}\)[ .-]?)?\d{2,5}(?:[ .-]\d{2,5}){1,5}(?![\w-])"
    r"|(?<![\w+])\+\d{7,15}(?![\w-])"
)
_DATE_LIKE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}")
_IP_LIKE = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_THOUSANDS = re.compile(r"\d{1,3}(?:([ .,])\d{3})(?:\1\d{3})*")
_MIN_PHONE_DIGITS, _MAX_PHONE_DIGITS = 7, 15


def luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def iban_ok(candidate: str) -> bool:
    compact = candidate.replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


@dataclass(frozen=True, order=True)
class Span:
    start: int
    end: int
    kind: Kind


def _cards(text: str) -> Iterator[Span]:
    for match in _CARD.finditer(text):
        digits = re.sub(r"[ -]", "", match.group())
        if 13 <= len(digits) <= 19 and luhn_ok(digits):
            yield Span(match.start(), match.end(), Kind.CARD)


def _ibans(text: str) -> Iterator[Span]:
    for match in _IBAN.finditer(text):
        value = match.group()
        # The pattern may run on into a following upper-case word or number: shorten until valid.
        while len(value.replace(" ", "")) >= 15:
            if iban_ok(value):
                yield Span(match.start(), match.start() + len(value), Kind.IBAN)
                break
            value = value[:-1].rstrip()


def _emails(text: str) -> Iterator[Span]:
    for match in _EMAIL.finditer(text):
        yield Span(match.start(), match.end(), Kind.EMAIL)


def _phones(text: str) -> Iterator[Span]:
    for match in _PHONE.finditer(text):
        value = match.group()
        digits = sum(c.isdigit() for c in value)
        if not _MIN_PHONE_DIGITS <= digits <= _MAX_PHONE_DIGITS:
            continue
        if not value.startswith(("+", "00")) and (
            _DATE_LIKE.fullmatch(value) or _IP_LIKE.fullmatch(value) or _THOUSANDS.fullmatch(value)
        ):
            continue  # 2024-03-15, 192.168.10.20 and 12 500 000 are not phone numbers
        yield Span(match.start(), match.end(), Kind.PHONE)


def _placeholders(text: str) -> Iterator[Span]:
    for match in PLACEHOLDER.finditer(text):
        yield Span(match.start(), match.end(), Kind(match.group(1)))


class Redactor:
    """The detectors, compiled once at start-up. :meth:`session` starts one thread's redaction."""

    def __init__(self, secret_rule: Secret) -> None:
        self._secret = secret_rule
        self._detectors: tuple[Callable[[str], Iterator[Span]], ...] = (
            self._secrets,
            _cards,
            _ibans,
            _emails,
            _phones,
            _placeholders,
        )

    @classmethod
    def load(cls) -> Redactor:
        """Build the redactor on the ``secret`` guardrail's lexicon (reads the packaged data files)."""
        files = read_lexicon_files()
        sources = parse(Sources, "sources.yaml", files["sources.yaml"])
        return cls(Secret.load(files.get(Secret.lexicon_file or ""), sources))

    def _secrets(self, text: str) -> Iterator[Span]:
        for hit in self._secret.matches(Document.of(text)):
            yield Span(hit.start, hit.end, Kind.PASSWORD if hit.entry.check == "credential" else Kind.SECRET)

    def find(self, text: str) -> list[Span]:
        """Non-overlapping sensitive spans of ``text``, in order; overlaps go to the stronger kind."""
        found = sorted(
            (span for detect in self._detectors for span in detect(text)),
            key=lambda s: (_PRIORITY[s.kind], s.start, -s.end),
        )
        kept: list[Span] = []
        for span in found:
            if all(span.end <= other.start or span.start >= other.end for other in kept):
                kept.append(span)
        return sorted(kept)

    def session(self) -> Redaction:
        return Redaction(self)


@dataclass
class Redaction:
    """One thread's placeholders. Not thread-safe; build one per draft."""

    redactor: Redactor
    _by_value: dict[tuple[Kind, str], str] = field(default_factory=dict)
    _by_placeholder: dict[str, str] = field(default_factory=dict)
    _counts: Counter[Kind] = field(default_factory=Counter)

    @property
    def counts(self) -> dict[str, int]:
        """How many distinct values of each kind were replaced (for metrics; no values)."""
        return {kind.value: n for kind, n in self._counts.items()}

    def _placeholder(self, kind: Kind, value: str) -> str:
        known = self._by_value.get((kind, value))
        if known is not None:
            return known
        self._counts[kind] += 1
        placeholder = f"[{kind.value}_{self._counts[kind]}]"
        self._by_value[(kind, value)] = placeholder
        self._by_placeholder[placeholder] = value
        return placeholder

    def redact(self, text: str) -> str:
        spans = self.redactor.find(text)
        if not spans:
            return text
        parts: list[str] = []
        position = 0
        for span in spans:
            parts.append(text[position : span.start])
            parts.append(self._placeholder(span.kind, text[span.start : span.end]))
            position = span.end
        parts.append(text[position:])
        return "".join(parts)

    def restore(self, text: str) -> str:
        """Put the values back; a placeholder we never issued stays as it is (the guardrails'
        ``placeholder`` rule then flags it)."""
        if not self._by_placeholder:
            return text
        return PLACEHOLDER.sub(lambda m: self._by_placeholder.get(m.group(), m.group()), text)

    def redact_thread(self, thread: Thread) -> Thread:
        """A copy of ``thread`` with every free-text field redacted (names are kept: the reply
        greets the customer by name)."""
        messages = [m.model_copy(update={"body": self.redact(m.body)}) for m in thread.messages]
        customer = thread.customer
        if customer.email:
            customer = customer.model_copy(update={"email": self.redact(customer.email)})
        agent = thread.agent
        if agent.signature:
            agent = agent.model_copy(update={"signature": self.redact(agent.signature)})
        subject = self.redact(thread.subject) if thread.subject else thread.subject
        return thread.model_copy(
            update={"messages": messages, "customer": customer, "agent": agent, "subject": subject}
        )


# "[" + the longest kind + "_" + four digits + "]": a held-back tail longer than this is no placeholder.
_MAX_PLACEHOLDER = 1 + max(len(kind.value) for kind in Kind) + 1 + 4 + 1


class StreamRestorer:
    """Restores placeholders in a stream of deltas, where one placeholder may arrive in pieces.

    A delta ending in what could still become a placeholder (``"... call [PHO"``) keeps that tail
    back until the next delta (or :meth:`flush`) tells; everything else passes at once.
    """

    def __init__(self, redaction: Redaction | None) -> None:
        self._redaction = redaction
        self._held = ""

    def feed(self, delta: str) -> str:
        if self._redaction is None:
            return delta
        text = self._held + delta
        cut = _split_point(text)
        self._held = text[cut:]
        return self._redaction.restore(text[:cut])

    def flush(self) -> str:
        text, self._held = self._held, ""
        return self._redaction.restore(text) if self._redaction is not None else text


def _split_point(text: str) -> int:
    opening = text.rfind("[")
    if opening == -1 or "]" in text[opening:] or len(text) - opening >= _MAX_PLACEHOLDER:
        return len(text)
    return opening
