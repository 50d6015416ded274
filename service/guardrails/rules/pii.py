"""`pii` (block): personal data in a reply: payment card numbers (Luhn-valid, or four groups of
four after a card word), IBANs (mod-97 valid), e-mail addresses and phone numbers.

The customer's own contact details are allowed: an e-mail address or phone number (or IBAN) that
appears in the thread (the customer's address, their messages, the agent's signature), or an
address whose local part carries the customer's name, may be said back to them. Card numbers
never: a full card number is not repeated even to its holder. Role addresses (support@,
billing@...), placeholder addresses on documentation domains (user@example.com) and numbers
introduced as our own line ("call us on ...") are ours to give. A phone number is someone else's
only when it has a personal shape (a mobile number of the reply's language) or a personal cue
stands just before it ("his number", "auf seinem Handy"): any other number in a reply is a
company line, which is fine to give. Messages name the kind and the position, never the value.
"""

from __future__ import annotations

import re
from typing import ClassVar

from service.guardrails.context_text import newest_text
from service.guardrails.document import Document
from service.guardrails.lexicon import PatternEntry, PatternLexicon
from service.guardrails.rules.base import Hit, RuleContext, at
from service.guardrails.rules.pattern_rule import PatternHit, PatternRule
from service.models import Finding, Severity, Thread

_DIGITS = re.compile(r"\d")
# Number shapes that are not phone numbers: dates, time ranges, IP addresses.
_NOT_PHONE = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|\d{1,2}[.:]\d{2}\s*-\s*\d{1,2}[.:]\d{2}"
    r"|\d{1,3}(?:\.\d{1,3}){3}"
)
_EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+")
_LOCAL_PART = re.compile(r"[\w.+-]")
_PHONE_SEPARATED = re.compile(r"\d[\s().-]+\d")
_NAME_PART = re.compile(r"\w{3,}")
_CUE_REACH = 50  # characters before a number searched for a personal cue ("his number on file is")
_OTHER_REACH = 60  # characters after an address searched for "another passenger"
_CARD_REACH = 30  # characters before a grouped number searched for a card word ("carte n°")
_CARD_GROUPS = re.compile(r"\d{4}(?:[ -]\d{4}){3}")


class PiiLexicon(PatternLexicon):
    role_mailboxes: list[str]  # local parts of shared team addresses
    public_domains: list[str]  # documentation domains (example.com...)
    our_line_cues: list[str]  # words just before a number that make it our own line
    phone_digits: tuple[int, int]  # min and max digits of a phone number
    placeholder_mailboxes: list[str]  # generic local parts, allowed on documentation domains
    personal_line_cues: list[str]  # words before a number that make it a person's own line
    mobile_shapes: dict[str, list[str]]  # language -> regexes over a mobile number's digits
    person_titles: list[str]  # "Mr", "Frau"...: with a name before a number, the number is theirs
    card_cues: list[str]  # words before a grouped 16-digit number that make it a card
    other_person_cues: list[str]  # regexes after an address that give it to someone else


# Each digit in an odd place from the right, doubled and its digits summed (Luhn's table), and
# the same as a byte table over ASCII digits for bytes.translate.
_LUHN_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)
_LUHN_BYTES = bytes(_LUHN_DOUBLED[b - 48] if 48 <= b <= 57 else 0 for b in range(256))


def luhn_ok(digits: str) -> bool:
    """The Luhn checksum of a digit string (any Unicode decimal digits, as `int` reads them).

    A reply of digit runs asks this of every run (issue 12: 1,000 runs in a 20,000-character
    reply), so ASCII digits are summed as bytes, in C: the places counted from the right by
    slices, the doubled ones through a translation table.
    """
    backwards = digits[::-1]
    if backwards.isascii() and backwards.isdigit():
        raw = backwards.encode()
        kept = raw[0::2]
        return (sum(kept) - 48 * len(kept) + sum(raw[1::2].translate(_LUHN_BYTES))) % 10 == 0
    total = sum(map(int, backwards[0::2])) + sum(_LUHN_DOUBLED[int(c)] for c in backwards[1::2])
    return total % 10 == 0


def iban_ok(compact: str) -> bool:
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(c, 36)) for c in rearranged)
    return int(number) % 97 == 1


def _original_length(value: str, compact_length: int) -> int:
    """Characters of `value` (spaces included) that hold its first `compact_length` non-spaces."""
    seen = 0
    for index, char in enumerate(value):
        if char != " ":
            seen += 1
            if seen == compact_length:
                return index + 1
    return len(value)


def _digits(text: str) -> str:
    return "".join(_DIGITS.findall(text))


def thread_details(thread: Thread | None) -> tuple[frozenset[str], frozenset[str]]:
    """(e-mail addresses, digit strings) the customer gave us or that are the agent's own."""
    if thread is None:
        return frozenset(), frozenset()
    texts = newest_text(m.body for m in thread.customer_messages())
    texts += [thread.customer.email or "", thread.agent.signature or ""]
    emails = {e.casefold() for text in texts for e in _EMAIL.findall(text)}
    numbers = {_digits(m.group()) for text in texts for m in re.finditer(r"[+\d][\d\s().-]{6,40}\d", text)}
    numbers |= {
        _digits(m.group()) for text in texts for m in re.finditer(r"[A-Z]{2}\d{2}[A-Z0-9 ]{11,40}", text)
    }
    return frozenset(emails), frozenset(n for n in numbers if len(n) >= 6)


def customer_names(thread: Thread | None) -> frozenset[str]:
    """The customer's name parts of three letters or more, folded ("Sofia Lind" -> sofia, lind)."""
    if thread is None or not thread.customer.name:
        return frozenset()
    return frozenset(part.casefold() for part in _NAME_PART.findall(thread.customer.name))


class Pii(PatternRule):
    id: ClassVar[str] = "pii"
    # Issue 12: below its block target on the development corpus (README), so it ships as warn.
    default_severity: ClassVar[Severity] = Severity.warn
    lexicon_file: ClassVar[str | None] = "pii.yaml"
    lexicon_model: ClassVar[type[PatternLexicon]] = PiiLexicon

    def __init__(self, lexicon: PatternLexicon) -> None:
        super().__init__(lexicon)
        if not isinstance(lexicon, PiiLexicon):
            raise TypeError("pii needs a PiiLexicon")
        self._roles = frozenset(r.casefold() for r in lexicon.role_mailboxes)
        self._domains = tuple(d.casefold() for d in lexicon.public_domains)
        cues = "|".join(re.escape(c.casefold()) for c in lexicon.our_line_cues)
        self._our_line = re.compile(rf"(?:{cues})[\s:,]*\Z")
        self._phone_min, self._phone_max = lexicon.phone_digits
        self._placeholders = frozenset(p.casefold() for p in lexicon.placeholder_mailboxes)
        personal = "|".join(re.escape(c.casefold()) for c in lexicon.personal_line_cues)
        self._personal = re.compile(rf"\b(?:{personal})\b") if personal else None
        self._mobile = {
            lang: tuple(re.compile(shape) for shape in shapes)
            for lang, shapes in lexicon.mobile_shapes.items()
        }
        titles = "|".join(re.escape(t) for t in lexicon.person_titles)
        # A title, its dot, then a capitalised name; no sentence end or line break up to the number.
        self._named_person = (
            re.compile(rf"(?<!\w)(?:{titles})\.?[ \t]+[A-ZÀ-ÖØ-Þ][\w'-]+[^.!?\n]*\Z") if titles else None
        )
        cards = "|".join(re.escape(c) for c in lexicon.card_cues)
        others = "|".join(f"(?:{c})" for c in lexicon.other_person_cues)
        self._other_person = re.compile(others) if others else None
        self._card_cue = re.compile(rf"\b(?:{cards})\b") if cards else None

    def accept(self, entry: PatternEntry, match: re.Match[str], doc: Document) -> tuple[int, int] | None:
        value = match.group()
        if entry.check == "email":
            text = match.string
            start = at_sign = match.start()
            local = _LOCAL_PART.match
            while start > 0 and at_sign - start < 64 and local(text[start - 1]):
                start -= 1
            return start, match.end()
        if entry.check == "luhn":
            digits = _digits(value)
            if not 13 <= len(digits) <= 19 or len(set(digits)) == 1:
                return None
            if luhn_ok(digits) or self._announced_card(match):
                return match.span()
            return None
        if entry.check == "iban":
            compact = value.replace(" ", "")
            while len(compact) >= 15:  # a word in capitals after the IBAN may have been swallowed
                if iban_ok(compact):
                    return match.start(), match.start() + _original_length(value, len(compact))
                compact = compact[:-1]
            return None
        if entry.check == "phone":
            digits = _digits(value)
            if not self._phone_min <= len(digits) <= self._phone_max or _NOT_PHONE.fullmatch(value.strip()):
                return None
            international = value.startswith(("+", "00", "("))
            separators = len(_PHONE_SEPARATED.findall(value))
            # A bare run of digits is an order or ticket number; one break ("07700 900431") is a
            # phone number only in a mobile's shape.
            if not international and (
                separators == 0 or (separators == 1 and not self._personal_shape(value, doc.language[0]))
            ):
                return None
            return match.span()
        return match.span()

    def _announced_card(self, match: re.Match[str]) -> bool:
        """A 16-digit number in four groups of four right after a card word ("carte n° 4970 ...")."""
        if self._card_cue is None or _CARD_GROUPS.fullmatch(match.group()) is None:
            return False
        before = match.string[max(0, match.start() - _CARD_REACH) : match.start()].casefold()
        return self._card_cue.search(before) is not None

    def message(self, entry: PatternEntry, start: int, end: int) -> str:
        return f"Personal data ({entry.label}) appears {at(start, end)}; it does not belong in a reply."

    def _given_to_another(self, doc: Document, end: int) -> bool:
        """Does the address's sentence go on to give it to someone else ("another passenger's")?"""
        if self._other_person is None:
            return False
        after = doc.original[end : end + _OTHER_REACH]
        after = re.split(r"[.!?\n]", after, maxsplit=1)[0].casefold()
        return self._other_person.search(after) is not None

    def _personal_shape(self, value: str, language: str) -> bool:
        """Is the number a mobile, by the reply language's shapes (an international form by any)?"""
        digits = _digits(value)
        stripped = value.lstrip("( ")
        if stripped.startswith(("+", "00")):
            digits = digits.removeprefix("00")
            shapes = [s for group in self._mobile.values() for s in group]
        else:
            shapes = list(self._mobile.get(language, ()))
        return any(shape.search(digits) for shape in shapes)

    def _email_allowed(
        self,
        start: int,
        value: str,
        doc: Document,
        emails: frozenset[str],
        names: frozenset[str],
        verdicts: dict[str, bool] | None = None,
    ) -> bool:
        # The line break is looked for only after the last space: a reply with no line break near
        # is not read back to its start once per address.
        space = doc.original.rfind(" ", 0, start)
        token_start = max(space, doc.original.rfind("\n", max(space, 0), start)) + 1
        if "://" in doc.original[token_start:start]:
            return True  # user info in a URL ("postgres://user:pw@host"): a credential, not an address
        if verdicts is None:
            return self._address_allowed(value, emails, names)
        # The rest depends on the address alone: one check reads a repeated address once.
        verdict = verdicts.get(value)
        if verdict is None:
            verdict = verdicts[value] = self._address_allowed(value, emails, names)
        return verdict

    def _address_allowed(self, value: str, emails: frozenset[str], names: frozenset[str]) -> bool:
        folded = value.casefold()
        local, _, domain = folded.partition("@")
        documentation = any(domain == d or domain.endswith("." + d) for d in self._domains)
        return (
            folded in emails
            or local in self._roles
            or (documentation and local in self._placeholders)
            # The customer's own address said back ("is this the account for sofia.lind@...?").
            or not names.isdisjoint(_NAME_PART.findall(local))
        )

    def allowed(
        self,
        hit: PatternHit,
        doc: Document,
        details: tuple[frozenset[str], frozenset[str]],
        names: frozenset[str] = frozenset(),
        verdicts: dict[str, bool] | None = None,
    ) -> bool:
        """Is the hit allowed in a reply? `verdicts`: one check's memo of addresses judged."""
        emails, numbers = details
        value = doc.original[hit.start : hit.end]
        kind = hit.entry.check
        if kind == "email":
            if value.casefold() not in emails and self._given_to_another(doc, hit.end):
                return False
            return self._email_allowed(hit.start, value, doc, emails, names, verdicts)
        if kind == "luhn":
            return False
        if _digits(value) in numbers:
            return True
        if kind == "phone":
            before = doc.original[max(0, hit.start - _CUE_REACH) : hit.start].casefold()
            if self._our_line.search(before[-40:]) is not None:
                return True
            personal_cue = (self._personal is not None and self._personal.search(before) is not None) or (
                self._named_person is not None
                and self._named_person.search(doc.original[max(0, hit.start - _CUE_REACH) : hit.start])
                is not None
            )
            return not personal_cue and not self._personal_shape(value, doc.language[0])
        return False

    def matches(self, doc: Document) -> list[PatternHit]:
        text = doc.cased.text
        if "@" not in text and _DIGITS.search(text) is None:
            return []  # every kind needs an "@" or a digit: most replies stop here
        return super().matches(doc)

    def check(self, doc: Document, ctx: RuleContext) -> list[Hit]:
        hits = self.matches(doc)
        if not hits:
            return []
        details = thread_details(ctx.thread)
        names = customer_names(ctx.thread)
        verdicts: dict[str, bool] = {}
        return [
            Hit(self.message(hit.entry, hit.start, hit.end), hit.start, hit.end, hit.entry.suggestion)
            for hit in hits
            if not self.allowed(hit, doc, details, names, verdicts)
        ]

    def instruction(self, finding: Finding) -> str:
        return (
            f"Remove the personal data {at(finding.start, finding.end)}; do not repeat, mask or "
            "paraphrase it. Refer to it generically instead (e.g. 'the card ending in the digits you "
            "gave', 'your registered e-mail address')."
        )
