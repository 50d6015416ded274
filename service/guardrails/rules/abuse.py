"""`abuse` (block): insults, name-calling, profanity or contempt aimed at the customer.

Word-level, not phrase-level: the lexicon lists kinds of words per language (insult nouns,
insulting adjectives, profanity, the words that address the customer), and this rule decides from
where a word stands whether it is aimed at the customer:
- an insult noun fires when addressed ("you idiot", "eres un idiota", "seu otário": a
  second-person word followed only by bridge words such as "are", "such", "a") or vocative (alone
  in its clause: "Go away, loser.", "Idiot!");
- an insulting adjective fires only when addressed ("you're so stupid", "your pathetic
  complaint"); aimed at a thing ("this stupid printer") it is the customer's word, not contempt;
- strong profanity fires anywhere unless the team is its subject ("we fucked up" is an apology),
  milder profanity only when addressed;
- a complaining word after "your" ("your whining", "Ihr Gejammer") is contempt;
- contempt phrases ("shut up", "stop whining") fire anywhere, commands ("go away") where a command
  starts;
- an insult noun right after a determiner ("this bridezilla", "die Zicke", "la pesada de
  Compras") is name-calling even unaddressed: a note about the customer left in the reply; not
  when the clause is about ourselves ("I felt like an idiot") or negated;
- a patronising vocative ("..., sweetheart.", "Nur Mut, Opa.") after the greeting is contempt;
  a pictograph ends a sentence ("next time, genius 🙄 DM us");
- a quantifier points like a determiner ("no como algunos listillos"), and before a word for
  people it aims an insult at people like the customer ("some customers are just rude");
- an exclamation that opens the clause names someone ("¡Qué lumbrera!", "que homem tão melga");
  "old" may stand between a determiner and the name ("la vieja chocha"); "stop being so ..."
  addresses the customer wherever it stands ("a ver si dejás de ser tan hinchapelotas");
- a bare dismissal ("du vent", "Raus!") is contempt only when it is the whole clause;
- a line that calls onlookers and ends in a laughing face is public mockery ("Gather round,
  everyone: Dave here can't ... 😂"); an insulting adjective after an opening exclamation with
  the customer closing the clause is aimed at them ("qué pesadito eres", not "que chato você ter perdido");
- a strong swear word after "de"/"of" curses the thing before it ("el sistema de los cojones"),
  unless that is a person ("este cliente de mierda"); inside a capitalised name ("Cojón de Gato",
  "Vin de Merde") it is the name's, outside German, where every noun has a capital.
Disguised spellings (leetspeak, asterisks, spaced or stretched letters) are read plainly first
(disguise.py).
Quoted passages (double or single quotes) and clauses that report the customer's words ("you
called it ...") are never held against the reply; a "> ..." line whose words are not the thread's
(an internal note pasted with a quote marker) is the team's own text (quoted_lines.py).
Whole words only, so "Scunthorpe" is clean.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterator, Sequence
from typing import ClassVar, Self

from pydantic import Field

from service.guardrails.disguise import Undisguiser
from service.guardrails.document import MASK, Document, scan_text
from service.guardrails.lexicon import Sources, load_rule_data
from service.guardrails.phrases import PhraseHit, PhraseMatcher
from service.guardrails.quoted_lines import unquote_foreign_lines
from service.guardrails.rules.base import Hit, Rule, RuleContext, at
from service.guardrails.rules.word_rule import (
    VocabularyData,
    mask_text,
    masked_text,
    reply_languages,
    vocabulary_of,
)
from service.guardrails.signoff import signoff_names
from service.guardrails.words import TOKEN, Sentence, Token, Vocabulary, sentences_of
from service.models import Finding, Severity

_MAX_BRIDGE = 4  # words between "you" and the insult: "you are such a complete ..."
_FIRST_WINDOW = 3  # "we really fucked up": the team as the subject, a few words before
_STOP_REACH = 4  # "hören Sie bitte auf zu jammern"
_VOCATIVE_MAX = 3  # "what a loser!": the insult and at most two bridge words make the clause
# Where a command starts: the text's start or a sentence or clause break, then up to two softeners.
_COMMAND_BREAK = frozenset(".!?,;:\n\x1a¡¿")
_SOFTENERS = frozenset(
    [
        "just",
        "now",
        "please",
        "so",
        "oh",
        "and",
        "then",
        "simply",
        "y",
        "ya",
        "pues",
        "und",
        "jetzt",
        "bitte",
        "einfach",
        "et",
        "alors",
        "maintenant",
        "e",
        "agora",
        "então",
        "já",
    ]
)
_MAX_SOFTENERS = 2
_OF = frozenset(["de", "da", "do", "von", "vom", "from", "du", "des"])  # "la pesada de Compras"
Span = tuple[int, int, str]  # folded offsets and what it is
_MAX_HITS = 20  # findings per reply: enough to fix it; a flood of them helps nobody
# Pictographs end a sentence in chat and tweets ("next time, genius 🙄 DM us"): one code point
# each, so a line break in their place keeps every offset.
_PICTOGRAPH = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf]")
# Faces that laugh at someone (tears of joy, rolling on the floor, a clown): after a line that calls
# onlookers ("Gather round, everyone", "Galera,") they make the customer the joke. A smile (😄)
# is banter and is not here.
_MOCKING = re.compile("[\U0001f602\U0001f923\U0001f921\U0001f639]")
_LINE_END = re.compile(r"[.!?\n]")
_LINE_REACH = 280  # a call and its joke share a tweet; a run of calls is not read to the text's end
# Words that may join the parts of a name ("Cojón de Gato", "Vin de Merde", "Rabo de Peixe").
_NAME_JOINERS = frozenset(["de", "da", "do", "del", "du", "des", "of", "the", "von", "la", "le"])
# "es" is "(tu) es" in French and "is" in Spanish: "qué pesado es esto" is about a thing.
_THIRD_TOO = frozenset(["es"])
_ARTICLE_MAX = 3  # "los", "la", "les", "des": a short word between "de" and the swear word
_CAPITALISED_NOUNS = frozenset(["de"])  # every noun is capitalised: a capital says nothing of a name


_WORD_KINDS = frozenset({"insult_noun", "insult_adj", "profanity", "whine", "contempt_adj", "patronising"})
_ANCHORS = frozenset({"second", "command"})  # words that make what follows aimed at the customer
_POINTERS = frozenset({"determiner", "quantifier"})  # "this bridezilla", "algunos listillos"
_NO_KINDS: frozenset[str] = frozenset()
_LISTABLE = re.compile(r"[^\W\d_](?:[\w'-]*[^\W_])?")  # what a phrase literal may be
_WORD_BEFORE = re.compile(r"[^\W\d_]+$")


def _clause_start(tokens: Sequence[Token], i: int) -> int:
    """The index of the first token of the clause token `i` stands in."""
    start = i
    while start > 0 and tokens[start - 1].clause == tokens[i].clause:
        start -= 1
    return start


def _inside(span: tuple[int, int], ranges: list[tuple[int, int]]) -> bool:
    return any(lo <= span[0] and span[1] <= hi for lo, hi in ranges)


def _command_starts(text: str, at: int) -> bool:
    """Does a command start at `at`: after the text's start or a sentence or clause break, with at
    most two softeners ("just", "please", "und") between?"""
    j = at
    for _ in range(_MAX_SOFTENERS + 1):
        while j > 0 and text[j - 1] in " \t":
            j -= 1
        if j == 0 or text[j - 1] in _COMMAND_BREAK:
            return True
        word = _WORD_BEFORE.search(text, max(0, j - 12), j)
        if word is None or word.group() not in _SOFTENERS:
            return False
        j = word.start()
    return False


def _clause_ends(text: str, at: int) -> bool:
    """Does a clause end at `at` (the text's end or a break after spaces)? "Du vent !" is a
    dismissal; "Du vent fort a endommagé le toit" is weather."""
    rest = text[at:].lstrip(" \t")
    return not rest or rest[0] in _COMMAND_BREAK or rest[0] == ")"


def _mocked(text: str, audience: Iterator[PhraseHit[str]]) -> list[Span]:
    """Lines that call onlookers and end in a laughing face: "Gather round, everyone: Dave here
    can't work out which way a cable comes out 😂". The span runs from the call to the face."""
    out: list[Span] = []
    for hit in audience:
        if text[hit.end : hit.end + 2].lstrip(" ")[:1] not in (",", ":", "!"):
            continue  # a call stands apart ("Leute, ...", "everyone:"); "everyone loves it 😂" is banter
        start = hit.start
        stop = _LINE_END.search(text, start, start + _LINE_REACH)  # the call's own line
        end = stop.start() if stop is not None else min(len(text), start + _LINE_REACH)
        face = _MOCKING.search(text, start, end + 2)
        if face is not None:
            out.append((start, face.end(), "mockery"))
    return out


def _in_name(doc: Document, hit: Span, language: str) -> bool:
    """Is the word part of a capitalised name, a wine, a place or a work ("Cojón de Gato", "Vin de
    Merde")? A capital inside a sentence next to another capitalised word, a joiner allowed
    between. German capitalises every noun, so there a capital says nothing."""
    if language in _CAPITALISED_NOUNS:
        return False
    o_start, o_end = doc.folded.span(hit[0], hit[1])
    original = doc.original
    if not original[o_start : o_start + 1].isupper():
        return False
    before_text = original[max(0, o_start - 40) : o_start]
    before = before_text.split() if "\n" not in before_text.rstrip(" ")[-2:] else []
    after = original[o_end : o_end + 40].split()
    if before and before[-1].casefold() in _NAME_JOINERS:
        before = before[:-1]
    if after and after[0].casefold() in _NAME_JOINERS:
        after = after[1:]
    named_before = bool(before) and before[-1][:1].isupper() and before[-1][-1:] not in ".!?:;,)"
    named_after = bool(after) and after[0][:1].isupper()
    return named_before or named_after


class AbuseData(VocabularyData):
    contempt: dict[str, list[str]] = Field(default_factory=dict)
    imperative: dict[str, list[str]] = Field(default_factory=dict)
    alone: dict[str, list[str]] = Field(default_factory=dict)
    reported: dict[str, list[str]] = Field(default_factory=dict)
    audience: dict[str, list[str]] = Field(default_factory=dict)
    not_abuse: dict[str, list[str]] = Field(default_factory=dict)


class Abuse(Rule):
    id: ClassVar[str] = "abuse"
    # Block: on blind sets C and D (README, decision 80) every one of its 15 findings was right,
    # so a block discards no good draft; it still misses most disguised or implicit abuse, which
    # the README states (severity cannot change what a rule misses).
    default_severity: ClassVar[Severity] = Severity.block
    lexicon_file: ClassVar[str | None] = "abuse.yaml"

    def __init__(self, data: AbuseData) -> None:
        self._vocab: Vocabulary = vocabulary_of(data)
        # Ordinary words that a listed word's regular forms happen to spell ("sauer"): dropped
        # from every language's table before any lookup.
        self._not_abuse = {lang: frozenset(w.casefold() for w in ws) for lang, ws in data.not_abuse.items()}
        phrase_words = {
            w
            for table in (data.contempt, data.imperative, data.alone)
            for ps in table.values()
            for p in ps
            for w in re.findall(r"[^\W\d_]{4,}", p.casefold())  # "gueule", not "de" or "la"
        }
        known = self._vocab.words(_WORD_KINDS) | phrase_words
        self._undisguise = Undisguiser(known, self._vocab.words({"strong"}), self._vocab.words({"profanity"}))
        # A mask fits swear words of several languages ("f***": "fuck", "fick"): read it in the
        # reply's own language when that is clear.
        self._undisguise_in = {
            lang: Undisguiser(
                known, self._vocab.words_in({"strong"}, lang), self._vocab.words_in({"profanity"}, lang)
            )
            for lang in self._vocab.languages
        }
        # One trie-compiled pass over every listed insult, profanity and complaint word of every
        # language: most replies contain none, and then no sentence is read at all.
        listed = sorted(w for w in self._vocab.words(_WORD_KINDS) if _LISTABLE.fullmatch(w))
        self._any = PhraseMatcher([("word", listed)])
        # One trie-compiled matcher per kind over all five languages (the phrases are specific
        # enough not to collide), run on the scan text like every phrase rule.
        self._contempt = PhraseMatcher([("contempt", [p for ps in data.contempt.values() for p in ps])])
        self._imperative = PhraseMatcher([("command", [p for ps in data.imperative.values() for p in ps])])
        self._alone = PhraseMatcher([("command", [p for ps in data.alone.values() for p in ps])])
        self._audience = PhraseMatcher([("mockery", [p for ps in data.audience.values() for p in ps])])
        self._reported = {lang: frozenset(w.casefold() for w in ws) for lang, ws in data.reported.items()}

    @classmethod
    def load(cls, data: bytes | None, sources: Sources) -> Self:
        return cls(load_rule_data(AbuseData, cls.lexicon_file or "", data, sources, cls.id))

    def check(self, doc: Document, ctx: RuleContext) -> list[Hit]:
        also = ("en", ctx.analysis.language) if ctx.analysis is not None else ("en",)
        languages = reply_languages(doc, also)
        undisguise = (
            self._undisguise_in.get(languages[0], self._undisguise) if doc.language[1] else self._undisguise
        )
        masked = masked_text(doc)
        if ctx.thread is not None and ">" in doc.folded.text:  # an internal note marked like a quote
            unquoted = unquote_foreign_lines(doc.folded.text, doc.masked, ctx.thread)
            if unquoted != doc.masked:
                masked = mask_text(unquoted)
        text = undisguise(masked)
        scan = doc.scan if text is doc.masked else scan_text(text)
        spans = [(h.start, h.end, "contempt") for h in self._contempt.finditer(scan)]
        spans += [
            (h.start, h.end, "contempt")
            for h in self._imperative.finditer(scan)
            if _command_starts(text, h.start)
        ]
        spans += [
            (h.start, h.end, "contempt")
            for h in self._alone.finditer(scan)
            if _command_starts(text, h.start) and _clause_ends(text, h.end)
        ]
        if _MOCKING.search(text):
            spans += _mocked(text, self._audience.finditer(scan))
        if spans and text is not doc.masked:  # single-quoted passages are the customer's words
            spans = [s for s in spans if MASK not in text[s[0] : s[1]]]
        # Everyday words of a language ("con" is Spanish "with", "retard" French "delay") are read
        # as such in every language the reply is read in: when its reading is unclear, all five.
        ordinary = frozenset().union(*(self._not_abuse.get(lang, frozenset()) for lang in languages))
        words: Iterator[Span] = iter(())
        if self._any_word(text, languages, ordinary):
            split = _PICTOGRAPH.sub("\n", text) if not text.isascii() else text
            # The writer's name on its own sign-off line signs the reply ("Memo" is a Spanish
            # insult too): a word there calls nobody anything.
            names = signoff_names(doc.original)
            words = (
                w
                for w in self._word_hits(split, doc, languages, ordinary)
                if not _inside(doc.folded.span(w[0], w[1]), names)
                and not (w[2] == "profanity" and _in_name(doc, w, languages[0]))
            )
        hits: list[Hit] = []
        last_end = -1
        # Word hits come in text order, so merging them into the sorted phrase spans gives the
        # order sorting them all would, while words after the last finding reported are never
        # judged (a 20,000-character run of insults: the first few dozen words, not all of them).
        for start, end, what in heapq.merge(sorted(spans), words):
            if start < last_end:
                continue  # one finding per stretch of abuse
            if len(hits) == _MAX_HITS:
                break
            last_end = end
            o_start, o_end = doc.folded.span(start, end)
            hits.append(
                Hit(
                    f"Abusive wording ({what}) aimed at the customer {at(o_start, o_end)}.",
                    o_start,
                    o_end,
                    "Remove it: address the customer with respect, whatever they wrote.",
                )
            )
        return hits

    def _any_word(self, text: str, languages: tuple[str, ...], ordinary: frozenset[str]) -> bool:
        # Cheap pre-pass: most replies have no listed word at all.
        if self._any.regex.search(scan_text(text)) is None:
            return False  # (scan_text: "¡idiota!" starts after a symbol the matcher can see)
        table = self._vocab.table(languages)
        words = set(TOKEN.findall(text))
        words |= {w.split("'", 1)[1] for w in words if "'" in w}  # French elision: "d'idiot"
        return any(table.get(word, _NO_KINDS) & _WORD_KINDS for word in words - ordinary)

    def _word_hits(
        self, text: str, doc: Document, languages: tuple[str, ...], ordinary: frozenset[str]
    ) -> Iterator[Span]:
        """Word-level abuse in `text`, in text order, judged one word at a time as they are read."""
        for index, sentence in enumerate(sentences_of(text, memo=doc.tokens)):
            yield from self._sentence_hits(sentence, languages, ordinary, greeting=index == 0)

    def _sentence_hits(
        self, sentence: Sentence, languages: tuple[str, ...], ordinary: frozenset[str], *, greeting: bool
    ) -> Iterator[Span]:
        tokens = sentence.tokens
        table = self._vocab.table(languages)
        kinds = [_NO_KINDS if t.text in ordinary else table.get(t.text, _NO_KINDS) for t in tokens]
        reported = frozenset().union(*(self._reported.get(lang, frozenset()) for lang in languages))
        clause_sizes: dict[int, int] = {}
        for t in tokens:
            clause_sizes[t.clause] = clause_sizes.get(t.clause, 0) + 1
        seen_second = seen_report = False  # so far in the sentence: one pass, not one per word
        for i, token in enumerate(tokens):
            found = kinds[i]
            if not found & _WORD_KINDS:
                seen_second = seen_second or bool(found & _ANCHORS)
                seen_report = seen_report or token.text in reported
                continue
            if seen_second and seen_report:
                continue  # "you called it crap": the customer's words, reported
            if "contempt_adj" in found and (seen_second or self._addressed(tokens, kinds, i)):
                yield (token.start, token.end, "contempt")
                continue
            if "whine" in found and self._owned(tokens, kinds, i):
                yield (token.start, token.end, "contempt")  # "Ihr Gejammer", "your whining"
                continue
            if "whine" in found and self._stopped(tokens, kinds, i):
                yield (token.start, token.end, "contempt")  # "stop whining", "hör auf zu jammern"
                continue
            if found & {"insult_noun", "patronising"} and self._exclaimed(tokens, kinds, i):
                yield (token.start, token.end, "name-calling")  # "¡Qué lumbrera!"
                continue
            if "insult_adj" in found and self._exclaimed_at(tokens, kinds, i):
                yield (token.start, token.end, "insult")  # "qué pesadito eres", "how stupid are you"
                continue
            addressed = self._addressed(tokens, kinds, i)
            vocative = clause_sizes[token.clause] <= _VOCATIVE_MAX and self._vocative(tokens, kinds, i)
            opening = greeting and self._opening(tokens, kinds, i)
            if "patronising" in found and vocative and not opening:
                yield (token.start, token.end, "contempt")  # "Do try to keep up, sweetheart."
            elif "insult_noun" in found and (addressed or vocative or self._pointed(tokens, kinds, i)):
                yield (token.start, token.end, "name-calling")
            elif "insult_adj" in found and (addressed or self._nominal(tokens, kinds, i)):
                yield (token.start, token.end, "insult")
            elif "profanity" in found and (
                addressed
                or (
                    "strong" in found
                    and not self._team_subject(tokens, kinds, i)
                    and not self._postnominal(tokens, kinds, i)
                )
            ):
                yield (token.start, token.end, "profanity")

    @staticmethod
    def _addressed(tokens: Sequence[Token], kinds: list[frozenset[str]], i: int) -> bool:
        """A second-person word before token i in its clause, only bridge words between."""
        clause = tokens[i].clause
        skipped = False  # one noun after a possessive: "your messages are ... pathetic"
        for j in range(i - 1, max(-1, i - 1 - _MAX_BRIDGE - 1), -1):
            if tokens[j].clause != clause:
                return False
            if kinds[j] & _ANCHORS:
                return True
            if (
                "people" in kinds[j]
                and j > 0
                and "quantifier" in kinds[j - 1]
                and tokens[j - 1].clause == clause
            ):
                return True  # "certain customers are just rude": a jab at this one, said of all
            if "stop" in kinds[j] and (j == 0 or tokens[j - 1].clause != clause):
                return True  # "Deixa de ser mimado.": an imperative at the clause's start
            if "be" in kinds[j] and any(
                "stop" in kinds[k] and tokens[k].clause == clause for k in range(max(0, j - 2), j)
            ):
                return True  # "a ver si dejás de ser tan ...": stop being, anywhere in the clause
            if kinds[j] & {"bridge", "insult_adj", "profanity"}:
                continue
            if skipped or j == 0 or "possessive" not in kinds[j - 1]:
                return False
            skipped = True
        return False

    @staticmethod
    def _owned(tokens: Sequence[Token], kinds: list[frozenset[str]], i: int) -> bool:
        """A complaining word right after "your"/"Ihr"/"votre" ("your whining", "Ihr Gejammer"),
        used as a noun: an English "-ing" form followed by a plain word is an adjective ("your
        crying baby") and says nothing of the customer."""
        if i == 0 or "possessive" not in kinds[i - 1] or tokens[i - 1].clause != tokens[i].clause:
            return False
        following = i + 1 < len(tokens) and tokens[i + 1].clause == tokens[i].clause
        return not (following and tokens[i].text.endswith("ing") and not kinds[i + 1])

    @staticmethod
    def _pointed(tokens: Sequence[Token], kinds: list[frozenset[str]], i: int) -> bool:
        """A determiner right before the insult noun (an insulting adjective may stand between):
        "this bridezilla", "die Zicke", "ce casse-pieds"; not about ourselves, not negated."""
        j = i - 1
        if j >= 0 and kinds[j] & {"insult_adj", "aged"} and tokens[j].clause == tokens[i].clause:
            j -= 1  # "this stupid bridezilla", "la vieja chocha"
        if j < 0 or not kinds[j] & _POINTERS or tokens[j].clause != tokens[i].clause:
            return False
        if "idiom" in kinds[i]:
            return False  # "deixaria qualquer um maluco", "the clown costume": not a name
        return not Abuse._self_or_negated(tokens, kinds, i)

    @staticmethod
    def _nominal(tokens: Sequence[Token], kinds: list[frozenset[str]], i: int) -> bool:
        """An insulting adjective used as a noun: after a determiner and closing its clause or
        followed by "de"/"von"/"from" ("es la pesada de Compras", "essa aluna é uma grossa")."""
        if i == 0 or "determiner" not in kinds[i - 1] or tokens[i - 1].clause != tokens[i].clause:
            return False
        if "idiom" in kinds[i]:
            return False
        closes = i + 1 == len(tokens) or tokens[i + 1].clause != tokens[i].clause
        if not closes and tokens[i + 1].text not in _OF:
            return False
        return not Abuse._self_or_negated(tokens, kinds, i)

    @staticmethod
    def _self_or_negated(tokens: Sequence[Token], kinds: list[frozenset[str]], i: int) -> bool:
        """Is the clause about ourselves, or is the noun negated? A comparison after the negation
        lifts it off the noun: "no como algunos listillos" still calls someone a name."""
        clause = tokens[i].clause
        negated = False
        for j in range(i):
            if tokens[j].clause != clause:
                continue
            if "first" in kinds[j]:
                return True
            if "negation" in kinds[j]:
                negated = True
            elif "comparison" in kinds[j]:
                negated = False
        return negated

    @staticmethod
    def _exclaimed(tokens: Sequence[Token], kinds: list[frozenset[str]], i: int) -> bool:
        """Does an exclamation open the clause and lead to the name: "¡Qué lumbrera!", "quel
        casse-pieds celui-là", "que homem tão melga"? Only bridge words, "old", an insulting
        adjective or a word for people may stand between. A figure that is as often a thing
        counts only with words between ("¡qué loco!" is about a week), a pet name only when it
        closes the clause ("what a genius idea" is praise), never about ourselves ("what an idiot
        I was")."""
        clause = tokens[i].clause
        start = _clause_start(tokens, i)
        if "exclaim" not in kinds[start] or start == i or i - start > _VOCATIVE_MAX:
            return False
        if "idiom" in kinds[i] and i - start == 1:
            return False  # "¡qué loco!" is about the week; "que homem tão melga" is about him
        between = {"bridge", "aged", "insult_adj", "people", "profanity"}
        if any(not kinds[j] & between for j in range(start + 1, i)):
            return False
        closes = i + 1 == len(tokens) or tokens[i + 1].clause != clause
        if "insult_noun" not in kinds[i] and not closes:
            return False
        rest = range(start, len(tokens))
        return not any("first" in kinds[j] for j in rest if tokens[j].clause == clause)

    @staticmethod
    def _exclaimed_at(tokens: Sequence[Token], kinds: list[frozenset[str]], i: int) -> bool:
        """An insulting adjective after an exclamation that opens the clause, with the customer
        right after it: "qué pesadito eres", "how stupid are you", "que chato você é". Said of a
        thing ("qué pesado es esto") it has no second person and passes."""
        clause = tokens[i].clause
        start = _clause_start(tokens, i)
        if "exclaim" not in kinds[start] or start == i or i - start > _VOCATIVE_MAX:
            return False
        if any(not kinds[j] & {"bridge", "profanity"} for j in range(start + 1, i)):
            return False
        after = [j for j in range(i + 1, len(tokens)) if tokens[j].clause == clause]
        if not after or len(after) > 2 or any(not kinds[j] & {"second", "bridge"} for j in after):
            return False  # "que chato você ter perdido a visita": a pity, said of what happened
        return any("second" in kinds[j] and tokens[j].text not in _THIRD_TOO for j in after)

    @staticmethod
    def _stopped(tokens: Sequence[Token], kinds: list[frozenset[str]], i: int) -> bool:
        """A "stop" word a few words before, same clause: "deja ya de quejarte", "arrêtez de chouiner"."""
        clause = tokens[i].clause
        return any(
            "stop" in kinds[j] and tokens[j].clause == clause for j in range(max(0, i - _STOP_REACH), i)
        )

    @staticmethod
    def _vocative(tokens: Sequence[Token], kinds: list[frozenset[str]], i: int) -> bool:
        """Is the insult the whole clause (with a bridge word or two): "..., loser." / "Idiot!"."""
        lo, hi = max(0, i - _VOCATIVE_MAX), min(len(tokens), i + _VOCATIVE_MAX + 1)
        clause = [j for j in range(lo, hi) if tokens[j].clause == tokens[i].clause]
        return all(j == i or kinds[j] & {"bridge", "insult_adj", "profanity", "second"} for j in clause)

    @staticmethod
    def _opening(tokens: Sequence[Token], kinds: list[frozenset[str]], i: int) -> bool:
        """Is token i (of the first sentence) part of the greeting: in its first clause ("Sweetheart,
        ...", "Hi honey,") or in the clause right after one that a greeting word opens ("Hi
        there, darling")? "Maybe pack lighter next time, genius" is not a greeting."""
        clause = tokens[i].clause
        return clause == 0 or (clause == 1 and "greeting" in kinds[0])

    @staticmethod
    def _postnominal(tokens: Sequence[Token], kinds: list[frozenset[str]], i: int) -> bool:
        """Does the swear word follow a thing as its modifier ("el sistema de etiquetas de los
        cojones", "ce truc de merde")? Then it curses that thing; said of a person ("ce client de
        merde") it is still name-calling."""
        j = i - 1
        if j >= 0 and len(tokens[j].text) <= _ARTICLE_MAX and tokens[j].text not in _OF:
            j -= 1  # an article between: "de los cojones"
        if j < 1 or tokens[j].text not in _OF or tokens[j].clause != tokens[i].clause:
            return False
        head = kinds[j - 1]
        return not head & {"people", "insult_noun", "second", "patronising", "stop"}

    @staticmethod
    def _team_subject(tokens: Sequence[Token], kinds: list[frozenset[str]], i: int) -> bool:
        clause = tokens[i].clause
        return any(
            "first" in kinds[j] and tokens[j].clause == clause for j in range(max(0, i - _FIRST_WINDOW), i)
        )

    def instruction(self, finding: Finding) -> str:
        return (
            f"Remove the abusive wording {at(finding.start, finding.end)}: no insult, profanity or "
            "contempt towards the customer; keep a respectful, helpful tone."
        )
