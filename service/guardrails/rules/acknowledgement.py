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
from bisect import bisect_left
from dataclasses import dataclass
from typing import ClassVar, Self

from pydantic import Field

from service.guardrails.document import Document, scan_text
from service.guardrails.edits import Edit, apply_edits
from service.guardrails.forms import load_forms
from service.guardrails.lexicon import PhraseEntry, PhraseLexicon, Sources, parse, phrase_matchers
from service.guardrails.lexicon import validate_sources as _validate_sources
from service.guardrails.phrases import LexiconError, PhraseHit, PhraseMatcher, expand
from service.guardrails.rules.ack_meaning import Customer, MeaningReader
from service.guardrails.rules.base import Hit, Rule, RuleContext, at
from service.guardrails.rules.word_rule import reply_languages
from service.guardrails.words import Vocabulary
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
    # Acknowledgement by meaning (rules/ack_meaning.py): word kinds per language, and cue phrases.
    vocabulary: dict[str, dict[str, list[str]]] = Field(default_factory=dict)
    closed: list[str] = Field(default_factory=list)
    perspective: list[str] = Field(default_factory=list)
    fault: list[str] = Field(default_factory=list)
    exclamation: list[str] = Field(default_factory=list)
    sarcasm: list[str] = Field(default_factory=list)
    obligation: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class Assessment:
    acknowledged: bool
    weak: list[PhraseHit[PhraseEntry]]
    pseudo: list[PhraseHit[PhraseEntry]]
    customer: Customer | None = None  # what the customer's messages showed (when read)


def _overlaps_sorted(start: int, end: int, starts: list[int], hits: list[PhraseHit[PhraseEntry]]) -> bool:
    """Does [start, end) overlap one of `hits`, one finditer's (so no two overlap; `starts` theirs)?"""
    k = bisect_left(starts, end)
    return k > 0 and hits[k - 1].end > start


class Acknowledgement(Rule):
    id: ClassVar[str] = "acknowledgement"
    default_severity: ClassVar[Severity] = Severity.block
    lexicon_file: ClassVar[str | None] = "acknowledgement.yaml"

    def __init__(
        self,
        matchers: dict[str, PhraseMatcher[PhraseEntry]],
        greeting: re.Pattern[str],
        meaning: MeaningReader,
    ) -> None:
        self._strong = matchers["strong"]
        self._weak = matchers["weak"]
        self._pseudo = matchers["pseudo"]
        self._greeting = greeting
        self._meaning = meaning

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
        vocab = Vocabulary(lexicon.vocabulary, load_forms(), lexicon.closed)
        cues = {
            "perspective": lexicon.perspective,
            "fault": lexicon.fault,
            "exclamation": lexicon.exclamation,
            "sarcasm": lexicon.sarcasm,
            "obligation": lexicon.obligation,
        }
        matchers = phrase_matchers(lexicon, _KINDS, name)
        return cls(matchers, greeting, MeaningReader(vocab, cues, matchers["pseudo"]))

    def assess(self, doc: Document, ctx: RuleContext) -> Assessment:
        """Is the reply (quotes masked) an acknowledgement for this customer?

        A form-letter courtesy (`weak`) never is, whatever the customer's mood; a warm line about
        the request is, for a customer with no negative feeling (see ack_meaning.py)."""
        scan = doc.scan
        analysis = ctx.analysis
        languages = reply_languages(doc, ("en", analysis.language) if analysis is not None else ("en",))
        meaning = self._meaning
        # The common case is an early strong acknowledgement: stop there, and judge only its own
        # sentence (sarcasm, a recited obligation, a non-apology, the wrong thing) instead of the
        # whole reply; the customer's messages are read only if that sentence needs them.
        spoilt_memo: dict[tuple[int, int], bool] = {}
        for s in self._strong.finditer(scan):
            if self._pseudo.near(scan, s.start, s.end):
                continue
            # "sorry about" inside "sorry about any inconvenience" is only the generic courtesy.
            if any(w.start <= s.start and s.end <= w.end for w in self._weak.near(scan, s.start, s.end)):
                continue
            if meaning.sentence_spoilt(doc, s.start, languages, ctx.thread, spoilt_memo):
                continue
            return Assessment(True, [], [])
        customer = meaning.customer(ctx.thread, languages)
        pseudo = list(self._pseudo.finditer(scan))
        pseudo_spans = [(h.start, h.end) for h in pseudo]
        # Sentences that never acknowledge: sarcasm, a recited obligation, a non-apology, or
        # sympathy for something the customer never raised.
        spoilt = [*meaning.spoilt(doc), *meaning.off_topic(doc, languages, customer)]
        weak_all = list(self._weak.finditer(scan))
        # The analysis' own reading counts only for strong feelings: its frustration cues ("still
        # not", "again") also fire on calm questions ("it hasn't shipped yet, can I change it?").
        strong = analysis is not None and analysis.emotion in (Emotion.angry, Emotion.disappointed)
        calm = not strong and not customer.negative
        weak_spans = [(h.start, h.end) for h in weak_all]
        if self._meaning.acknowledges(doc, languages, customer, calm, weak_spans, pseudo_spans, spoilt):
            return Assessment(True, [], [])
        # One finditer's hits do not overlap, so their starts and ends both rise: the one hit that
        # can overlap a courtesy is the last that starts before it ends (not a pass per courtesy).
        pseudo_starts = [p.start for p in pseudo]
        weak = [w for w in weak_all if not _overlaps_sorted(w.start, w.end, pseudo_starts, pseudo)]
        return Assessment(False, weak, pseudo, customer)

    def check(self, doc: Document, ctx: RuleContext) -> list[Hit]:
        found = self.assess(doc, ctx)
        if found.acknowledged:
            return []
        return [Hit(message=self._message(doc, ctx, found), suggestion=self.sentence(doc, ctx))]

    def _message(self, doc: Document, ctx: RuleContext, found: Assessment) -> str:
        analysis = ctx.analysis
        negative = ctx.upset or (found.customer is not None and found.customer.negative)
        if found.weak and negative:
            feeling = "upset"
            if analysis is not None and analysis.emotion not in (Emotion.neutral, Emotion.confused):
                feeling = analysis.emotion.value
            urgency = " and the matter is urgent" if analysis is not None and analysis.urgent else ""
            message = (
                f"The customer is {feeling}{urgency}; a generic courtesy such as "
                f"'{found.weak[0].literal}' is not enough: acknowledge their feeling or their "
                "situation in the reply's own words."
            )
        elif found.weak:
            message = (
                f"A form-letter courtesy such as '{found.weak[0].literal}' is not an acknowledgement: "
                "say something about the customer's own request or situation in the reply's own words."
            )
        else:
            message = (
                "The reply does not acknowledge the customer: show that they were heard, validate "
                "how they feel, apologise sincerely for what happened, or thank them for raising it."
            )
        if negative and ctx.thread is not None:
            # Point at what raised the bar: the first emotion or urgency cue the customer wrote.
            cue = upset_cue_span(ctx.thread.last_customer_message().body) if ctx.upset else None
            if cue is None and found.customer is not None:
                cue = found.customer.cue
            if cue is not None:
                message += (
                    f" The customer's last message shows how they feel at characters {cue[0]}-{cue[1]}."
                )
        if found.pseudo:
            first = found.pseudo[0]
            start, end = doc.folded.span(first.start, first.end)
            message += f" The dismissive phrase {at(start, end)} ('{first.literal}') does not count."
        if doc.masked != doc.folded.text and self._quoted_only(scan_text(doc.folded.text)):
            message += " Acknowledgements inside quotes or quoted lines are not the reply's own words."
        return message

    def _quoted_only(self, unmasked_scan: str) -> bool:
        """Would the reply pass if its quotes counted? (Only to explain a failure: a rough check.)"""
        return self._strong.regex.search(unmasked_scan) is not None

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
        if self.assess(doc, ctx).acknowledged:
            return []  # already fine (e.g. repaired before): idempotence
        sentence = self.sentence(doc, ctx)
        # After the greeting is where a person would put it; at the very start, on its own line, is
        # the fallback for odd texts (an unclosed quote on the first line would mask it).
        for edit in (self._insertion(doc.original, sentence), Edit(0, 0, sentence + "\n\n")):
            candidate = apply_edits(doc.original, [edit])
            if self.assess(Document.of(candidate), ctx).acknowledged:
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
