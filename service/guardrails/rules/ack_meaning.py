"""Acknowledgement by meaning: does a sentence of the reply recognise the customer's situation?

A sentence counts when it refers to the customer's situation (it shares a content word with the
customer's messages, or points at them: "that", "your", "qué", "das") and does one of:
- evaluates it: a negative evaluative word ("<the situation> is exhausting", "rubbish", "qué
  faena", "Zumutung") not negated, or a positive one negated ("never fun"); a positive one
  about something the customer wrote (their good news: "a June wedding, how lovely");
- names their feeling ("no wonder you're fed up"), or takes their perspective ("I'd be fuming",
  "an Ihrer Stelle", "à votre place": `perspective` phrases);
- shares their joy ("congratulations", "parabéns");
- apologises for something specific: an apology with a word the customer used ("sorry the
  parcel missed the birthday"), or a fault admitted ("that's on us", "unser Fehler").
For a calm customer (no negative feeling anywhere in their messages), a warm line about their
request ("Happy to help you get those invoices") is enough as well.
Never: inside a form-letter courtesy or a non-apology (the phrase lexicon's weak/pseudo spans),
sarcasm ("a whole two days"), an acknowledgement framed as an obligation ("as per our empathy
guidelines"), or quoted text (masked before this runs).
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from service.guardrails.document import SCAN_OFFSET, Document
from service.guardrails.lexicon import PhraseEntry
from service.guardrails.phrases import PhraseMatcher
from service.guardrails.rules.word_rule import masked_text
from service.guardrails.words import (
    Sentence,
    Token,
    Vocabulary,
    stem,
    strip_accents,
    tokens_of,
    window_sentences,
)
from service.models import Role, Thread

_NEGATION_REACH = 3  # words before an evaluative word that can negate it ("not a big deal")
_MIN_CONTENT = 4  # letters: shorter words are function words in all five languages
_CUSTOMER_CHARS = 4_000  # newest customer text read: enough for the situation, bounded cost
_ROOT = 4  # letters two forms of one word share at least ("move" / "moved")
_ROOT_SLACK = 2  # letters after the shared prefix the shorter form may still have ("perdí" / "perder")
_CONTRAST_REACH = 3  # words after "I understand" where a "but" makes it a brush-off
_SUBJECT_REACH = 8  # words before a copula read for its subject: bounded work on endless sentences
_PREDICATE_REACH = 4  # words after a copula its evaluation may sit ("is always such a hassle")
_HELP_CONTENT = 1  # content words a warm help line needs to be about *their* request
_NEGATIVE_EMOJI = frozenset("🙃😡😤😠😞😢😭🤬😩😫☹🙁😒😖😣😓😔")
_NONE: frozenset[str] = frozenset()
_BOUNDARIES = ".!?\n\x1a"
_BOUNDARY = re.compile("[" + re.escape(_BOUNDARIES) + "]")


@lru_cache(maxsize=16)
def _boundary_positions(text: str) -> tuple[int, ...]:
    """Sorted offsets of the sentence boundary characters in `text` (the few texts of the
    current checks are kept; a str caches its hash, so the lookup is cheap)."""
    return tuple(m.start() for m in _BOUNDARY.finditer(text))


# Concepts an acknowledgement can be about that are easy to get wrong: sympathy for a delay the
# customer never mentioned is the classic acknowledgement of the wrong thing.
CONCEPTS = ("delay",)
_CONCEPT_KINDS = frozenset({*CONCEPTS, *(f"{c}_hint" for c in CONCEPTS)})
_EYE_ROLL = re.compile("\U0001f644")  # 🙄 after a "sympathetic" line makes it sarcasm
_FUNCTION = frozenset({"common", "pointer", "negation"})
_HELP_WORDS = frozenset({"help", "warm", "glad"})
_EVALUATIVE = frozenset({"eval_pos", "eval_neg", "norm"})
_NEGATABLE = frozenset({"apology", "understand", "eval_neg", "eval_pos", "norm", "emotion", "joy", "glad"})
Span = tuple[int, int]


@dataclass(frozen=True)
class Customer:
    """What the check needs from the customer's messages."""

    stems: frozenset[str]  # content words (stemmed) of their messages
    negative: bool  # any negative feeling or evaluation anywhere in them
    positive: bool  # good news: a positive word or joy, and nothing negative
    cue: Span | None  # where in their newest message that feeling shows (offsets in that message)
    concepts: frozenset[str] = frozenset()  # concepts raised (CONCEPTS): "delay"
    # Their content words (accents and hyphens dropped) by first _ROOT letters: another form of the
    # same word ("moved" / "a move", "perdí" / "perder", "mudar" / "mudança") is matched on a long
    # shared prefix (see _same_root), which the fixed-length stems miss.
    roots: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def shares(self, tokens: Sequence[Token], table: Mapping[str, frozenset[str]]) -> bool:
        """Does a sentence name something the customer wrote (same stem, or another form of it)?"""
        if _content_stems(tokens, table) & self.stems:
            return True
        for plain in _content_plain(tokens, table):
            if any(_same_root(plain, other) for other in self.roots.get(plain[:_ROOT], ())):
                return True
        return False


class MeaningReader:
    def __init__(
        self,
        vocab: Vocabulary,
        phrases: Mapping[str, Iterable[str]],
        pseudo: PhraseMatcher[PhraseEntry] | None = None,
    ) -> None:
        self._vocab = vocab
        self._pseudo = pseudo  # non-apologies (the phrase lexicon's `pseudo` kind)
        # One matcher per cue kind (perspective, fault, exclamation, sarcasm, obligation), all
        # languages together: the phrases are specific enough not to collide.
        self._phrases = {kind: PhraseMatcher([(kind, list(items))]) for kind, items in phrases.items()}

    def customer(self, thread: Thread | None, languages: tuple[str, ...]) -> Customer:
        if thread is None:
            return Customer(_NONE, False, False, None, frozenset(CONCEPTS))  # no thread: anything goes
        table = self._vocab.table(languages)
        stems: set[str] = set()
        roots: dict[str, set[str]] = {}
        negative = positive = False
        concepts: set[str] = set()
        cue: Span | None = None
        bodies = [m.body for m in thread.messages if m.role is Role.customer]
        budget = _CUSTOMER_CHARS
        for index, body in enumerate(reversed(bodies)):
            if budget <= 0:
                break
            text = body[-budget:] if len(body) > budget else body
            budget -= len(text)
            folded = text.casefold()
            tokens = tokens_of(folded)
            stems |= _content_stems(tokens, table)
            for plain in _content_plain(tokens, table):
                roots.setdefault(plain[:_ROOT], set()).add(plain)
            for i, token in enumerate(tokens):
                kinds = table.get(token.text, _NONE)
                if not kinds:
                    continue
                concepts |= {c for c in CONCEPTS if c in kinds or f"{c}_hint" in kinds}
                negated = _negated(tokens, i, table)
                if kinds & {"eval_pos", "joy", "glad", "thanks"} and not negated:
                    positive = True
                if (kinds & {"eval_neg", "emotion"} and not negated) or (
                    kinds & {"norm", "eval_pos"} and negated
                ):
                    negative = True
                    if index == 0 and cue is None and len(folded) == len(text):
                        offset = len(body) - len(text)
                        cue = (offset + token.start, offset + token.end)
            if any(char in _NEGATIVE_EMOJI for char in text):
                negative = True
        return Customer(
            frozenset(stems),
            negative,
            positive and not negative,
            cue,
            frozenset(concepts),
            {root: frozenset(words) for root, words in roots.items()},
        )

    def off_topic(self, doc: Document, languages: tuple[str, ...], customer: Customer) -> list[Span]:
        """Sentences (folded spans) about a concept the customer never raised ("sorry for the
        delay" when the parcel came on time but broken): acknowledgements of the wrong thing."""
        missing = [c for c in CONCEPTS if c not in customer.concepts]
        if not missing:
            return []
        table = self._vocab.table(languages)
        return [
            (s.start, s.end)
            for s in window_sentences(masked_text(doc))
            if any(table.get(t.text, _NONE) & set(missing) for t in s.tokens)
        ]

    def sentence_spoilt(
        self,
        doc: Document,
        at: int,
        languages: tuple[str, ...],
        thread: Thread | None,
        memo: dict[tuple[int, int], bool] | None = None,
    ) -> bool:
        """Is the sentence around folded offset `at` one that never acknowledges: sarcasm, an
        obligation, a non-apology, or a concept the customer never raised? (Reads that sentence
        only; the customer's messages only when it names a concept.) `memo`: answers already
        given in this check, by sentence span, for callers that ask about many offsets."""
        text = masked_text(doc)
        # The nearest boundaries by bisection over their positions (found once per text): one
        # rfind per boundary character and hit made a long unbroken reply quadratic.
        positions = _boundary_positions(text)
        k = bisect_left(positions, at)
        lo = positions[k - 1] + 1 if k else 0
        hi = positions[k] if k < len(positions) else len(text)
        if memo is not None:
            # Every hit in one sentence gets that sentence's answer: judge each sentence once.
            known = memo.get((lo, hi))
            if known is None:
                known = memo[(lo, hi)] = self._span_spoilt(doc, text, lo, hi, languages, thread)
            return known
        return self._span_spoilt(doc, text, lo, hi, languages, thread)

    def _span_spoilt(
        self, doc: Document, text: str, lo: int, hi: int, languages: tuple[str, ...], thread: Thread | None
    ) -> bool:
        piece = doc.scan[lo : hi + SCAN_OFFSET + 1]
        if _EYE_ROLL.search(text, lo, hi) or any(
            self._phrases[kind].regex.search(" " + piece) for kind in ("sarcasm", "obligation")
        ):
            return True
        if self._pseudo is not None and self._pseudo.regex.search(" " + piece):
            return True
        table = self._vocab.table(languages)
        tokens = tokens_of(text[lo:hi], lo, doc.tokens)
        concepts = {c for c in CONCEPTS if any(c in table.get(t.text, _NONE) for t in tokens)}
        if not concepts:
            return False
        customer = self.customer(thread, languages)
        return bool(concepts - customer.concepts)

    def spoilt(self, doc: Document) -> list[Span]:
        """Sentences (folded spans) that can never acknowledge: sarcasm, or an acknowledgement
        recited as an obligation ("As per our empathy guidelines, I validate ...")."""
        marks = [
            (h.start, h.end)
            for kind in ("sarcasm", "obligation")
            for h in self._phrases[kind].finditer(doc.scan)
        ]
        marks += [(m.start(), m.end()) for m in _EYE_ROLL.finditer(doc.masked)]
        if not marks:
            return []
        # A sentence overlaps a mark when some mark starting before the sentence ends reaches past
        # its start: sorted starts and the running furthest end answer that by bisection, not a
        # pass over every mark per sentence (a reply of sarcastic lines has hundreds of each).
        marks.sort()
        starts = [m[0] for m in marks]
        reach = list(itertools.accumulate((m[1] for m in marks), max))
        sentences = window_sentences(masked_text(doc))
        return [
            (s.start, s.end)
            for s in sentences
            if (k := bisect_left(starts, s.end)) > 0 and reach[k - 1] > s.start
        ]

    def acknowledges(
        self,
        doc: Document,
        languages: tuple[str, ...],
        customer: Customer,
        calm: bool,
        weak: Sequence[Span],
        pseudo: Sequence[Span],
        spoilt: Sequence[Span],
    ) -> bool:
        """Does any sentence of the reply acknowledge the customer? `weak`: folded spans of
        form-letter courtesies, whose words count only as a specific apology (with a word the
        customer used); `pseudo`: non-apologies, whose words never count; `spoilt`: sentences that
        never count (see spoilt())."""
        excluded = [*weak, *pseudo]
        text = masked_text(doc)
        table = self._vocab.table(languages)
        kinds = ("perspective", "fault", "exclamation")
        cues = {kind: [(h.start, h.end) for h in self._phrases[kind].finditer(doc.scan)] for kind in kinds}
        # Does a spoiling span overlap the sentence, i.e. start before it ends and end after it
        # starts? Sorted starts and the running furthest end answer by bisection (a reply of
        # 800 non-apologies: ~140 sentences in the window x 800 spans tested one by one before).
        spoiling = sorted((*spoilt, *pseudo))
        starts = [s[0] for s in spoiling]
        reach = list(itertools.accumulate((s[1] for s in spoiling), max))
        for sentence in window_sentences(text):
            span = (sentence.start, sentence.end)
            if (k := bisect_left(starts, span[1])) > 0 and reach[k - 1] > span[0]:
                continue  # sarcasm, an obligation, or a non-apology spoils its whole sentence
            stated = [s for kind in ("perspective", "fault") for s in cues[kind] if _inside(s, span)]
            if any(not any(_overlaps(s, e) for e in excluded) for s in stated):
                return True  # "I'd be fuming too", "that's on us"
            exclaimed = bool(_within(cues["exclamation"], span))
            if self._sentence(sentence, table, customer, calm, exclaimed, weak, pseudo):
                return True
        return False

    def _sentence(
        self,
        sentence: Sentence,
        table: Mapping[str, frozenset[str]],
        customer: Customer,
        calm: bool,
        exclaimed: bool,
        weak: Sequence[Span],
        pseudo: Sequence[Span],
    ) -> bool:
        tokens = sentence.tokens
        kinds = [table.get(t.text, _NONE) for t in tokens]
        if any("contempt" in k for k in kinds):
            return False  # "your messages are exhausting and pathetic" evaluates the customer
        # An apology or "I understand" is specific only when it names the very thing (same stem); another
        # form of a short word is too loose there ("pedimos" is not "pedi").
        exact = bool(_content_stems(tokens, table) & customer.stems)
        shared = exact or customer.shares(tokens, table)
        pointer = any("pointer" in k for k in kinds)
        refers = shared or pointer or _predicated(tokens, kinds, table)
        if exclaimed and refers:
            return True  # "Oh no, a dead laptop on launch day!"
        warm = help_ = False
        for i, found in enumerate(kinds):
            if not found:
                continue
            if "common" in found:
                # A function word never evaluates, even when its accent-less form spells an
                # evaluative one (German "schon", already, is not "schön").
                found = found - _EVALUATIVE
            start = tokens[i].start
            if pseudo and any(a <= start < b for a, b in pseudo):
                continue  # a word of "sorry you feel that way"
            # Only these kinds are read with their negation: most words of a long sentence ("a",
            # "the") have none, and looking back for a negation at each was a third of this loop.
            negated = bool(found & _NEGATABLE) and _negated(tokens, i, table)
            if (
                found & {"apology", "understand"}
                and not negated
                and exact
                and not ("understand" in found and _contrast_follows(kinds, i))
            ):
                # Specific: about something the customer wrote, even inside a courtesy ("after three
                # crashes mid-payment, I understand"); a bare "I understand" shares nothing.
                return True
            if weak and any(a <= start < b for a, b in weak):
                continue  # a word of "we apologise for any inconvenience"
            if "eval_neg" in found and not negated and refers:
                return True
            if found & {"eval_pos", "norm"} and negated and refers:
                return True  # "never fun", "not fair", "pas de chance"
            if (
                "eval_pos" in found
                and not negated
                and ((refers and customer.positive) or (shared and not customer.negative))
            ):
                return True  # their good news: "a June wedding, how lovely", "qué encargo tan bonito"
            if "eval_neg" in found and not negated and i == 0:
                return True  # a verbless exclamation: "Ärgerlich, gerade heute."
            if "emotion" in found and not negated and refers:
                return True
            if "joy" in found and not negated:
                return True  # "Congratulations!"
            if (
                "glad" in found
                and not negated
                and not _helps_next(kinds, i)
                and (shared or (customer.positive and refers) or customer.positive)
            ):
                return True  # "so glad the repair worked"
            if "interjection" in found and shared:
                return True
            warm = warm or bool(found & {"warm", "glad"})
            help_ = help_ or "help" in found
        if calm and (warm or (help_ and pointer)):
            # A warm line about *their* request: "Happy to walk you through it", "je vous accompagne
            # pour le retour"; a bare "Happy to help!" is not about anything.
            content = sum(
                1
                for t, k in zip(tokens, kinds, strict=True)
                if len(t.text) >= _MIN_CONTENT and not k & (_FUNCTION | _HELP_WORDS)
            )
            return content >= _HELP_CONTENT
        return False


def _content_stems(tokens: Sequence[Token], table: Mapping[str, frozenset[str]]) -> set[str]:
    """Stems of the words that name things: no listed word (function words, but also feelings and
    evaluations: "sorry for the annoyance" does not share the situation with "I'm annoyed")."""
    return {
        stem(t.text)
        for t in tokens
        if len(t.text) >= _MIN_CONTENT and not table.get(t.text, _NONE) - _CONCEPT_KINDS
    }


def _content_plain(tokens: Sequence[Token], table: Mapping[str, frozenset[str]]) -> list[str]:
    """The content words of _content_stems, whole (accents, apostrophes and hyphens dropped)."""
    return [
        strip_accents(t.text).replace("'", "").replace("-", "")
        for t in tokens
        if len(t.text) >= _MIN_CONTENT and not table.get(t.text, _NONE) - _CONCEPT_KINDS
    ]


def _same_root(a: str, b: str) -> bool:
    """Two forms of one word: a shared prefix of at least _ROOT letters that leaves at most
    _ROOT_SLACK letters of the shorter one ("moved"/"move", "perdi"/"perder", not "time"/"timid")."""
    if a == b:
        return True
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return common >= max(_ROOT, min(len(a), len(b)) - _ROOT_SLACK)


def _predicated(
    tokens: Sequence[Token], kinds: Sequence[frozenset[str]], table: Mapping[str, frozenset[str]]
) -> bool:
    """ "<a situation> is exhausting": a negative evaluation after a copula, with a named thing
    (a content word) as its subject in the same clause. The reply evaluates a situation it names
    even when it words it differently from the customer ("a whole day of timeouts")."""
    for i, found in enumerate(kinds):
        if "copula" not in found or i == 0:
            continue
        clause = tokens[i].clause
        subject = [t for t in tokens[max(0, i - _SUBJECT_REACH) : i] if t.clause == clause]
        if not _content_plain(subject, table):
            continue
        after = [
            j for j in range(i + 1, min(len(tokens), i + 1 + _PREDICATE_REACH)) if tokens[j].clause == clause
        ]
        if any("eval_neg" in kinds[j] and not _negated(tokens, j, table) for j in after):
            return True
    return False


def _negated(tokens: Sequence[Token], i: int, table: Mapping[str, frozenset[str]]) -> bool:
    """A negation right before token i, only degree words between ("not SO bad", "nicht GANZ")."""
    clause = tokens[i].clause
    for j in range(i - 1, max(-1, i - 1 - _NEGATION_REACH), -1):
        if tokens[j].clause != clause:
            return False
        word = tokens[j].text
        kinds = table.get(word, _NONE)
        if "negation" in kinds or word.endswith("n't"):
            return True
        if "degree" not in kinds:
            return False
    return False


def _contrast_follows(kinds: Sequence[frozenset[str]], i: int) -> bool:
    """ "I understand, but ...": understanding as the lead-in to a brush-off."""
    return any("contrast" in k for k in kinds[i + 1 : i + 1 + _CONTRAST_REACH])


def _helps_next(kinds: Sequence[frozenset[str]], i: int) -> bool:
    """ "happy to help": a warm word before a help verb is the help line, not shared joy."""
    return any("help" in k for k in kinds[i + 1 : i + 4])


def _overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _inside(inner: Span, outer: Span) -> bool:
    return outer[0] <= inner[0] and inner[1] <= outer[1] + 1


def _within(spans: Sequence[Span], outer: Span) -> list[Span]:
    return [s for s in spans if _overlaps(s, outer)]
