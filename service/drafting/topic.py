"""The issue named in our words when no sentence of the customer's can be turned: the thing their
request or problem is about, as a short noun phrase with its key fact, in a frame of ours.

"Mi pedido #LB-90314 aparece como entregado" -> "Se trata de su pedido #LB-90314."; "could it go to
my work address instead?" -> "You'd like to know about your work address."; "commande 44817,
gâteau ..." -> "Il s'agit de votre commande 44817.". The noun is the customer's own thing ("my X")
or the word that labels one of their references ("commande 44817", "Auftrag HZ-77805"); its
possessive is turned to ours in the reply's register. A phrase we cannot build with confidence
(a person, "my husband Peter"; a German "mein" whose case we cannot know; a word the table marks
as no noun) gives nothing: saying less beats an echo (review G, H). Frames and words are data
(data/restatement.yaml: `about`, `about_ask` per person; `topic` per language).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from pydantic import BaseModel, ConfigDict

from service.drafting.person_shift import Person
from service.drafting.voice import salutation_table
from service.language.analysis import ThreadAnalysis
from service.language.cues import fold
from service.language.data import load_table
from service.models import Thread

_MAX_WORDS = 6  # a longer phrase is a clause, not a name for the thing
_MIN_HEAD_CHARS = 3
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_TOKEN = re.compile(r"\S+")
_COMPLEMENT = re.compile(r" (?:d['’]|de |do |da )([^\W\d_][\w'’-]*)")
_ID_LEAD = re.compile(r"(?:#|n[º°o]\.?|nr\.?|nº|:)$", re.IGNORECASE)


class _Language(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    # The customer's possessives a phrase may start with, as the table's person words turn them.
    owners: tuple[str, ...] = ()
    # Words that end a phrase or can never be its head (verbs, adverbs, function words).
    stops: tuple[str, ...] = ()
    # How many words after the possessive a phrase may take (Romance nouns come first).
    head_words: int = 1
    # German: adjectives in lower case, then the capitalised noun ends the phrase.
    noun_capital: bool = False
    # Contractions after the frame's preposition ("de le" -> "du", "de a sua" -> "da sua").
    contractions: dict[str, str] = {}
    # A reference's label may stand without a possessive ("Es geht also um Auftrag HZ-77805").
    bare_labels: bool = False


class _Topics(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    topic: dict[str, _Language]


@cache
def _table() -> _Topics:
    return load_table("restatement", _Topics)


@dataclass(frozen=True)
class _Phrase:
    start: int
    end: int
    text: str


def _stops(language: str) -> frozenset[str]:
    return frozenset(fold(w) for w in _table().topic[language].stops)


@cache
def _kin(language: str) -> frozenset[str]:
    return frozenset(fold(w) for w in salutation_table().kin_words.get(language, ()))


def _id_after(body: str, end: int, ids: list[tuple[int, int]]) -> int:
    """The end of a reference that follows at `end` ("pedido #LB-90314"), else `end`."""
    for start, stop in ids:
        gap = body[end:start]
        if start >= end and len(gap) <= 3 and not gap.strip(" #:"):
            return stop
    return end


def _owned(body: str, region: tuple[int, int], person: Person, ids: list[tuple[int, int]]) -> _Phrase | None:
    """ "my work address", "mi pedido #LB-90314", "meinen defekten BV-820": the customer's thing."""
    language = person.language
    table = _table().topic[language]
    owners = {fold(o) for o in table.owners}
    stops = _stops(language)
    tokens = list(_WORD.finditer(body, *region))
    for i, token in enumerate(tokens):
        if fold(token.group()) not in owners:
            continue
        # "a minha reserva": the article goes with the possessive, as our "a sua reserva".
        start = (
            tokens[i - 1].start()
            if i and fold(f"{tokens[i - 1].group()} {token.group()}") in owners
            else token.start()
        )
        words: list[re.Match[str]] = []
        for nxt in tokens[i + 1 :]:
            between = body[(words[-1] if words else token).end() : nxt.start()]
            if between.strip() or fold(nxt.group()) in stops:
                break
            words.append(nxt)
            if table.noun_capital and nxt.group()[:1].isupper():
                break
            if not table.noun_capital and len(words) >= table.head_words:
                more = _COMPLEMENT.match(body, nxt.end())
                if more and fold(more.group(1)) not in stops:
                    # "mon contrat d'électricité", "mi estado de cuenta": the complement names it;
                    # "a minha reserva de 19 a 23" keeps the noun alone.
                    words.append(more)
                break
        if not words or any(fold(w.group()) in _kin(language) for w in words):
            return None  # a person ("my husband Peter") is not what the request is about
        if table.noun_capital and not words[-1].group()[:1].isupper():
            return None
        if len(words[-1].group()) < _MIN_HEAD_CHARS:
            return None
        end = _id_after(body, words[-1].end(), ids)
        return _Phrase(start, end, body[start:end])
    return None


def _labelled(
    body: str, region: tuple[int, int], language: str, ids: list[tuple[int, int]]
) -> _Phrase | None:
    """ "commande 44817", "Auftrag HZ-77805", "reserva VR-41280": the word that names a reference."""
    stops = _stops(language)
    for start, end in ids:
        if not region[0] <= start < region[1] or not any(c.isdigit() for c in body[start:end]):
            continue
        before = body[region[0] : start].rstrip()
        before = _ID_LEAD.sub("", before).rstrip()
        label = list(_WORD.finditer(before))
        if not label or label[-1].end() != len(before):
            continue
        word = label[-1].group()
        if (
            "'" in word
            or "’" in word
            or fold(word) in stops
            or len(word) < _MIN_HEAD_CHARS
            or (word.isupper() and len(word) > 1)
        ):
            continue
        if language != "de" and word[:1].isupper():
            # "Order OH-58213 ..." at a sentence start; German nouns keep their capital.
            body = (
                body[: region[0] + label[-1].start()]
                + word[:1].lower()
                + body[region[0] + label[-1].start() + 1 :]
            )
        first = region[0] + label[-1].start()
        if len(label) >= 2 and fold(label[-2].group()) in {fold(o) for o in _table().topic[language].owners}:
            first = region[0] + label[-2].start()
        return _Phrase(first, end, body[first:end])
    return None


def _ours(phrase: str, person: Person) -> str:
    """The customer's possessive turned to ours ("mi" -> "su"/"tu", "my" -> "your")."""
    words = {fold(k): v for k, v in person.words.items()}
    first, _, rest = phrase.partition(" ")
    if person.language == "en":
        turned = {"my": "your", "our": "your"}.get(fold(first))
        return f"{turned} {rest}" if turned else phrase
    if fold(first) in words:
        return f"{words[fold(first)]} {rest}".strip()
    second, _, tail = rest.partition(" ")
    if fold(second) in words:  # "a minha reserva" -> "a sua reserva"
        return f"{first} {words[fold(second)]} {tail}".strip()
    return phrase


def topic(thread: Thread, analysis: ThreadAnalysis, person: Person) -> str:
    """ "You'd like to know about your work address." or "" when no phrase is sure."""
    language = person.language
    if language not in _table().topic or analysis.message_index is None:
        return ""
    body = thread.messages[analysis.message_index].body
    regions = []
    if analysis.request is not None:
        regions.append((analysis.request.start, analysis.request.end))
    if analysis.issue_span is not None:
        regions.append(analysis.issue_span)
    ids = sorted((f.start, f.end) for f in analysis.facts if f.kind == "id")
    for region in regions:
        found = _owned(body, region, person, ids) or _labelled(body, region, language, ids)
        if found is None:
            continue
        phrase = " ".join(found.text.split())
        if len(_TOKEN.findall(phrase)) > _MAX_WORDS:
            continue
        owners = {fold(o) for o in _table().topic[language].owners}
        if not {fold(w) for w in phrase.split()[:2]} & owners:
            own = person.line("topic_own")
            if own:
                phrase = f"{own} {phrase}"
            elif not _table().topic[language].bare_labels:
                continue  # "commande 44817" with no possessive we can choose ("ta"/"ton")
        else:
            phrase = _ours(phrase, person)
        frame = person.line("about_ask" if "?" in body else "about")
        if not frame:
            return ""
        said = frame.format(topic=phrase)
        for joined, contracted in _table().topic[language].contractions.items():
            said = said.replace(joined, contracted)
        return said[:1].upper() + said[1:]
    return ""
