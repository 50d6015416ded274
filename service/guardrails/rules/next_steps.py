"""`next-steps` (warn): the reply tells the customer what happens next or what to do.

Present when the reply (outside quotes) has a cue from the lexicon: a commitment ("I'll", "we
will", "te escribiré"), an instruction ("please", "you can", "go to", "klicken Sie"), an impersonal
one ("can be changed under", "se cambia en", "lässt sich ... ändern"), an offer ("I can send",
"se quiser"), a time frame ("within 24 hours", "by Friday", "tomorrow"), something under way in the
present tense ("a replacement ships today", "sale hoy"), a follow-up promise ("I'll keep you
posted"), a German perfect whose participle closes a long clause ("ich habe Ihnen ... geschickt":
the `bracket` kind), a numbered list of steps, or an imperative opening a sentence or clause.
An `exception` phrase overlapping a cue cancels it ("esta mañana" is this morning, not tomorrow).
A `no-plan` phrase takes the rest of its clause out of the reading: a hope ("Hopefully things
will be back to normal soon", "j'espère que") or a non-committal future ("we'll see what
happens", "on verra bien", "a gente vai melhorar") is no plan, whatever tense it is in.
The finding points at the customer's issue that asked for an answer.
"""

from __future__ import annotations

import dataclasses
import re
from functools import lru_cache
from typing import ClassVar, Self

from pydantic import BaseModel, ConfigDict

from service.guardrails.document import SCAN_OFFSET, Document, scan_text
from service.guardrails.lexicon import PhraseEntry, PhraseLexicon, Sources, load_rule_lexicon, phrase_matchers
from service.guardrails.phrases import PhraseHit, PhraseMatcher, expand, trie_regex
from service.guardrails.rules.base import Hit, Rule, RuleContext
from service.guardrails.rules.presence import obligation
from service.guardrails.rules.word_rule import masked_text
from service.guardrails.words import Sentence, tokens_of, window_sentences
from service.language.menu_path import has_menu_path
from service.models import Finding, Severity, Thread

_KINDS = frozenset({"cue", "exception", "bracket", "no-plan", "vague"})
_WORD = re.compile(r"\w+")
_DIGIT = re.compile(r"\d")
# A German perfect may hold its object, an adverb and a prepositional phrase before the participle.
_BRACKET_WORDS = 10
_MIN_FUTURE = 5  # letters: "será", "sera" are too short to tell a future ending from a word
_PERFECT_REACH = 4  # "I've just now refunded", "ich habe Ihnen die Kosten storniert"


class Signals(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    second: list[str]
    request_modal: list[str]
    dm: list[str]
    future_aux: list[str]
    future_suffix: dict[str, list[str]]
    perfect_aux: dict[str, list[str]]
    participle_suffix: dict[str, list[str]]
    preterite_suffix: dict[str, list[str]]
    soon: list[str]
    soon_preposition: list[str]
    # A time frame written with numbers: a clock time ("11:00 Uhr", "14 h", "3pm"), a date ("9 juin",
    # "14.6.") or a number of units ("3 à 5 jours", "48 Stunden"); see _time_frame.
    # Per language: the shape of an imperative opening a clause, matched on its first two words
    # joined by a space ("schicken sie", "dites-moi", "descárgalo desde", "me conta").
    clause_imperative: dict[str, str] = {}
    # Per language: a passive of something done ("has been passed", "a été transmis", "wurde
    # weitergeleitet"): an auxiliary, then a participle within a few words, no negation before.
    passive_aux: dict[str, list[str]] = {}
    # Words that make a clause-opening imperative comfort, not an instruction ("Nehmen Sie sich
    # alle Zeit", "Sachez que ...", "Seien Sie versichert"): any of them in the clause cancels it.
    comfort: list[str] = []
    passive_participle: dict[str, str] = {}
    negations: list[str] = []
    # Negations that cancel a cue standing right after them in its clause ("No podemos devolver",
    # "não abrimos exceções", "nous ne pouvons"): a refusal reads like an offer without them.
    cue_negations: list[str] = []
    # Per language: the shape of a participle that closes its clause after a first-person
    # auxiliary (German is verb-final: "Ich habe die Differenz von 18,40 € gerade erstattet").
    clause_final_aux: dict[str, list[str]] = {}  # auxiliaries read only with the clause-final shape
    clause_final_participle: dict[str, str] = {}
    # Per language: words that put a sentence in the past (a past auxiliary, "yesterday", "ago")
    # and past endings of a finite verb; a date or clock time in such a sentence is not ahead.
    past_forms: dict[str, list[str]] = {}
    past_suffix: dict[str, list[str]] = {}
    # Per language: auxiliaries of a compound past told about a third party ("un incident a
    # bloqué la ligne", "se ha inundado"): with a participle right after, the clause is the past.
    past_aux: dict[str, list[str]] = {}
    # Words that make a count how long something lasted, not when it will be done ("for over two
    # hours", "durante cerca de três horas", "pendant deux heures", "während drei Tagen").
    duration_prepositions: list[str] = []
    # Participles that tell how a figure or a decision came about ("les frais ont été établis à
    # partir du rapport", "was calculated from", "wurde ... berechnet"): an explanation in the
    # passive, not an action taken for the customer.
    explained_participles: list[str] = []
    # Words that tell a first-person present as a standing rule, not an act for this customer
    # ("nach Ihrem Tarif", "normally", "en général", "según su póliza", "conforme o seu plano").
    rule_markers: list[str] = []
    # Words that may stand between a preposition of time ahead and a count ("within about 2
    # hours", "em até 2 horas", "sous environ 48 heures") or stand for one ("up to").
    ahead_before_count: list[str] = []
    # Units of a count that is a processing time whatever stands before it ("5 jours ouvrés").
    business_units: list[str] = []
    clock_units: list[str] = []
    months: list[str] = []
    durations: list[str] = []
    # Counts written as words before a duration ("cinco dias úteis", "the next hour", "d'ici deux jours").
    number_words: list[str] = []
    ahead_prepositions: list[str] = []
    # A named day ("Thursday", "jeudi", "quinta") is a time frame wherever it stands in the reply,
    # unless a past marker comes just before it ("since Tuesday", "seit Montag") or it is the
    # customer's own (their "show on Saturday" is their situation, not our plan).
    weekdays: list[str] = []
    past_markers: list[str] = []
    # Per language: verbs whose bare infinitive closing a clause is an instruction (German
    # "Foto vom Zähler schicken", "Bitte App neu starten", "Einfach ab- und wieder anmelden"). A
    # word counts when it ends with one of them, so separable prefixes come free ("anmelden").
    infinitive_verbs: dict[str, list[str]] = {}
    # Words that make a clause-final infinitive part of a finite sentence, not an instruction:
    # a subject, a modal, a negation ("Wir können das nicht ändern", "um ... zu prüfen").
    infinitive_blockers: dict[str, list[str]] = {}
    # First-person ability as an offer ("I can move you", "Je peux par contre vous passer",
    # "Ich kann Ihren Abschlag aber senken", "posso te passar"): a modal of `offer_modal` (one word
    # or two) with a verb in the next few words, unless a negation or one of `not_offer` (what we
    # can understand, imagine or assure, which is sympathy, not an offer) stands among them.
    offer_modal: list[str] = []
    not_offer: list[str] = []
    # Participles that make a first-person perfect what the agent saw or had, not what they did
    # ("j'ai bien reçu", "hemos tenido", "I have read"): the perfect then gives no next step.
    perfect_not_done: list[str] = []
    # A step reported done without a verb of our own: a word of completion that closes its
    # clause ("Refund for the fries is done.", "Remboursement fait, plus …") or follows
    # `already` ("Reembolso total já feito e …"). Short participles ("je t'ai mis") also count
    # after a first-person auxiliary, below the length a participle ending needs.
    done_states: list[str] = []
    already: list[str] = []
    # Per language: first-person preterites no ending tells ("Já fiz o reembolso e meti …").
    preterite_words: dict[str, list[str]] = {}
    # A condition put to the customer with its outcome in the same sentence is what to do ("se
    # você subir de novo sem a trilha, ele fica no ar", "if you repost it without the link, it
    # stays up"): `if_words` right before `you_words`, a later clause, no negation or past in the
    # condition's clause.
    if_words: list[str] = []
    you_words: list[str] = []
    # Adverbs that may stand before a clause-opening imperative ("Simplemente reiniciá el router",
    # "Einfach Foto schicken"): the shape is then read on the two words after it.
    lead_adverbs: list[str] = []
    # Per language: how many words after the auxiliary a participle may stand (default
    # _PERFECT_REACH). French participle endings are also those of common words ("trois",
    # "fois"), so there only the next two count ("j'ai bien transmis").
    perfect_reach: dict[str, int] = {}
    # Words after a count of units that make it a window of a rule, not a time ahead
    # ("cancellations made within 24 hours of the booking", "innerhalb von 14 Tagen nach Erhalt",
    # "dans les 30 jours suivant la livraison"): the count is measured from an event.
    window_after: list[str] = []
    # Words after a count of units that make it a time ahead whatever stands before it
    # ("Rider's 5 min away", "5 Minuten entfernt").
    ahead_after: list[str] = []
    # Subordinators that make a passive of something done a condition ("once it has been packed",
    # "sobald sie bereits …", "une fois qu'il a été expédié", "cuando ha sido enviado").
    condition_words: list[str] = []


class NextStepsLexicon(PhraseLexicon):
    # Verbs that give an instruction when they open a sentence or a clause ("Open Reports, then
    # click Export"); written in lower case, matched on the folded text.
    imperatives: dict[str, list[str]]
    signals: Signals | None = None


# A link in the reply's own words is something to act on ("follow it here: https://…", "O guia
# está em https://…"), and so is a path through menus ("Conta > Pagamentos", "Minha Conta ›
# Documentos"). Both start at a fixed character, so a reply without one costs one failed scan.
_LINK = re.compile(r"(?:\bhttps?://|\bwww\.)[^\s<>\"']+")
# A negation glued to or right after a cue's last word: "you can't", "we can not", "I will not".
_NEGATED_AFTER = re.compile(r"(?:n't|'t|’t|\s+not\b|\s+never\b)")
_SENTENCE_MARK = re.compile(r"[.!?\n]")
_PRESENT_ACT = "first-person-present"  # the cue entry of acts told in the present tense
_NEGATION_CHARS = 24  # characters before a cue read for a negation ("no se", "não", "nous ne")
_CLAUSE_MARK = re.compile(r"[;:,—]\s")  # what ends a clause inside a sentence ("18,40" does not)
_RANGE = re.compile(r"\d\s?(?:-|–|à|a|bis|to|até|ou|or|o)\s?\d")  # "3-5 days", "3 à 5 jours"
_AHEAD_CHARS = 32  # characters before a count of units read for a preposition of time ahead
_OFFER_REACH = 5  # words after "I can" / "ich kann": "je peux par contre vous passer"
# Where a no-plan phrase's reach ends: the end of its clause. Punctuation right after the phrase
# ("Hopefully, things will …") does not end it.
_CLAUSE_END = re.compile(r"[.!?;:,\n]")
_NUMBERED_STEP = re.compile(r"(?m)^[ \t]*(?:\d{1,2}[.)]|step \d|paso \d|schritt \d|étape \d|passo \d)\s")


def _split_cues(lexicon: PhraseLexicon) -> tuple[PhraseMatcher[PhraseEntry], PhraseMatcher[PhraseEntry]]:
    """The cue literals no exception can overlap, and the others.

    Two phrase matches that overlap share a whole word of the text (both start and end on word
    boundaries), so a cue can only be cancelled by an exception it shares a word with, or one
    that falls into its gap. Checking only those against the exceptions keeps the common case (an
    early "I'll ..." or "please") at one regex search.
    """
    exception_words = {
        word
        for entry in lexicon.entries
        if entry.kind == "exception"
        for phrase in entry.phrases
        for literal in expand(phrase)
        for word in _WORD.findall(literal)
    }
    plain: list[tuple[PhraseEntry, list[str]]] = []
    guarded: list[tuple[PhraseEntry, list[str]]] = []
    for entry in lexicon.entries:
        if entry.kind != "cue":
            continue
        for phrase in entry.phrases:
            for literal in expand(phrase):
                risky = " ... " in literal or not exception_words.isdisjoint(_WORD.findall(literal))
                (guarded if risky else plain).append((entry, [literal]))
    return PhraseMatcher(plain), PhraseMatcher(guarded)


_BLANK = " \t\n\r\x0b\x0c\x1a"
_CONNECTOR = re.compile(r"\b(?:then|and|y|und|et|e|luego|dann|puis|depois)$")
_CONNECTOR_REACH = 8  # characters: the longest connector and the word boundary before it


def _opens_clause(scan: str, at: int) -> bool:
    """Do the blanks before `at` follow the text's start, a line break, clause punctuation and a
    blank, or a connector ("then", "und") and a blank?"""
    j = at
    while j > 0 and scan[j - 1] in _BLANK:
        j -= 1
    run = scan[j:at]
    if j == 0 or "\n" in run:
        return True
    if run[:1] == " " and scan[j - 1] in _BULLETS and _line_start(scan, j - 1):
        return True  # a list item ("- Schick mir deine Spieler-ID", "• Tap Settings")
    if "\x1a" in run:
        # An emoji or symbol between two words ends a chat sentence ("para tanto 😅 Simplemente borra").
        return True
    if not run or not run[0].isspace():
        return False
    return scan[j - 1] in ".!?:;," or _CONNECTOR.search(scan, max(0, j - _CONNECTOR_REACH), j) is not None


_BULLETS = "-*•·–"


def _line_start(scan: str, at: int) -> bool:
    """Is `at` the first non-blank character of its line?"""
    j = at
    while j > 0 and scan[j - 1] in " \t":
        j -= 1
    return j == 0 or scan[j - 1] == "\n"


_SALUTATION_WORDS = 4


def _salutation(text: str, sentence: Sentence) -> bool:
    """Is the sentence the letter's salutation line ("Hola, Gabriela:", "Bonjour Nathalie,")? A
    name after the greeting can have an imperative's shape ("gabriela" as "gabrie-la")."""
    # Only blank space may come before it: tested first, by where the first visible character
    # is (the line end looked for from every sentence read a 20,000-character text to its end).
    visible = _VISIBLE.search(text)
    if visible is not None and visible.start() < sentence.start:
        return False
    line_end = text.find("\n", sentence.start)
    return (
        line_end != -1
        and text[sentence.start : line_end].rstrip()[-1:] in (",", ":")
        and len(sentence.tokens) <= _SALUTATION_WORDS
    )


_VISIBLE = re.compile(r"\S")


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted({w.casefold() for w in words}, key=len, reverse=True))


def _time_frame(signals: Signals) -> re.Pattern[str] | None:
    """A time written with digits: a clock time, a date or a count of time units. Every branch
    starts at a digit, so a reply without one costs a single failed scan."""
    branches = []
    if signals.clock_units:
        branches.append(rf"\d{{1,2}}(?:[:.h]\d{{2}})?\s?(?:{_alternation(signals.clock_units)})")
        branches.append(r"\d{1,2}:\d{2}")
    if signals.months:
        branches.append(rf"\d{{1,2}}(?:\.|er|st|nd|rd|th)?\s(?:de\s)?(?:{_alternation(signals.months)})")
    branches.append(r"(?:[12]\d|3[01]|0?[1-9])\.(?:1[0-2]|0?[1-9])\.(?!\d)")  # "14.6.", not "£14.60."
    # A German day of the month after "am" ("ist am 14. auf Ihrem Konto"): the look-behind keeps
    # the branch starting at a digit.
    branches.append(r"(?<=\bam )(?:[12]\d|3[01]|0?[1-9])\.(?=\s)")
    if signals.durations:
        # "48 Stunden", "3 à 5 jours", "1-2 business days", "3 a 5 días hábiles".
        branches.append(
            rf"\d{{1,3}}(?:\s?(?:-|–|à|a|bis|to|até|ou|or|o)\s?\d{{1,3}})?\s(?:{_alternation(signals.durations)})"
        )
    if not branches:
        return None
    return re.compile(rf"(?<![\w.,:])(?:{'|'.join(branches)})(?!\w)")


def _first_word(phrase: str) -> str:
    return phrase.casefold().split()[0]


def _last_word(phrase: str) -> str:
    """The last token of a phrase as the sentence reader splits it ("d'ici" -> "ici")."""
    tokens = tokens_of(phrase.casefold())
    return tokens[-1].text if tokens else phrase.casefold()


def customer_words(thread: Thread | None) -> frozenset[str]:
    """The folded words of the customer's messages (what they said is their situation)."""
    if thread is None:
        return frozenset()
    return _words_of(tuple(m.body for m in thread.customer_messages()))


@lru_cache(maxsize=64)
def _words_of(bodies: tuple[str, ...]) -> frozenset[str]:
    return frozenset(w.casefold() for body in bodies for w in _WORD.findall(body))


class NextSteps(Rule):
    id: ClassVar[str] = "next-steps"
    default_severity: ClassVar[Severity] = Severity.warn
    lexicon_file: ClassVar[str | None] = "next_steps.yaml"

    def __init__(
        self,
        cues: PhraseMatcher[PhraseEntry],
        guarded: PhraseMatcher[PhraseEntry],
        exceptions: PhraseMatcher[PhraseEntry],
        brackets: PhraseMatcher[PhraseEntry],
        imperative: re.Pattern[str],
        negation: re.Pattern[str] | None,
        signals: Signals | None = None,
        no_plan: PhraseMatcher[PhraseEntry] | None = None,
        vague: PhraseMatcher[PhraseEntry] | None = None,
    ) -> None:
        self._cues = cues  # cues no exception can overlap: one regex search settles them
        self._guarded = guarded  # cues an exception may cancel
        self._exceptions = exceptions
        self._brackets = brackets
        self._imperative = imperative
        self._negation = negation
        self._signals = signals
        self._no_plan = no_plan
        self._vague = vague
        self._rule_marker: re.Pattern[str] | None = None
        if signals is not None and signals.rule_markers:
            self._rule_marker = re.compile(rf"\b(?:{_alternation(signals.rule_markers)})\b")
        self._time_frame: re.Pattern[str] | None = None
        if signals is not None:
            self._time_frame = _time_frame(signals)
            self._clause_imperative = {
                lang: re.compile(pattern) for lang, pattern in signals.clause_imperative.items()
            }
            self._negations = frozenset(signals.negations)
            self._cue_negations = frozenset(w.casefold() for w in signals.cue_negations)
            self._comfort = frozenset(signals.comfort)
            self._past_forms = {
                lang: frozenset(w.casefold() for w in words) for lang, words in signals.past_forms.items()
            }
            self._past_suffix = {lang: tuple(s) for lang, s in signals.past_suffix.items()}
            self._past_aux = {
                lang: frozenset(w.casefold() for w in words) for lang, words in signals.past_aux.items()
            }
            self._explains = frozenset(w.casefold() for w in signals.explained_participles)
            self._window_after = frozenset(" ".join(w.casefold().split()) for w in signals.window_after)
            self._ahead_after = frozenset(w.casefold() for w in signals.ahead_after)
            self._conditions = frozenset(w.casefold() for w in signals.condition_words)
            self._months = frozenset(w.casefold() for w in signals.months)
            self._lasting = frozenset(w.casefold() for w in signals.duration_prepositions)
            self._unit_words = frozenset(d.casefold().split()[-1] for d in signals.durations)
            self._business_units = tuple(u.casefold() for u in signals.business_units)
            ahead = [*signals.ahead_prepositions, *signals.ahead_before_count]
            self._ahead_phrases = frozenset(" ".join(p.casefold().split()) for p in ahead)
            self._final_shape = {
                lang: re.compile(pattern) for lang, pattern in signals.clause_final_participle.items()
            }
            self._passive_participle = {
                lang: re.compile(pattern) for lang, pattern in signals.passive_participle.items()
            }
            self._second = frozenset(signals.second)
            self._modal = frozenset(signals.request_modal)
            self._dm = frozenset(signals.dm)
            self._future_aux = frozenset(w for w in signals.future_aux if " " not in w)
            self._soon = frozenset(signals.soon)
            self._soon_prep = frozenset(signals.soon_preposition)
            self._weekdays = frozenset(signals.weekdays)
            self._past = frozenset(signals.past_markers)
            # A count in words is read word by word in the (bounded) sentence loop, not by a regex
            # over the whole text: a branch starting at a letter would be tried at every word.
            self._numbers = frozenset(w.casefold() for w in signals.number_words)
            self._ahead = frozenset(_last_word(p) for p in signals.ahead_prepositions)
            self._units = frozenset(_first_word(d) for d in signals.durations)
            self._infinitives = {
                lang: tuple(v.casefold() for v in verbs) for lang, verbs in signals.infinitive_verbs.items()
            }
            self._offer_modal = frozenset(w.casefold() for w in signals.offer_modal)
            self._not_offer = frozenset(w.casefold() for w in signals.not_offer)
            self._perfect_not_done = frozenset(w.casefold() for w in signals.perfect_not_done)
            self._done_states = frozenset(w.casefold() for w in signals.done_states)
            self._already = frozenset(w.casefold() for w in signals.already)
            self._if_words = frozenset(w.casefold() for w in signals.if_words)
            self._you_words = frozenset(w.casefold() for w in signals.you_words)
            self._preterite_words = {
                lang: frozenset(w.casefold() for w in words)
                for lang, words in signals.preterite_words.items()
            }
            self._lead_adverbs = frozenset(w.casefold() for w in signals.lead_adverbs)
            self._infinitive_blockers = {
                lang: frozenset(w.casefold() for w in words)
                for lang, words in signals.infinitive_blockers.items()
            }

    @classmethod
    def load(cls, data: bytes | None, sources: Sources) -> Self:
        name = cls.lexicon_file or ""
        lexicon = load_rule_lexicon(NextStepsLexicon, name, data, sources, cls.id)
        assert isinstance(lexicon, NextStepsLexicon)  # the TypeVar is constrained to the base class
        verbs = sorted(
            {v.casefold() for vs in lexicon.imperatives.values() for v in vs}, key=len, reverse=True
        )
        leads = sorted({w.casefold() for w in (lexicon.signals.lead_adverbs if lexicon.signals else [])})
        adverbs = "|".join(map(re.escape, sorted(leads, key=len, reverse=True))) or "(?!)"
        imperative = re.compile(
            # The verb (an adverb may come first: "Just click", "First uninstall") after blanks or
            # MASK (an emoji, a symbol); whether those follow a sentence or clause start is
            # checked by _opens_clause. Written as a look-behind, not as "a start, then any run of
            # blanks": that form rescanned the whole run from every line break (seconds on a long
            # quoted block).
            # The adverbs are the lexicon's `lead_adverbs` ("Simplemente aprieta", "Einfach neu
            # starten"), the same words the shape of a clause-opening imperative skips.
            rf"(?<![^\s\x1a])(?:(?:{adverbs})\s)?"
            # The verbs as a trie ("re" -> install | start | boot ...): one branch per shared
            # prefix instead of hundreds of alternatives tried at every word start.
            rf"(?:{trie_regex(verbs)})\b"
        )
        matchers = phrase_matchers(lexicon, _KINDS, name, {"bracket": _BRACKET_WORDS})
        plain, guarded = _split_cues(lexicon)
        words = sorted({w.casefold() for ws in lexicon.negation_cues.values() for w in ws})
        negation = re.compile(rf"\b(?:{'|'.join(map(re.escape, words))})\b") if words else None
        return cls(
            plain,
            guarded,
            matchers["exception"],
            matchers["bracket"],
            imperative,
            negation,
            lexicon.signals,
            matchers["no-plan"],
            matchers["vague"],
        )

    def _plain_cue(self, scan: str) -> bool:
        """A cue no exception can overlap, not negated just before it ("No podemos devolver",
        "não abrimos exceções": a refusal, not an offer or an action) or right after it ("you
        can't get back", "we can not")."""
        return any(
            not self._negated(scan, hit.start)
            and not _NEGATED_AFTER.match(scan, hit.end + SCAN_OFFSET)
            and not self._as_a_rule(scan, hit)
            for hit in self._cues.finditer(scan)
        )

    def _as_a_rule(self, scan: str, hit: PhraseHit[PhraseEntry]) -> bool:
        """Is a first-person present told as how things always work ("Bei privat abgerechneten
        Heilmitteln erstatten wir nach Ihrem Tarif 80 %", "we normally refund within the plan's
        limits")? A marker of a rule (`rule_markers`) in its sentence makes it an explanation."""
        if hit.entry.id != _PRESENT_ACT or self._rule_marker is None:
            return False
        lo = max((m.end() for m in _SENTENCE_MARK.finditer(scan, 0, hit.start + SCAN_OFFSET)), default=0)
        end = _SENTENCE_MARK.search(scan, hit.end + SCAN_OFFSET)
        return self._rule_marker.search(scan, lo, end.start() if end is not None else len(scan)) is not None

    def _guarded_cue(self, scan: str) -> bool:
        """A cue that an exception could cancel, and none does."""
        for hit in self._guarded.finditer(scan):
            if (
                not self._exceptions.near(scan, hit.start, hit.end)
                and not self._negated(scan, hit.start)
                and not _NEGATED_AFTER.match(scan, hit.end + SCAN_OFFSET)
            ):
                return True
        return False

    def _negated(self, scan: str, start: int) -> bool:
        """Does one of the two words right before `start`, in the same clause, negate it?"""
        if self._signals is None:
            return False
        before = scan[max(0, start + SCAN_OFFSET - _NEGATION_CHARS) : start + SCAN_OFFSET]
        clause = re.split(r"[.!?:;,\n]", before)[-1]
        return not self._cue_negations.isdisjoint(clause.casefold().split()[-2:])

    def _bracket(self, scan: str) -> bool:
        """A long verb bracket with no negation inside it ("ich habe ... noch nicht geschickt")."""
        for hit in self._brackets.finditer(scan):
            inside = scan[hit.start + SCAN_OFFSET : hit.end + SCAN_OFFSET]
            if self._negation is None or self._negation.search(inside) is None:
                return True
        return False

    def _imperative_opens(self, scan: str) -> bool:
        """An imperative verb that opens a sentence or a clause ("Open Reports, then click ...")."""
        return any(_opens_clause(scan, m.start()) for m in self._imperative.finditer(scan))

    def _without_no_plans(self, doc: Document) -> Document:
        """`doc` with every no-plan phrase and the rest of its clause blanked (same offsets), and
        every vague promise that ends its clause ("We'll look into it.", "Wir kümmern uns
        darum.", "Vamos analisar a situação."): with nothing after it (no time, no object, no
        "and write back by Friday") the promise names no action on the case."""
        if self._no_plan is None:
            return doc
        spans = []
        for hit in self._no_plan.finditer(doc.scan):
            start = hit.end
            while start < len(doc.masked) and not doc.masked[start].isalnum():
                start += 1  # "Hopefully, things will …": the comma after the phrase is not its end
            end = _CLAUSE_END.search(doc.masked, start)
            spans.append((hit.start, end.start() if end is not None else len(doc.masked)))
        for hit in self._vague.finditer(doc.scan) if self._vague is not None else ():
            end = _CLAUSE_END.search(doc.masked, hit.end)
            rest = doc.masked[hit.end : end.start() if end is not None else len(doc.masked)]
            if not any(c.isalnum() for c in rest):
                spans.append((hit.start, hit.end))
        if not spans:
            return doc
        chars = list(doc.masked)
        for lo, hi in spans:
            chars[lo:hi] = " " * (hi - lo)
        masked = "".join(chars)
        blanked = dataclasses.replace(doc, masked=masked, scan=scan_text(masked))
        # The language is the reply's, read on the whole text (a cached property of the original).
        blanked.__dict__["language"] = doc.language
        return blanked

    def present(self, doc: Document, customer: frozenset[str] = frozenset()) -> bool:
        """Does the reply give a next step? `customer`: the words of the customer's messages."""
        doc = self._without_no_plans(doc)
        return (
            self._plain_cue(doc.scan)
            or _NUMBERED_STEP.search(doc.masked) is not None
            or self._imperative_opens(doc.scan)
            or self._guarded_cue(doc.scan)
            or self._bracket(doc.scan)
            or self._link(doc, customer)
            or self._signal(doc, customer)
        )

    @staticmethod
    def _link(doc: Document, customer: frozenset[str]) -> bool:
        """A link of the reply's own (not one the customer sent: every word of it is theirs), or
        a path through menus. Links are read on the unmasked text: an HTML attribute quotes its
        link ("href=\"https://…\""), which is still the reply's own."""
        for match in _LINK.finditer(doc.folded.text):
            if not customer.issuperset(w.casefold() for w in _WORD.findall(match.group())):
                return True
        # On the original text: folding turns "›" into a quotation mark. A quoted line's ">"
        # has no letter before it, so it is never read as a path.
        return has_menu_path(doc.original)

    def _signal(self, doc: Document, customer: frozenset[str] = frozenset()) -> bool:
        """A next step no phrase names: a question to the customer, "DM us", a future form, a
        first-person perfect or preterite, a time ahead, or a time frame written with digits
        (see next_steps.yaml, `signals`)."""
        if self._signals is None:
            return False
        signals = self._signals
        language = doc.language[0]  # endings are language-specific ("espera" is no French future)
        future = tuple(signals.future_suffix.get(language, ()))
        preterite = tuple(signals.preterite_suffix.get(language, ()))
        preterite_words = self._preterite_words.get(language, frozenset())
        participle = tuple(signals.participle_suffix.get(language, ()))
        perfect = frozenset(signals.perfect_aux.get(language, ()))
        passive = frozenset(signals.passive_aux.get(language, ()))
        final_aux = frozenset(signals.clause_final_aux.get(language, ()))
        opening = self._clause_imperative.get(language)
        text = masked_text(doc)
        sentences = window_sentences(text)
        # Every branch of the time-frame pattern consumes a digit first, so a text without one
        # cannot match: one scan in C instead of the pattern tried at every position (1-4 ms on
        # a 20,000-character reply).
        if (
            self._time_frame is not None
            and _DIGIT.search(text) is not None
            and any(self._ahead_time(text, m, sentences, language) for m in self._time_frame.finditer(text))
        ):
            return True
        for sentence in sentences:
            words = [t.text for t in sentence.tokens]
            # Any question of the reply's own (quotes are masked) asks the customer for something:
            # an answer, a choice, a confirmation; each moves the case ("Soll ich das erledigen?",
            # "¿Cuál prefieres?", "Je les mets en ligne ?").
            if text[sentence.end : sentence.end + 1] == "?":
                return True
            if (
                opening is not None
                and not _salutation(text, sentence)
                and self._opens_with_imperative(sentence, opening)
            ):
                return True
            if self._bare_infinitive(sentence, language):
                return True
            if self._done_state(sentence) or self._conditional_instruction(sentence, language):
                return True
            for i, word in enumerate(words):
                pair = " ".join(words[max(0, i - 1) : i + 1])
                if (
                    passive
                    and (word in passive or pair in passive)
                    and self._done_passive(words, i, language, future)
                ):
                    return True
                if word in self._dm or word in self._future_aux or word.endswith("'ll"):
                    return True
                if future and len(word) >= _MIN_FUTURE and word.endswith(future):
                    return True
                if word in preterite_words:
                    return True
                if (
                    preterite
                    and len(word) >= _MIN_FUTURE
                    and word.endswith(preterite)
                    and word not in self._perfect_not_done
                ):
                    return True
                if (
                    word in self._soon
                    # A unit opening a sentence is the customer's wait ("20 Minuten Warten bei
                    # jedem Export"): units count only after a preposition ("dans 10 minutes").
                    and ((i == 0 and word not in self._units) or (i > 0 and words[i - 1] in self._soon_prep))
                    # "within 24 hours of the booking": a window measured from an event.
                    and not (word in self._units and words[i + 1 : i + 2] and self._windowed(words[i + 1]))
                    # Opening a sentence told in the past, it is when it happened ("Samedi, un
                    # incident … a bloqué la ligne", "Yesterday the line was down").
                    and not (i == 0 and self._told_in_past(words, language, compound=True))
                ):
                    return True
                if word in self._numbers and self._counted_ahead(words, i):
                    return True
                if (
                    word in self._weekdays
                    and word not in customer
                    and self._past.isdisjoint(words[max(0, i - 2) : i])
                    # "Samedi, un incident … a bloqué la ligne": the day of what happened.
                    and not self._told_in_past(words, language, compound=i == 0)
                ):
                    return True
                if perfect and (word in perfect or pair in perfect):
                    after = words[i + 1 : i + 1 + signals.perfect_reach.get(language, _PERFECT_REACH)]
                    if self._done_perfect(after, participle) or self._final_participle(sentence, i, language):
                        return True
                if pair in final_aux and self._final_participle(sentence, i, language):
                    return True
                if (word in self._offer_modal or pair in self._offer_modal) and self._offers(words, i):
                    return True
        return False

    def _ahead_time(
        self, text: str, match: re.Match[str], sentences: tuple[Sentence, ...], language: str
    ) -> bool:
        """Is a time written with digits a time ahead? Not in a sentence told in the past
        ("Unsere Bestellung wurde am 22. April aufgegeben", "a las 10:40 uno de nuestros servidores
        alcanzó su límite"), and a count of units ("30 days", "3 heures") only after a preposition
        of time ahead ("within", "sous", "em até"): "2 semaines sans paiement", "cada 15 minutos",
        "after 30 days" are the customer's wait, a frequency or a condition."""
        found = match.group().rstrip()
        if found.endswith(self._business_units):
            return True
        if found.endswith(tuple(self._unit_words)):
            following = text[match.end() : match.end() + _AHEAD_CHARS].casefold().split()[:2]
            after = [w.strip(".,;:!?") for w in following]
            if after and after[0] in self._ahead_after:
                return True
            if after and (after[0] in self._window_after or " ".join(after) in self._window_after):
                return False
            before = text[max(0, match.start() - _AHEAD_CHARS) : match.start()].casefold().split()
            # "em até 5 dias úteis", "1-2 business days": a preposition of time ahead or a range
            # is an estimate even beside a past ("foi feito no dia 3 e cai em até 5 dias").
            is_ahead = (
                _RANGE.search(found) is not None
                or any(
                    " ".join(before[-k:]) in self._ahead_phrases
                    # "for about 2 hours", "pendant environ 3 heures": how long it lasted.
                    and self._lasting.isdisjoint(before[-k - 2 : -k])
                    for k in (1, 2, 3)
                )
            )
            # "les annulations à moins de 30 jours ne sont pas remboursables": the condition of a
            # refusal, not a time ahead.
            return is_ahead and not self._negated_clause(text, match, sentences, language)
        sentence = next((s for s in sentences if s.start <= match.start() < s.end), None)
        if sentence is None:
            return True
        # The clause around the time: "Es wurde ... abgegeben; der Fahrer bringt es bis 17 Uhr".
        lo = max((m.end() for m in _CLAUSE_MARK.finditer(text, sentence.start, match.start())), default=0)
        ahead = _CLAUSE_MARK.search(text, match.end(), sentence.end)
        hi = ahead.start() if ahead is not None else sentence.end
        words = [t.text for t in sentence.tokens if lo <= t.start < hi]
        return not self._told_in_past(words, language)

    def _windowed(self, word: str) -> bool:
        """Does `word` after a unit make its count a window from an event ("hours of the booking")?"""
        return word in self._window_after

    def _negated_clause(
        self, text: str, match: re.Match[str], sentences: tuple[Sentence, ...], language: str
    ) -> bool:
        """Does the clause around `match` hold a negation? (Portuguese "no" is "em o", not one.)"""
        sentence = next((s for s in sentences if s.start <= match.start() < s.end), None)
        if sentence is None:
            return False
        lo = max((m.end() for m in _CLAUSE_MARK.finditer(text, sentence.start, match.start())), default=0)
        ahead = _CLAUSE_MARK.search(text, match.end(), sentence.end)
        hi = ahead.start() if ahead is not None else sentence.end
        negations = self._negations - {"no"} if language == "pt" else self._negations
        return any(t.text in negations for t in sentence.tokens if lo <= t.start < hi)

    def _told_in_past(self, words: list[str], language: str, compound: bool = False) -> bool:
        """Does the sentence have a past form: a past auxiliary or marker (`past_forms`), or a
        word with the language's past ending (`past_suffix`: "alcanzó", "atrasou")?"""
        forms = self._past_forms.get(language, frozenset())
        suffix = self._past_suffix.get(language, ())
        if any(w in forms or (suffix and len(w) >= _MIN_FUTURE and w.endswith(suffix)) for w in words):
            return True
        if not compound:
            return False
        # A compound past is read only for a day opening the sentence ("Samedi, un incident a
        # bloqué …"): elsewhere it is as often the step done ("ha ampliado el plazo hasta el lunes").
        aux = self._past_aux.get(language, frozenset())
        shape = self._passive_participle.get(language)
        return (
            bool(aux)
            and shape is not None
            and any(
                w in aux and any(shape.search(after) for after in words[i + 1 : i + 3])
                for i, w in enumerate(words)
            )
        )

    def _done_perfect(self, after: list[str], participle: tuple[str, ...]) -> bool:
        """Is there a participle of something done among the words after a first-person
        auxiliary? What the agent only saw or had ("nous avons reçu trois fois plus") ends the
        search, and so does a negation."""
        for w in after:
            if w in self._perfect_not_done or w in self._negations:
                return False
            if (len(w) >= _MIN_FUTURE and w.endswith(participle)) or w in self._done_states:
                return True
        return False

    def _conditional_instruction(self, sentence: Sentence, language: str) -> bool:
        """Is there "if you <verb> …, <outcome>" in the sentence: a condition the customer can
        meet, with what follows in a later clause? A negated or past condition ("if you didn't
        get it", "if you were charged") tells what happened, not what to do."""
        tokens = sentence.tokens
        for j in range(len(tokens) - 1):
            if tokens[j].text not in self._if_words or tokens[j + 1].text not in self._you_words:
                continue
            clause = [t.text for t in tokens if t.clause == tokens[j].clause]
            later = any(t.clause > tokens[j].clause for t in tokens[j:])
            if later and self._negations.isdisjoint(clause) and not self._told_in_past(clause, language):
                return True
        return False

    def _done_state(self, sentence: Sentence) -> bool:
        """Is a step reported done by a word of completion alone ("Refund … is done.",
        "Remboursement fait, plus …", "já feito e …")? It must close its clause or follow
        `already`, so "ça fait 3 jours" and "le fait que" are no report; a negation in the
        clause ("nothing can be done") cancels it."""
        tokens = sentence.tokens
        for j, token in enumerate(tokens):
            if token.text not in self._done_states:
                continue
            closes = j + 1 == len(tokens) or tokens[j + 1].clause != token.clause
            after_already = j > 0 and tokens[j - 1].text in self._already
            # "je le comprends tout à fait": an adverb, not a report.
            if not (closes or after_already) or (j > 0 and tokens[j - 1].text == "à"):
                continue
            if any(t.text in self._negations for t in tokens if t.clause == token.clause):
                continue
            return True
        return False

    def _final_participle(self, sentence: Sentence, i: int, language: str) -> bool:
        """Does a word of the participle's shape close a clause within _BRACKET_WORDS words after
        the auxiliary at `i`, with no negation or mere perception on the way ("ich habe ...
        gerade erstattet", but not "ich habe ... noch nicht geschickt", "habe ... erhalten")?"""
        shape = self._final_shape.get(language)
        if shape is None:
            return False
        tokens = sentence.tokens
        for j in range(i + 1, min(len(tokens), i + 1 + _BRACKET_WORDS)):
            word = tokens[j].text
            if word in self._negations or word in self._perfect_not_done:
                return False
            closes = j + 1 == len(tokens) or tokens[j + 1].clause != tokens[j].clause
            if closes and shape.search(word):
                return True
        return False

    def _offers(self, words: list[str], i: int) -> bool:
        """Is the first-person modal at `i` an offer: a verb follows within a few words, with no
        negation and no verb of understanding or assurance ("I can only imagine", "je peux vous
        assurer") among them?"""
        after = words[i + 1 : i + 1 + _OFFER_REACH]
        # "no puedo", "kann ich hier nichts", "there's nothing I can do": a negation just around it.
        near = words[max(0, i - 2) : i + 3]
        if not after or any(w in self._negations or w.endswith("n't") for w in near):
            return False
        return self._not_offer.isdisjoint(after)

    def _counted_ahead(self, words: list[str], i: int) -> bool:
        """Is the number word at `i` a count of time units after a preposition of time ahead
        ("dentro de cinco dias úteis", "within the next two hours")? One more number word or an
        article may stand between."""
        j = i + 1
        if j < len(words) and words[j] in self._numbers:
            j += 1
        if j >= len(words) or words[j] not in self._units:
            return False
        before = words[max(0, i - 3) : i]
        lasting = not self._lasting.isdisjoint(words[max(0, i - 4) : i])  # "for over two hours"
        ahead = any(w in self._ahead for w in before[-2:])
        return ahead and not lasting and not self._negations.intersection(before)

    def _done_passive(self, words: list[str], i: int, language: str, future: tuple[str, ...] = ()) -> bool:
        """A participle shortly after the passive auxiliary at `i`, and no negation in the
        sentence up to it ("wurde nicht abgebucht", "não foi debitada" are not done)."""
        shape = self._passive_participle.get(language)
        if not self._conditions.isdisjoint(words[max(0, i - 4) : i]):
            return False  # "once it has been packed": a condition, not something done
        after = words[i + 1 : i + 1 + _PERFECT_REACH]
        # Portuguese "no" is "em o" ("protocolo nº …" folds to it), not a negation.
        negations = self._negations - {"no"} if language == "pt" else self._negations
        for word in after:
            if word in negations or word in self._perfect_not_done or word in self._explains:
                # "se ha tenido que", "a été noté", "ont été établis": what happened, was seen or
                # how a figure came about, not something done for the customer.
                return False
            if shape is not None and shape.search(word):
                # "a été effectué en mars": a month named with a past passive makes it the
                # account's history ("será debitada no dia 15 de maio" is still ahead).
                ahead = bool(future) and words[i].endswith(future)
                history = not ahead and not self._months.isdisjoint(words)
                return not negations.intersection(words[:i]) and not history
        return False

    def _bare_infinitive(self, sentence: Sentence, language: str) -> bool:
        """Does a clause close on an instruction verb's bare infinitive, with no subject, modal
        or negation in the sentence ("In der App unter Konto > Abo auf Kündigen tippen")?"""
        verbs = self._infinitives.get(language)
        if not verbs:
            return False
        tokens = sentence.tokens
        blockers = self._infinitive_blockers.get(language, frozenset())
        for i, token in enumerate(tokens):
            closes = i + 1 == len(tokens) or tokens[i + 1].clause != token.clause
            if not closes or len(token.text) < _MIN_FUTURE or not token.text.endswith(verbs):
                continue
            if i > 0 and tokens[i - 1].text == "zu":  # "um ... zu prüfen": a purpose, not an order
                continue
            # The clause's own words: a subordinate clause ends on a finite verb that looks
            # like an infinitive ("dass Sie warten"), so a subordinator or "Sie" blocks it.
            if blockers.isdisjoint(t.text for t in tokens if t.clause == token.clause):
                return True
        return False

    def _opens_with_imperative(self, sentence: Sentence, shape: re.Pattern[str]) -> bool:
        """Does a clause of the sentence open with an imperative of the language's shape that
        is not comfort ("take all the time you need")?"""
        tokens = sentence.tokens
        for i, token in enumerate(tokens):
            if i > 0 and tokens[i - 1].clause == token.clause:
                continue
            j = i + 1 if token.text in self._lead_adverbs and i + 1 < len(tokens) else i
            verb = tokens[j]
            following = tokens[j + 1].text if j + 1 < len(tokens) else ""
            if verb.clause == token.clause and shape.search(f"{verb.text} {following}"):
                clause = {t.text for t in tokens[j:] if t.clause == token.clause}
                if self._comfort.isdisjoint(clause):
                    return True
        return False

    def check(self, doc: Document, ctx: RuleContext) -> list[Hit]:
        if self.present(doc, customer_words(ctx.thread)):
            return []
        return [
            Hit(
                "The reply gives no next step" + obligation(ctx) + ": say what you will do, by when, "
                "or what the customer can do now.",
                suggestion="Add what happens next, e.g. 'I'll check this today and write back by 5 pm.'",
            )
        ]

    def instruction(self, finding: Finding) -> str:
        return (
            "Give the customer a clear next step: what you will do and when, or what they can do "
            "now, and how you will keep them informed."
        )
