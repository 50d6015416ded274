"""`restates-issue` (warn): the reply says the customer's problem back, so they know they were read.

Needs the thread: the issue is the sentence of the customer's message that names the problem most
clearly (service.language.analysis.find_issue). Its content words (stop words dropped, numbers of three or
more digits kept: order and invoice references) are compared with the reply's by a short prefix
stem, so "charged"/"charge" and "cobro"/"cobrado" meet; a plural "s" and an English "-ed"/"-ing"
come off first, so that short words meet too ("logs"/"logging"). Words that name the same thing
("bent"/"damaged", "stürzt"/"abstürzt") meet through the lexicon's concept groups. One shared word
is enough for a short issue, two for a long one; failing that, `message_overlap` words shared with
the rest of the customer's message. The rule asks for a sign of listening, not a paraphrase check.
Quoting the customer's sentence back counts (a quotation is a restatement), quoted e-mail history
does not.
"""

from __future__ import annotations

import re
from typing import ClassVar, Self

from service.guardrails.document import Document
from service.guardrails.lexicon import RuleData, Sources, load_rule_data
from service.guardrails.normalise import normalise
from service.guardrails.rules.base import Hit, Rule, RuleContext
from service.guardrails.rules.presence import obligation
from service.language.analysis import SUPPORTED_DETECTION
from service.models import Finding, Severity

_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
_HISTORY = re.compile(r"(?m)^ ?>[^\n]*")
_CHUNK = 400  # characters of the reply tokenised at a time by _shares


def _has_history(folded: str) -> bool:
    """Is there a quoted line ("> ...")? Cheaper than the substitution when ">" is a menu arrow."""
    return folded.startswith((">", " >")) or "\n>" in folded or "\n >" in folded


def _base(token: str) -> str:
    """The word without a plural "s" or an English "-ed"/"-ing", where a prefix stem cannot see
    past them: "logs" and "logging" both give "log", "apps" gives "app", "lined" gives "line"."""
    if token.endswith("ing") and len(token) >= 7:
        base = token[:-3]
    elif token.endswith("ed") and len(token) >= 5:
        base = token[:-2]
    elif token.endswith("s") and not token.endswith("ss") and len(token) >= 4:
        return token[:-1]
    else:
        return token
    if base[-1] == base[-2] and base[-1] not in "aeiouls":
        return base[:-1]  # "logg(ed)" -> "log", "stopp(ed)" -> "stop"; not "fill", "pass"
    if len(base) == 3 and base[-1] != "e":
        return base + "e"  # "lin(ed)" -> "line", "sav(ed)" -> "save"
    return base


class RestatesIssueData(RuleData):
    stem_length: int
    min_word_length: int
    min_number_length: int
    long_issue_words: int  # issues with more content words than this need two shared words
    message_chars: int  # how much of the customer's last message the fallback reads
    message_overlap: int  # content words shared with that message that also count as restating
    stopwords: dict[str, list[str]]  # language -> words that say nothing about the problem
    # Groups of words (any language) that name the same thing in support talk: "charged twice",
    # "double charge" and "zweite Abbuchung" share two concepts. Matched by whole word or, for
    # words of concept_prefix letters or more, by that prefix.
    concepts: list[list[str]]
    concept_prefix: int


class RestatesIssue(Rule):
    id: ClassVar[str] = "restates-issue"
    default_severity: ClassVar[Severity] = Severity.warn
    lexicon_file: ClassVar[str | None] = "restates_issue.yaml"

    def __init__(self, data: RestatesIssueData) -> None:
        self._data = data
        self._stop = frozenset(normalise(w)[1].text for ws in data.stopwords.values() for w in ws)
        self._issue_cache: dict[str, frozenset[str]] = {}
        self._token_stems: dict[str, str | None] = {}
        self._concept_words: dict[str, str] = {}
        self._concept_prefixes: dict[str, str] = {}
        for index, group in enumerate(data.concepts):
            for word in group:
                folded = normalise(word)[1].text
                self._concept_words[folded] = f"#{index}"
                if len(folded) >= data.concept_prefix:
                    self._concept_prefixes[folded[: data.concept_prefix]] = f"#{index}"

    @classmethod
    def load(cls, data: bytes | None, sources: Sources) -> Self:
        return cls(load_rule_data(RestatesIssueData, cls.lexicon_file or "", data, sources, cls.id))

    @staticmethod
    def _other_language(doc: Document, language: str) -> bool:
        if language not in SUPPORTED_DETECTION:
            return False
        detected, confident = doc.language
        return confident and detected != language

    def _issue_stems(self, issue: str) -> frozenset[str]:
        """Stems of the customer's text, memoised: the same thread is checked again and again
        (repairs, re-asks, the eval set), and the memo changes no result."""
        cached = self._issue_cache.get(issue)
        if cached is None:
            if len(self._issue_cache) >= 256:
                self._issue_cache.clear()
            cached = self._issue_cache[issue] = frozenset(self.stems(normalise(issue)[1].text))
        return cached

    def _concept(self, token: str) -> str | None:
        found = self._concept_words.get(token)
        if found is None and len(token) >= self._data.concept_prefix:
            found = self._concept_prefixes.get(token[: self._data.concept_prefix])
        return found

    def stems(self, folded: str) -> set[str]:
        """Content stems of a folded text: each distinct word once, through a memo of word -> stem."""
        memo = self._token_stems
        out: set[str] = set()
        for token in set(_TOKEN.findall(folded)):
            stem = memo.get(token, "?")
            if stem == "?":
                stem = self._stem(token)
                if len(memo) < 50_000:  # bounded: vocabularies are finite, hostile input is not
                    memo[token] = stem
            if stem is not None:
                out.add(stem)
        return out

    def _shares(self, folded: str, wanted: frozenset[str], needed: int) -> bool:
        """Does `folded` contain `needed` of the `wanted` stems? Reads only as far as it must.

        Tokens are listed a chunk at a time: listing the whole reply cost more than the rest of the
        rule when the restatement comes in its first lines. A chunk ends on a space, which no token
        contains, so the tokens are the same.
        """
        memo = self._token_stems
        found: set[str] = set()
        pos, size = 0, len(folded)
        while pos < size:
            end = folded.find(" ", pos + _CHUNK)
            end = size if end < 0 else end
            for token in _TOKEN.findall(folded, pos, end):
                stem = memo.get(token, "?")
                if stem == "?":
                    stem = self._stem(token)
                    if len(memo) < 50_000:  # the reply's words recur across drafts as the customer's do
                        memo[token] = stem
                if stem is not None and stem in wanted:
                    found.add(stem)
                    if len(found) >= needed:
                        return True
            pos = end
        return False

    def _stem(self, token: str) -> str | None:
        if token.isdigit():
            return token if len(token) >= self._data.min_number_length else None
        concept = self._concept(token)
        if concept is not None:
            return concept
        if len(token) < self._data.min_word_length or token in self._stop:
            return None
        base = _base(token)
        if base != token:
            concept = self._concept(base)
            if concept is not None:
                return concept
        return base[: self._data.stem_length]

    def check(self, doc: Document, ctx: RuleContext) -> list[Hit]:
        analysis = ctx.analysis
        if analysis is None or not analysis.issue.strip():
            return []
        wanted = self._issue_stems(analysis.issue)
        if not wanted:
            return []
        folded = doc.folded.text
        if ">" in folded and _has_history(folded):
            folded = _HISTORY.sub(" ", folded)
        needed = 1 if len(wanted) <= self._data.long_issue_words else 2
        if self._shares(folded, wanted, needed):
            return []  # the common case: the restatement comes early and the scan stops there
        reply = self.stems(folded)
        # The issue is one sentence; a reply may restate the problem through another sentence of
        # the same message ("I deleted a project" when the issue read is "can I get it back?").
        message = ctx.thread.last_customer_message().body if ctx.thread is not None else ""
        context_stems = self._issue_stems(message[: self._data.message_chars])
        if len(context_stems & reply) >= self._data.message_overlap:
            return []
        if self._other_language(doc, analysis.language):
            return []  # words cannot be compared across languages; language-match speaks instead
        return [
            Hit(
                "The reply does not say the customer's problem back" + obligation(ctx) + ".",
                suggestion="Restate the problem in a sentence of your own, with the details they gave.",
            )
        ]

    def instruction(self, finding: Finding) -> str:
        return (
            "Early in the reply, restate the customer's problem in your own words with the details "
            "they gave (what happened, since when), so they know they were understood."
        )
