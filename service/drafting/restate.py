"""The customer's issue said back in our words: their sentence turned to the second person.

Quoting a customer's subject line or question back at them reads as a form, not as listening
(review F: every quoted restatement scored 2 at most). From the reading of the thread, the latest
request, else the sentence naming the issue, is said back in indirect speech when its shape allows
it deterministically (data/restatement.yaml):

- said:  the customer speaking of themselves, "Necesito la factura antes del viernes" ->
         "Entiendo que necesita la factura antes del viernes.";
- ask:   asking us, "Können Sie mir den Export bereitstellen?" -> "Sie möchten, dass wir Ihnen den
         Export bereitstellen.";
- may_i: asking whether they can, "Posso pagar ainda hoje?" -> "Quer saber se pode pagar ainda hoje.".

The person is turned by person_shift.py in the reply's register; the deadline the customer gave
(in the message or the subject) and the reference of their subject line are folded in when the
sentence does not already hold them. A sentence of any other shape is not said back, nor is one
from a sarcastic customer (said back it reads as mockery): the restates-issue finding then tells
the agent, which is better than a quoted fragment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from itertools import pairwise

from pydantic import BaseModel, ConfigDict

from service.drafting.person_shift import WORD, Person, person_for, shift
from service.drafting.topic import topic
from service.drafting.voice import Voice, salutation_table
from service.guardrails.normalise import normalise
from service.guardrails.rules.parroting import NGRAM
from service.language.analysis import ThreadAnalysis
from service.language.cues import fold
from service.language.data import load_table
from service.language.empathy import to_second_person, with_subject
from service.language.facts import find_facts
from service.language.feelings import Feeling
from service.models import Channel, Thread

# "Re:", "AW:", "Fwd:" in front of a subject are the mail client's, not the customer's.
_SUBJECT_PREFIX = re.compile(r"^(?:\s*(?:re|aw|wg|fwd?|tr|rv|res)\s*:\s*)+", re.IGNORECASE)
_MAX_CHARS = 160
_MIN_REST_WORDS = 3
_MIN_SENTENCE_WORDS = 4
_MIN_TRIMMED_WORDS = 5
_KIN_WITHIN = 6  # words into a sentence a person may stand as what it is about
_MIN_SAID_WORDS = 5  # "Pelo que entendi, você aguarda." says nothing
_GRAM_WORD = re.compile(r"[^\W_]+")  # a word as the parroting guardrail counts them
_LIST_MARKER = re.compile(r"^\s*(?:\d{1,2}[).:]|[-*•])\s+")
# A verb this many words into a Spanish or Portuguese sentence still starts it ("ya no puedo").
_VERB_WITHIN = 3
# English sentences said back: the customer speaking of themselves, or a fragment without "I".
_EN_SELF = re.compile(r"^(?:i|i'm|i've|i'd|i'll|we|we're|we've)\b", re.IGNORECASE)
# ", please help", ", this is stressing me out", "and I'm really frustrated": said by the opener.
_EN_TAIL = re.compile(
    r"(?:,\s*|\s+(?:and|but|so)\s+)(?:please\b|this is\b|it's\b|i'm (?:really |so |very )?"
    r"(?:frustrated|upset|annoyed|angry|worried|stressed)).*$",
    re.IGNORECASE,
)
_CLAUSE_CUT = re.compile(r"\s*[:;]\s+|\s+[–—]\s+|(?<=[.?])\s+(?=[A-ZÀ-Ý¿])")
_EN_FRAGMENT = re.compile(r"^(?:need|needed|can't|cannot|have|had|got|tried|want)\b", re.IGNORECASE)


class _Shapes(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    cut_front: dict[str, tuple[str, ...]]
    asks: dict[str, tuple[str, ...]]
    may_i: dict[str, tuple[str, ...]]
    how_to: dict[str, tuple[str, ...]]
    question_words: dict[str, tuple[str, ...]]
    needs: dict[str, tuple[str, ...]]
    possessive_starts: dict[str, tuple[str, ...]]
    said_cues: dict[str, tuple[str, ...]]
    clause_joiners: dict[str, tuple[str, ...]]
    finite_after_noun: dict[str, tuple[str, ...]]
    third_starts: dict[str, tuple[str, ...]] = {}
    first_person_endings: dict[str, tuple[str, ...]] = {}
    adjunct_leads: dict[str, tuple[str, ...]] = {}
    deadline_leads: dict[str, tuple[str, ...]]
    time_words: dict[str, tuple[str, ...]]
    verbs: dict[str, dict[str, tuple[str, ...]]]


@cache
def _shapes() -> _Shapes:
    return load_table("restatement", _Shapes)


def _alternation(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@dataclass(frozen=True)
class _Patterns:
    cut: re.Pattern[str] | None
    asks: tuple[re.Pattern[str], ...]
    may_i: tuple[re.Pattern[str], ...]
    how_to: tuple[re.Pattern[str], ...]
    question_word: re.Pattern[str] | None
    needs: re.Pattern[str] | None
    time: re.Pattern[str] | None  # a time word already in the sentence ("ce soir", "hoy")
    possessive: re.Pattern[str] | None  # "mi ...", "o meu ...": a sentence about their own thing
    said_cues: re.Pattern[str] | None
    third: re.Pattern[str] | None  # "el pedido ...", "the printer ...": one of their things
    first_person_end: re.Pattern[str] | None  # "compré", "reiniciei": an "I" the table lacks
    cut_at: re.Pattern[str]  # a comma, a dash or a joining word: where a long clause may end


def _words(words: tuple[str, ...]) -> re.Pattern[str] | None:
    return re.compile(rf"(?<![\w'])(?:{_alternation(words)})(?![\w'])") if words else None


@cache
def _patterns(language: str) -> _Patterns:
    shapes = _shapes()
    front = shapes.cut_front.get(language, ())

    def starts(table: dict[str, tuple[str, ...]]) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(rf"^(?:{p})\s+") for p in table.get(language, ()))

    return _Patterns(
        cut=re.compile(rf"^(?:(?:{_alternation(front)})(?![\w'])[\s,:;.]*)+") if front else None,
        asks=starts(shapes.asks),
        may_i=starts(shapes.may_i),
        how_to=starts(shapes.how_to),
        question_word=_words(shapes.question_words.get(language, ())),
        needs=_words(shapes.needs.get(language, ())),
        time=_words(shapes.time_words.get(language, ())),
        said_cues=_words(shapes.said_cues.get(language, ())),
        third=re.compile(rf"^(?:{_alternation(starts3)})(?:\s|(?<='))")
        if (starts3 := shapes.third_starts.get(language))
        else None,
        first_person_end=re.compile(rf"\w(?:{_alternation(ends)})\b")
        if (ends := shapes.first_person_endings.get(language))
        else None,
        cut_at=re.compile(
            r"\s*,\s+|\s+[–—-]\s+"
            + (
                rf"|\s+(?:{_alternation(joiners)})\s+"
                if (
                    joiners := (
                        *shapes.clause_joiners.get(language, ()),
                        *shapes.adjunct_leads.get(language, ()),
                    )
                )
                else ""
            ),
            re.IGNORECASE,
        ),
        possessive=re.compile(rf"^(?:{_alternation(shapes.possessive_starts[language])})\s")
        if shapes.possessive_starts.get(language)
        else None,
    )


def _clean(text: str, language: str) -> str:
    """The sentence without list marker, inverted marks, end punctuation and a leading "please",
    "and" or greeting; "" when it is too long or shouted to say back."""
    flat = " ".join(_LIST_MARKER.sub("", text).split())
    if "¿" in flat[1:]:
        flat = flat[flat.index("¿", 1) :]  # "ah y una pregunta, ¿puedo ...?": the question starts at "¿"
    flat = flat.lstrip("¿¡ ").rstrip(" .!?;:,…")
    # An exclamation or an aside in brackets is a feeling or a remark, not the issue.
    if not flat or len(flat) > _MAX_CHARS or any(c in flat for c in "!()[]") or "\n" in text.strip():
        return ""
    cut = _patterns(language).cut
    if cut is not None:
        found = cut.match(fold(flat))
        if found:
            flat = flat[found.end() :].lstrip("¿¡ ")
    return flat


def _folded_words(text: str) -> list[str]:
    return _GRAM_WORD.findall(normalise(text)[1].text)


def _own_words(turned: str, source: str, language: str) -> str:
    """`turned` ended before the clause that would repeat NGRAM of the customer's words in a row
    (what the parroting guardrail flags: their words, unquoted); "" if too little is left."""
    words = _folded_words(source)
    grams = {tuple(words[i : i + NGRAM]) for i in range(len(words) - NGRAM + 1)}
    text = turned
    while True:
        said = _folded_words(text)
        if not any(tuple(said[i : i + NGRAM]) in grams for i in range(len(said) - NGRAM + 1)):
            return text
        cuts = list(_patterns(language).cut_at.finditer(text))
        if not cuts:
            return ""
        text = text[: cuts[-1].start()]
        if len(WORD.findall(text)) < _MIN_TRIMMED_WORDS:
            return ""  # "gostaria de saber": what is left of a cut clause must still say something


def _lower_first(text: str, language: str) -> str:
    if not text or language == "de" or text.startswith(("I ", "I'")):
        return text  # German nouns keep their capital; so does English "I"
    return text[:1].lower() + text[1:]


def _frame(person: Person, name: str, **parts: str) -> str:
    line = person.line(name)
    if not line:
        return ""
    said = line.format(**{"clause": "", "rest": "", "me": "", "when": "", "ref": "", "modal": "", **parts})
    said = re.sub(r"\s{2,}", " ", said).strip()
    if person.language == "fr":
        said = re.sub(r"\bde (?=[aeiouyéèêâîôh])", "d'", said)  # "de envoyer" -> "d'envoyer"
    return said[:1].upper() + said[1:]


def _when(deadline: str, text: str, language: str) -> str:
    """ " " + the deadline, unless the sentence already says when ("ce soir", "before noon")."""
    time = _patterns(language).time
    if not deadline or fold(deadline) in fold(text) or (time is not None and time.search(fold(text))):
        return ""
    return f" {deadline}"


def _ask(text: str, person: Person, deadline: str, ref: str) -> str:
    folded = fold(text)
    for pattern in _patterns(person.language).asks:
        found = pattern.match(folded)
        if found is None:
            continue
        rest = text[found.end() :]
        if len(WORD.findall(rest)) < _MIN_REST_WORDS:
            return ""
        groups = found.groupdict()
        me = ""
        if person.language == "en":
            turned: str | None = to_second_person(rest)
        else:
            turned = shift(rest, person, subject_object=True)
            if turned is not None and groups.get("me"):
                if person.language == "es":
                    first, _, tail = turned.partition(" ")
                    if not first.lower().endswith(("ar", "er", "ir")):
                        return ""
                    turned = f"{first}{person.line('enclitic')} {tail}".strip()
                elif person.language == "pt":
                    turned = f"{person.words.get('me', '')} {turned}"
                else:
                    me = person.line("me")
            elif turned is not None and groups.get("me_v"):
                me = person.words.get("m'", "")
        turned = _own_words(turned or "", rest, person.language)
        if not turned:
            return ""
        return _frame(
            person,
            "ask",
            rest=_lower_first(turned, person.language),
            me=me,
            when=_when(deadline, text, person.language),
            ref=ref,
        )
    return ""


def _may_i(text: str, person: Person, deadline: str, ref: str) -> str:
    """ "Can I ...?" -> whether they can; "How do I ...?" -> how to."""
    folded = fold(text)
    patterns = _patterns(person.language)
    for frame, leads in (("may_i", patterns.may_i), ("how_to", patterns.how_to)):
        for pattern in leads:
            found = pattern.match(folded)
            if found is None:
                continue
            rest = text[found.end() :]
            if len(WORD.findall(rest)) < _MIN_REST_WORDS:
                return ""
            turned = to_second_person(rest) if person.language == "en" else shift(rest, person)
            turned = _own_words(turned or "", rest, person.language)
            if not turned:
                return ""
            modal = ""
            if person.language == "de":  # the modal goes last: "ob Sie ... hochdrehen können"
                lead = found.group().split()
                modal = next((person.modals[w] for w in lead if w in person.modals), "")
                if not modal:
                    return ""
            return _frame(
                person,
                frame,
                rest=_lower_first(turned, person.language),
                modal=modal,
                when=_when(deadline, text, person.language),
                ref=ref,
            )
    return ""


def _question(text: str, person: Person, deadline: str, ref: str) -> str:
    """A Spanish or Portuguese question in the first person, said back as an indirect question:
    "¿Cómo lo vuelvo a conectar?" -> "Quiere saber cómo lo vuelve a conectar."."""
    if not person.line("question"):
        return ""
    words = [w.lower() for w in WORD.findall(text)]
    verbs = _shapes().verbs.get(person.language, {})
    shifted = shift(text, person) or ""
    # A question about one of their things ("¿ya está lista la insulina de mi mamá?") turns by its
    # possessive alone; without one, only with a verb of theirs ("recibo" would stay first person).
    mine = {start for start in _shapes().possessive_starts.get(person.language, ()) if " " not in start}
    own_thing = bool(shifted) and any(w in mine for w in words)
    if not (own_thing or any(w in verbs for w in words)):
        return ""
    turned = _own_words(shifted, text, person.language)
    if not turned:
        return ""
    pattern = _patterns(person.language).question_word
    asks_which = pattern is not None and pattern.match(fold(turned)) is not None
    clause = _lower_first(turned, person.language)
    if not asks_which:
        clause = f"{person.line('whether')} {clause}"
    return _frame(person, "question", clause=clause, when=_when(deadline, text, person.language), ref=ref)


# Quotation marks; an apostrophe inside a word ("l'adresse") is not one.
_QUOTE_MARK = re.compile(r"[\"“”«»„]|(?<![^\W\d_])'|'(?![^\W\d_])")


def _balanced(text: str) -> bool:
    return len(_QUOTE_MARK.findall(text)) % 2 == 0


def _first_clause(text: str) -> str:
    """ "... depuis ce matin : le site indique ..." -> the first clause; a colon inside quoted
    error text ("'Erro: horário indisponível'") is not a clause end."""
    for found in _CLAUSE_CUT.finditer(text):
        head = text[: found.start()]
        if _balanced(head):
            return head
    return text if _balanced(text) else ""


@cache
def _kin(language: str) -> frozenset[str]:
    return frozenset(fold(w) for w in salutation_table().kin_words.get(language, ()))


def _names_kin(text: str, language: str) -> bool:
    """Whether the sentence speaks of one of the customer's people ("ma maman", "my husband"):
    said back as a statement, the person reads as the problem ("le problème c'est que votre maman
    a nonante-et-un ans", review I #23), so it is not said back."""
    owners = {fold(o) for o in _shapes().possessive_starts.get(language, ()) if " " not in o}
    words = [fold(w) for w in WORD.findall(text)]
    kin = _kin(language)
    # Only as the clause's subject, in its first words: "my card ... and my daughter" is about the card.
    return any(a in owners and b in kin for a, b in pairwise(words[: _KIN_WITHIN + 1]))


def _said(text: str, person: Person, deadline: str, ref: str) -> str:
    language = person.language
    words = [w.lower() for w in WORD.findall(text)]
    if not words or _names_kin(text, language):
        return ""
    verbs = _shapes().verbs.get(language, {})
    text = _first_clause(text)
    if not text:
        return ""
    needs = _patterns(language).needs
    when = _when(deadline, text, language) if needs is not None and needs.search(fold(text)) else ""
    possessive = _patterns(language).possessive
    own_thing = possessive is not None and possessive.match(fold(text)) is not None
    third_pattern = _patterns(language).third
    third = third_pattern is not None and third_pattern.match(fold(text)) is not None
    first_end = _patterns(language).first_person_end
    if third and first_end is not None and first_end.search(fold(text)):
        return ""  # "la factura que pagué ...": an "I" we cannot turn
    if len(words) < _MIN_SENTENCE_WORDS:
        return ""  # "Still nothing.", "Aguardo.": a nudge, not the issue
    if language == "en":
        text = with_subject(_EN_TAIL.sub("", text).rstrip(" ,;"))
        if _EN_FRAGMENT.match(text):
            text = f"I {text[:1].lower()}{text[1:]}"
        elif not (_EN_SELF.match(text) or own_thing or third):
            return ""
        cues = _patterns(language).said_cues
        if cues is not None and not cues.search(fold(text)):
            return ""
        clause = _own_words(to_second_person(text), text, language)
        if not clause:
            return ""
        return _frame(person, "said", clause=clause[:1].lower() + clause[1:], when=when, ref=ref)
    if language == "de" and own_thing:
        return _said_german_noun(text, person, when, ref)
    if language == "de":
        if words[0] in verbs:
            text = f"ich {text[:1].lower()}{text[1:]}"  # "Brauche das Gerät" drops its "ich"
        elif words[0] != "ich" or len(words) < 2 or words[1] not in verbs:
            return ""
        turned = shift(text, person)
        if not turned:
            return ""
        subject, verb, rest = [*turned.split(" ", 2), "", ""][:3]
        rest = _own_words(rest, text, language)
        if not rest or rest.split(" ", 1)[0].lower() in {"es", "ihn", "sie", "ihm", "ihr", "mir", "dir"}:
            return ""  # "Sie brauchen es also": a pronoun goes before "also"; not attempted
        clause = f"{subject} {verb}{person.line('after_verb')}{when} {rest}"
        return _frame(person, "said", clause=clause, ref=ref)
    if language == "fr":
        if words[0] not in ("je", "j'") and not (own_thing or third):
            return ""
        turned = _own_words(shift(text, person) or "", text, language)
        clause = _lower_first(turned, language)  # "La livraison ..." after "Si je comprends bien,"
        return _frame(person, "said", clause=clause, when=when, ref=ref) if turned else ""
    # Spanish and Portuguese drop the subject: a first-person verb early on, or "me" first.
    head = words[:_VERB_WITHIN]
    has_verb = any(w in verbs for w in head)
    # "Me cobraron dos veces": their "me" first; after "no" it is an order to us ("no me digan").
    if not (has_verb or words[0] == "me" or own_thing or third):
        return ""
    turned = _own_words(shift(text, person) or "", text, language)
    if not turned:
        return ""
    subject = person.line("subject")
    if has_verb and subject and not fold(turned).startswith(subject):
        turned = f"{subject} {turned[:1].lower()}{turned[1:]}"
    return _frame(person, "said", clause=_lower_first(turned, language), when=when, ref=ref)


def _said_german_noun(text: str, person: Person, when: str, ref: str) -> str:
    """ "Mein Konto ist gesperrt" -> "Ihr Konto ist also gesperrt": "also" after the verb that
    follows the customer's own noun."""
    tokens = list(WORD.finditer(text))
    finite = set(_shapes().finite_after_noun.get("de", ()))
    if len(tokens) < 4 or not tokens[1].group()[:1].isupper() or tokens[2].group() not in finite:
        return ""
    turned = shift(text[: tokens[2].end()], person)
    rest = _own_words(shift(text[tokens[2].end() :], person) or "", text, "de")
    if not turned or not rest:
        return ""
    clause = f"{turned}{person.line('after_verb')}{when} {rest}".strip()
    return _frame(person, "said", clause=clause, ref=ref)


def _deadline(thread: Thread, analysis: ThreadAnalysis) -> str:
    """The customer's deadline as an adverbial that stands on its own ("before Fri 11 Dec",
    "bis zum 11.12.", "hoy"), from their newest message, else their subject line; "" if none."""
    shapes = _shapes()
    language = analysis.language
    leads = tuple(fold(w) for w in shapes.deadline_leads.get(language, ()))
    times = {fold(w) for w in shapes.time_words.get(language, ())}
    subject = _SUBJECT_PREFIX.sub("", thread.subject or "")
    facts = [*analysis.facts, *find_facts(subject, language)]
    for fact in facts:
        if fact.kind != "deadline":
            continue
        text = fact.text.strip().rstrip(".,;:")
        folded = fold(text)
        first, _, after = folded.partition(" ")
        if folded in times:
            return text[:1].lower() + text[1:]
        if first in leads and after and after not in times:
            # "Bis heute", "until today": a time word after a lead is how long it has lasted.
            return text[:1].lower() + text[1:]
    return ""


def _reference(thread: Thread, analysis: ThreadAnalysis) -> str:
    """The reference the customer put in their subject line ("Invoice INV-20931"), as our
    parenthesis; never in a text message or a public post."""
    if thread.channel in (Channel.sms, Channel.social) or not thread.subject:
        return ""
    ids = [f.text for f in find_facts(thread.subject, analysis.language) if f.kind == "id"]
    return ids[0] if ids else ""


# Where a lead-in ends and the sentence proper starts: "Two questions: ...", "Just one small thing
# – could it ...", "... really appreciate it 👍 Just one ...", "ES GEHT!!!! ... kurze frage noch: ...".
_LEAD_END = re.compile(r"\s*[:–—]\s+|(?<=[!…])\s+|\s*[\u2600-\u27bf\U0001f000-\U0001faff]+[\ufe0f\u200d]*\s*")


def _and_tails(sentence: str) -> list[str]:
    """The sentence, then what follows each lead-in, longest first: a thank-you, a label or a
    greeting in front of a question is not part of what is asked."""
    tails = [sentence[m.end() :] for m in _LEAD_END.finditer(sentence) if m.start() > 0]
    return [sentence, *(t for t in tails if len(WORD.findall(t)) >= _MIN_SENTENCE_WORDS)]


def restatement(thread: Thread, analysis: ThreadAnalysis, voice: Voice) -> str:
    if any(f.feeling is Feeling.sarcasm for f in analysis.feelings):
        return ""  # their sarcasm said back to them reads as mockery
    person = person_for(voice.language, voice.keys)
    if voice.language != analysis.language or person is None:
        return ""  # our English frames cannot turn Italian words
    deadline = _deadline(thread, analysis)
    reference = _reference(thread, analysis)
    sentences = [analysis.issue, analysis.request.text if analysis.request else ""]
    for sentence in dict.fromkeys(t for s in sentences if s.strip() for t in _and_tails(s)):
        text = _clean(sentence, voice.language)
        if not text:
            continue
        said_ref = reference and fold(reference) not in fold(text) and person.line("reference")
        ref = person.line("reference").format(ref=reference) if said_ref else ""
        question = sentence.rstrip().endswith("?") or "¿" in sentence
        builds = (_ask, _may_i, _question) if question else (_ask, _said)
        for build in builds:
            said = build(text, person, deadline, ref)
            if said and len(WORD.findall(said)) >= _MIN_SAID_WORDS:
                return said
    if any(_names_kin(s, voice.language) for s in sentences if s):
        return ""  # the sentence was about a person: no fallback names them either ("your late father's")
    # Nothing turned: the thing it is about, in our words ("Se trata de su pedido #LB-90314."), or
    # nothing. A quoted subject or ticket title read stitched (review G: "I have read your message
    # about ...") and, quoted back to a grieving customer ("« Décès de ma mère »"), tactless.
    return topic(thread, analysis, person)
