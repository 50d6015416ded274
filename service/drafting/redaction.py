"""PII redaction: sensitive values leave the process as placeholders and come back in the draft.

Before a prompt is rendered, e-mail addresses, phone numbers, payment card numbers (Luhn-checked),
IBANs (mod-97-checked), API keys and tokens, and passwords written in the text are replaced with
placeholders such as ``[EMAIL_1]``. The LLM writes its draft with those placeholders, and
:meth:`Redaction.restore` puts the values back before the guardrails judge the draft, so the final
check sees the text the customer will get (the ``secret`` and ``pii`` rules still block a reply
that would hand a credential or card number back).

What counts as sensitive is what the ``secret`` and ``pii`` guardrails find (their lexicons, loaded
through the guardrails' public loaders): a format the guardrails learn is redacted here too, and a
value the final check would flag is never shown to the model.

One :class:`Redaction` covers one thread: the same value gets the same placeholder in every
message, so the model can still tell that two mentions are the same address. Text that already
looks like one of our placeholders is redacted too, so restoring never turns a customer's literal
``[EMAIL_1]`` into someone's address.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from service.guardrails.document import Document
from service.guardrails.lexicon import Sources, parse, read_lexicon_files
from service.guardrails.rules.pii import Pii
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

# A phone-shaped run of digits grouped by threes ("12 500 000") is an amount.
_THOUSANDS = re.compile(r"\d{1,3}(?:([ .,])\d{3})(?:\1\d{3})*")

# Phone-shaped text that is something else: a date or timestamp inside the run, a time right after it
# ("2024-03-01 10" + ":45"), or an id or version named just before it. Timestamps, versions and order
# ids are facts the model needs (issue 13); the bounded look-behind keeps this linear.
_DATE_INSIDE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")
_NAMED_BEFORE = re.compile(
    r"(?:order|ticket|invoice|booking|ref(?:erence)?|case|account|contract|claim|tracking|version|build|"
    r"firmware|serial|pedido|factura|reserva|número|nummer|bestellung|rechnung|commande|facture|dossier|"
    r"encomenda|fatura|protocolo|processo|n[°º.]|nr\.?|no\.|#)\W{0,3}$",
    re.IGNORECASE,
)


def _not_a_phone(text: str, start: int, end: int) -> bool:
    value = text[start:end]
    if value.startswith(("+", "00")):
        return False
    if text[end : end + 1] == ":" and text[end + 1 : end + 2].isdigit():
        return True
    if _DATE_INSIDE.search(value):
        return True
    return _NAMED_BEFORE.search(text, max(0, start - 24), start) is not None


# The ``pii`` guardrail's entries, by their ``check``, and the placeholder kind each becomes.
_PII_KINDS = {"luhn": Kind.CARD, "iban": Kind.IBAN, "email": Kind.EMAIL, "phone": Kind.PHONE}

# Characters read on either side of a part (Redaction.redact_part): more than the longest value any
# detector finds (a PEM private key of 4096 bits is ~3,300 characters).
PART_MARGIN = 4_096


@dataclass(frozen=True, order=True)
class Span:
    start: int
    end: int
    kind: Kind


def _placeholders(text: str) -> Iterator[Span]:
    for match in PLACEHOLDER.finditer(text):
        yield Span(match.start(), match.end(), Kind(match.group(1)))


class Redactor:
    """The detectors, compiled once at start-up. :meth:`session` starts one thread's redaction."""

    def __init__(self, secret_rule: Secret, pii_rule: Pii) -> None:
        self._secret = secret_rule
        self._pii = pii_rule

    @classmethod
    def load(cls) -> Redactor:
        """Build the redactor on the ``secret`` and ``pii`` guardrails' lexicons (packaged data)."""
        files = read_lexicon_files()
        sources = parse(Sources, "sources.yaml", files["sources.yaml"])
        return cls(
            Secret.load(files.get(Secret.lexicon_file or ""), sources),
            Pii.load(files.get(Pii.lexicon_file or ""), sources),
        )

    def _detect(self, text: str) -> Iterator[Span]:
        doc = Document.of(text)
        for hit in self._secret.matches(doc):
            yield Span(hit.start, hit.end, Kind.PASSWORD if hit.entry.check == "credential" else Kind.SECRET)
        for hit in self._pii.matches(doc):
            kind = _PII_KINDS.get(hit.entry.check)
            value = text[hit.start : hit.end]
            if kind is Kind.PHONE and not value.startswith("+") and _THOUSANDS.fullmatch(value):
                continue
            if kind is Kind.PHONE and _not_a_phone(text, hit.start, hit.end):
                continue
            if kind is not None:
                yield Span(hit.start, hit.end, kind)
        yield from _placeholders(text)

    def find(self, text: str) -> list[Span]:
        """Non-overlapping sensitive spans of ``text``, in order; overlaps go to the stronger kind.

        Spans are taken strongest kind first; each is kept unless it overlaps one already kept,
        which only its neighbours in start order can do (the kept spans never overlap each other):
        two binary searches per span, so the whole pass is O(n log n), however many spans overlap.
        """
        found = sorted(self._detect(text), key=lambda s: (_PRIORITY[s.kind], s.start, -s.end))
        kept: list[Span] = []
        starts: list[int] = []
        for span in found:
            index = bisect.bisect_left(starts, span.start)
            if index > 0 and kept[index - 1].end > span.start:
                continue  # the kept span starting before this one reaches into it
            if index < len(kept) and kept[index].start < span.end:
                continue  # the kept span starting at or after this one begins inside it
            kept.insert(index, span)
            starts.insert(index, span.start)
        return kept

    def session(self) -> Redaction:
        return Redaction(self)


@dataclass
class Redaction:
    """One thread's placeholders. Not thread-safe; build one per draft."""

    redactor: Redactor
    _by_value: dict[tuple[Kind, str], str] = field(default_factory=dict)
    _by_placeholder: dict[str, str] = field(default_factory=dict)
    _counts: Counter[Kind] = field(default_factory=Counter)
    # The spans found per text. A draft's renders redact the same texts again (every kept message,
    # the notes, the customer's sentences the prompt quotes, at each fit, shrink and re-ask): about
    # half of a draft's detector passes were repeats. Bounded by what one thread's prompts show.
    _found: dict[str, list[Span]] = field(default_factory=dict)

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

    def _find(self, text: str) -> list[Span]:
        spans = self._found.get(text)
        if spans is None:
            spans = self._found[text] = self.redactor.find(text)
        return spans

    def redact(self, text: str) -> str:
        spans = self._find(text)
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

    def redact_part(self, text: str, start: int, end: int | None = None) -> str:
        """``text[start:end]`` redacted, reading :data:`PART_MARGIN` characters on either side.

        Only the part (and its margins) is scanned, so redacting the end of a long message costs
        what the part costs. A value cut by either edge is found whole in the margin, and its
        placeholder stands in for the piece inside the part: no fragment of a value gets through.
        """
        end = len(text) if end is None else end
        base = max(0, start - PART_MARGIN)
        window = text[base : min(len(text), end + PART_MARGIN)]
        first, last = start - base, end - base
        parts: list[str] = []
        position = first
        for span in self._find(window):
            if span.end <= position or span.start >= last:
                continue
            parts.append(window[position : max(position, span.start)])
            parts.append(self._placeholder(span.kind, window[span.start : span.end]))
            position = span.end
        parts.append(window[position:last] if position < last else "")
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
