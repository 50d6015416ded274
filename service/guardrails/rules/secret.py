"""`secret` (block): credentials with recognisable formats (API keys, tokens, private keys, JWTs,
"password: ..." assignments). The finding points at the secret; no message ever contains it."""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import ClassVar

from service.guardrails.document import Document
from service.guardrails.lexicon import PatternEntry, PatternLexicon
from service.guardrails.rules.base import article, at
from service.guardrails.rules.pattern_rule import PatternRule
from service.guardrails.rules.word_rule import phrase_regex
from service.models import Finding, Severity

# Sentence punctuation after a value is not part of it; "!" and "?" often are, so they stay in.
_TRAILING = ".,;:)]}>'\""
_MASKED = re.compile(r"[*•xX.#_-]+")  # "********": already hidden, nothing to leak
_SYMBOL = re.compile(r"[^\w\s]|_")
_MIN_ASSIGNED = 6


def looks_like_credential(value: str) -> bool:
    """Tell "password: Tr0ub4dor!" from "password: please reset it" (prose after a keyword)."""
    if len(value) < _MIN_ASSIGNED or _MASKED.fullmatch(value):
        return False
    has_digit = any(c.isdigit() for c in value)
    has_symbol = _SYMBOL.search(value) is not None
    mixed_case = any(c.isupper() for c in value[1:]) and any(c.islower() for c in value)
    return has_digit or has_symbol or mixed_case


# A machine-made token with no known prefix: long, mixing upper case, lower case and digits, and
# spread over many distinct characters (Shannon entropy per character). Words, identifiers in
# camel case and tracking numbers (one case) fall short of one of the three.
_MIN_RANDOM = 20
_MIN_RANDOM_DIGITS = 2
_MIN_ENTROPY_BITS = 3.6


def entropy_bits(value: str) -> float:
    """Shannon entropy per character of `value`, in bits."""
    counts = Counter(value)
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def looks_random(value: str) -> bool:
    """A token a machine made (an API key, an access token), judged by its shape alone."""
    if len(value) < _MIN_RANDOM:
        return False
    if not (any(c.isupper() for c in value) and any(c.islower() for c in value)):
        return False
    if sum(c.isdigit() for c in value) < _MIN_RANDOM_DIGITS:
        return False
    return entropy_bits(value) >= _MIN_ENTROPY_BITS


# A value that only stands for a credential: a mask ("xxxx", "****1234"), a placeholder made of
# words ("YOUR_API_KEY", "votre-cle-ici"), or the NAME of a setting ("STRIPE_SECRET_KEY",
# "$DB_PASSWORD", "${TOKEN}", "process.env.API_KEY"): documentation, not a secret handed over.
_MASK_RUN = re.compile(r"[xX*•#]{4,}")
_SEGMENTS = re.compile(r"[_\-.\s/:]+")
_ENV_NAME = re.compile(r"[$%]\{?[A-Za-z_][A-Za-z0-9_]*\}?%?|(?:process\.env|os\.environ|env)[.\[]\S*")
_CONSTANT_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[a-z]+(?:_[a-z]+)+")
# "case-sensitive", "incorrect", "réinitialisez-le": lower-case prose, not a value.
_PROSE_WORDS = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_LINK = re.compile(r"(?:[\w-]+\.)+[a-z]{2,}/\S*")  # "ondemobile.fr/mdp": where to reset it, not a value


def _prose(value: str) -> bool:
    return value == value.lower() and _PROSE_WORDS.fullmatch(value) is not None


def stands_in(value: str, placeholder_words: frozenset[str], *, assigned: bool = True) -> bool:
    """Is `value` a mask, a placeholder or a setting's name rather than a credential? A vendor key
    (`assigned` False: the whole match, prefix included) is only judged by masks and words."""
    if _MASK_RUN.search(value):
        return True
    if assigned and (
        _ENV_NAME.fullmatch(value)
        or _CONSTANT_NAME.fullmatch(value)
        or _prose(value)
        or _LINK.fullmatch(value)
    ):
        return True
    segments = [p for p in _SEGMENTS.split(value.casefold()) if p]
    if segments and all(p.isalpha() for p in segments):
        return any(p in placeholder_words for p in segments)
    return False


# A key block, and a webhook URL whose workspace and channel ids are real even when its last part
# is shown as X's, are credentials whatever their filler.
_ALWAYS_REAL = frozenset({"private_key", "slack_webhook"})

_PUBLIC_REACH = 60  # characters before a random-looking token where "address", "IBAN" ... name it


def _after_comma(text: str, start: int) -> bool:
    """Is the value announced by a comma ("a temporary password, Maple-Otter-7731")?"""
    before = text[max(0, start - 12) : start].rstrip(" \t*`\"'«“„")
    return before.endswith(",")


def _letters_and_digits(value: str) -> bool:
    return any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


def _strong(value: str) -> bool:
    """Letters, digits, and a symbol or mixed case: "Jabuti#8830", not "AB123456" or "Reset"."""
    mixed_case = any(c.isupper() for c in value) and any(c.islower() for c in value)
    return _letters_and_digits(value) and (mixed_case or _SYMBOL.search(value) is not None)


class SecretLexicon(PatternLexicon):
    # Nouns that name a random-looking token as something meant to be shared (a wallet address, a
    # tracking or serial number, a reference): such a token is not a credential.
    public_nouns: tuple[str, ...] = ()
    # Words a placeholder is made of, five languages ("your", "here", "example", "votre", "aqui").
    placeholder_words: tuple[str, ...] = ()


class Secret(PatternRule):
    id: ClassVar[str] = "secret"
    default_severity: ClassVar[Severity] = Severity.block
    lexicon_file: ClassVar[str | None] = "secret.yaml"
    lexicon_model: ClassVar[type[PatternLexicon]] = SecretLexicon

    def __init__(self, lexicon: PatternLexicon) -> None:
        super().__init__(lexicon)
        nouns = lexicon.public_nouns if isinstance(lexicon, SecretLexicon) else ()
        self._public = phrase_regex(nouns)
        words = lexicon.placeholder_words if isinstance(lexicon, SecretLexicon) else ()
        self._placeholder_words = frozenset(w.casefold() for w in words)

    def _named_public(self, text: str, start: int) -> bool:
        before = text[max(0, start - _PUBLIC_REACH) : start].casefold()
        return self._public is not None and self._public.search(before) is not None

    def accept(self, entry: PatternEntry, match: re.Match[str], doc: Document) -> tuple[int, int] | None:
        group = f"{entry.id}__value"
        if group not in match.re.groupindex or match.group(group) is None:
            if entry.id not in _ALWAYS_REAL and stands_in(
                match.group(), self._placeholder_words, assigned=False
            ):
                return None  # "sk-xxxxxxxxxxxxxxxxxxxxxxxx", "ghp_YOUR_TOKEN_HERE"
            return match.span()
        start = match.start(group)
        end = start + len(match.group(group).rstrip(_TRAILING))  # "password: hunter22." ends a sentence
        if stands_in(match.string[start:end], self._placeholder_words):
            return None
        if entry.check == "random":
            if not looks_random(match.string[start:end]) or self._named_public(match.string, start):
                return None
            return start, end
        if entry.check in ("credential", "strong_credential"):
            text = match.string
            if match.start() > 0 and (text[match.start() - 1].isalnum() or text[match.start() - 1] == "_"):
                return None  # "mypassword: ..." is not the keyword
            # The pattern may run on the casefolded view: judge the value by its original spelling.
            view = doc.folded if entry.view == "folded" else doc.cased
            original = doc.original[slice(*view.span(start, end))] if end > start else ""
            if not looks_like_credential(original) or stands_in(original, self._placeholder_words):
                return None
            if _after_comma(text, start) and not _letters_and_digits(original):
                return None  # "forgot your password, Rodrigo!": a name after a comma
            if entry.check == "strong_credential" and not _strong(original):
                return None  # no verb or colon announced it: only an unmistakable value counts
        return start, end

    def message(self, entry: PatternEntry, start: int, end: int) -> str:
        named = f"{article(entry.label)} {entry.label}"
        named = named[0].upper() + named[1:]
        return f"{named} appears {at(start, end)}; remove it: credentials never go in a reply."

    def instruction(self, finding: Finding) -> str:
        return (
            f"Remove the credential {at(finding.start, finding.end)} entirely; do not repeat, mask or "
            "paraphrase it. If the customer needs access, tell them how to create or reset it themselves."
        )
