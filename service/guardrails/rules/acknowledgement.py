"""`acknowledgement` (block): the reply must show the customer they were heard, in its own words.

Three phrase kinds: `strong` acknowledges the feeling or the situation ("I understand how
frustrating...", "I'm sorry your payroll run failed"), `weak` is a generic courtesy ("thanks for
contacting us", "sorry for any inconvenience"), `pseudo` is a dismissive non-apology ("sorry you
feel that way", "I understand, but..."), which cancels any acknowledgement it overlaps. A calm
customer is acknowledged by either kind; an upset one (analysis.upset) needs a strong one.
Quoted text is masked before matching, so quoting the customer's words does not count.
The repair inserts empathy.acknowledgement_for(analysis) after the greeting line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar, Self

from service.guardrails.document import Document, scan_text
from service.guardrails.edits import Edit, apply_edits
from service.guardrails.lexicon import PhraseEntry, PhraseLexicon, Sources, parse, phrase_matchers
from service.guardrails.lexicon import validate_sources as _validate_sources
from service.guardrails.phrases import LexiconError, PhraseHit, PhraseMatcher, expand
from service.guardrails.rules.base import Hit, Rule, RuleContext, at
from service.language.analysis import Emotion, ThreadAnalysis, detect_language, upset_cue_span
from service.language.empathy import acknowledgement_for
from service.models import Finding, Severity

_KINDS = frozenset({"strong", "weak", "pseudo"})
# A first body line that reads badly with a sentence glued in front of it: quote, list, table, heading.
_BLOCK_START = re.compile(r"[>\-*•|#]|\d+[.)]\s")
_MAX_GREETING_TAIL = 50  # characters after the greeting word on a greeting-only line ("Hi Ana,")
_LINE_BREAK = re.compile(r"\r\n|\n|\r")


class AcknowledgementLexicon(PhraseLexicon):
    greetings: dict[str, list[str]]  # language -> greeting openers, for the repair


@dataclass(frozen=True)
class Assessment:
    acknowledged: bool
    weak: list[PhraseHit[PhraseEntry]]
    pseudo: list[PhraseHit[PhraseEntry]]


def _overlaps(a: PhraseHit[PhraseEntry], b: PhraseHit[PhraseEntry]) -> bool:
    return a.start < b.end and b.start < a.end


class Acknowledgement(Rule):
    id: ClassVar[str] = "acknowledgement"
    default_severity: ClassVar[Severity] = Severity.block
    lexicon_file: ClassVar[str | None] = "acknowledgement.yaml"

    def __init__(self, matchers: dict[str, PhraseMatcher[PhraseEntry]], greeting: re.Pattern[str]) -> None:
        self._strong = matchers["strong"]
        self._weak = matchers["weak"]
        self._pseudo = matchers["pseudo"]
        self._greeting = greeting

    @classmethod
    def load(cls, data: bytes | None, sources: Sources) -> Self:
        name = cls.lexicon_file or ""
        if data is None:
            raise LexiconError(f"{name} is missing")
        lexicon = parse(AcknowledgementLexicon, name, data)
        _validate_sources(lexicon, sources, name, cls.id)
        openers = sorted(
            {literal for words in lexicon.greetings.values() for w in words for literal in expand(w)},
            key=len,
            reverse=True,  # longest first: "hi there" before "hi"
        )
        alternation = "|".join(r"\s+".join(map(re.escape, o.split(" "))) for o in openers)
        # Matched on the original text (the repair edits it), tolerant of invisible leading characters.
        greeting = re.compile(rf"\A[\s\u200b\ufeff]*(?i:{alternation})(?![^\W_])")
        return cls(phrase_matchers(lexicon, _KINDS, name), greeting)

    def assess(self, scan: str, upset: bool) -> Assessment:
        """Is the reply (its scan text: folded, quotes masked) an acknowledgement for this customer?"""
        # The common case is an early strong acknowledgement: stop there, and look for the
        # phrases that could disqualify it only in a window around it.
        for s in self._strong.finditer(scan):
            if self._pseudo.near(scan, s.start, s.end):
                continue
            # "sorry about" inside "sorry about any inconvenience" is only the generic courtesy.
            if any(w.start <= s.start and s.end <= w.end for w in self._weak.near(scan, s.start, s.end)):
                continue
            return Assessment(True, [], [])
        pseudo = list(self._pseudo.finditer(scan))
        weak = [w for w in self._weak.finditer(scan) if not any(_overlaps(w, p) for p in pseudo)]
        return Assessment(bool(weak) and not upset, weak, pseudo)

    def check(self, doc: Document, ctx: RuleContext) -> list[Hit]:
        found = self.assess(doc.scan, ctx.upset)
        if found.acknowledged:
            return []
        return [Hit(message=self._message(doc, ctx, found), suggestion=self.sentence(doc, ctx))]

    def _message(self, doc: Document, ctx: RuleContext, found: Assessment) -> str:
        analysis = ctx.analysis
        if found.weak and analysis is not None:
            feeling = analysis.emotion.value if analysis.emotion is not Emotion.neutral else "upset"
            urgency = " and the matter is urgent" if analysis.urgent else ""
            message = (
                f"The customer is {feeling}{urgency}; a generic courtesy such as "
                f"'{found.weak[0].literal}' is not enough: acknowledge their feeling or their "
                "situation in the reply's own words."
            )
        else:
            message = (
                "The reply does not acknowledge the customer: show that they were heard, validate "
                "how they feel, apologise sincerely for what happened, or thank them for raising it."
            )
        if ctx.upset and ctx.thread is not None:
            # Point at what raised the bar: the first emotion or urgency cue the customer wrote.
            cue = upset_cue_span(ctx.thread.last_customer_message().body)
            if cue is not None:
                message += (
                    f" The customer's last message shows how they feel at characters {cue[0]}-{cue[1]}."
                )
        if found.pseudo:
            first = found.pseudo[0]
            start, end = doc.folded.span(first.start, first.end)
            message += f" The dismissive phrase {at(start, end)} ('{first.literal}') does not count."
        if doc.masked != doc.folded.text and self._quoted_only(scan_text(doc.folded.text), ctx.upset):
            message += " Acknowledgements inside quotes or quoted lines are not the reply's own words."
        return message

    def _quoted_only(self, unmasked_scan: str, upset: bool) -> bool:
        """Would the reply pass if its quotes counted? (Only to explain a failure: a rough check.)"""
        return self._strong.regex.search(unmasked_scan) is not None or (
            not upset and self._weak.regex.search(unmasked_scan) is not None
        )

    @staticmethod
    def sentence(doc: Document, ctx: RuleContext) -> str:
        """The sentence the repair inserts: fitted to the thread, else neutral in the reply's language."""
        analysis = ctx.analysis or ThreadAnalysis(
            emotion=Emotion.neutral,
            urgent=False,
            language=detect_language(doc.original),
            issue="",
            issue_span=None,
        )
        return acknowledgement_for(analysis)

    def fix(self, doc: Document, ctx: RuleContext) -> list[Edit]:
        if self.assess(doc.scan, ctx.upset).acknowledged:
            return []  # already fine (e.g. repaired before): idempotence
        sentence = self.sentence(doc, ctx)
        # After the greeting is where a person would put it; at the very start, on its own line, is
        # the fallback for odd texts (an unclosed quote on the first line would mask it).
        for edit in (self._insertion(doc.original, sentence), Edit(0, 0, sentence + "\n\n")):
            candidate = apply_edits(doc.original, [edit])
            if self.assess(Document.of(candidate).scan, ctx.upset).acknowledged:
                return [edit]
        return []

    def _insertion(self, text: str, sentence: str) -> Edit:
        if not text.strip():
            return Edit(0, len(text), sentence)
        body = len(text) - len(text.lstrip())  # first visible character
        greeting = self._greeting.match(text)
        if greeting is not None:
            line_end = _line_end(text, greeting.end())
            tail = text[greeting.end() : line_end]
            if _greeting_only(tail):
                # A greeting line ("Hi Ana,"): the acknowledgement opens the first paragraph after it.
                rest = text[line_end:]
                if not rest.strip():
                    return Edit(len(text), len(text), "\n\n" + sentence)
                body = line_end + len(rest) - len(rest.lstrip())
            else:
                # Greeting and text on one line ("Hi Ana, I checked..."): insert after its punctuation.
                comma = re.search(r"[,:!]\s*", tail[:_MAX_GREETING_TAIL])
                if comma is not None:
                    return Edit(greeting.end() + comma.end(), greeting.end() + comma.end(), sentence + " ")
        separator = "\n\n" if _BLOCK_START.match(text, body) else " "
        return Edit(body, body, sentence + separator)

    def instruction(self, finding: Finding) -> str:
        return (
            "Acknowledge the customer in the reply's own words before anything else: show you "
            "understood what happened to them and how they feel (for example by naming the feeling "
            "and the problem), or apologise sincerely; a generic 'thanks for contacting us' or "
            "'sorry for any inconvenience' is not enough, and quoted text does not count."
        )


def _line_end(text: str, pos: int) -> int:
    """Index just past the line break that ends the line containing pos (or len(text))."""
    match = _LINE_BREAK.search(text, pos)
    return match.end() if match else len(text)


def _greeting_only(tail: str) -> bool:
    """Is the rest of the greeting's line just a name and punctuation ("Hi Ana," / "Dear Mr. Li:")?"""
    tail = tail.strip()
    if len(tail) > _MAX_GREETING_TAIL:
        return False
    if not tail or tail[-1] in ",:!":
        return True
    return not re.search(r"[.?!,:;]", tail) and len(tail.split()) <= 4
