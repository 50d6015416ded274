"""The customer's words turned to the second person, as we would say them back to them.

"Necesito mi factura" -> "necesita su factura" (usted) / "necesitas tu factura" (tú); "ich brauche
meine Rechnung" -> "Sie brauchen Ihre Rechnung"; "je ne peux plus me connecter à mon compte" ->
"vous ne pouvez plus vous connecter à votre compte". Table-driven (data/restatement.yaml): the
first-person pronouns, possessives and verbs a customer uses most, with our forms per register.
Without a lemmatiser at serving time (simplemma costs seconds and hundreds of MB), a verb outside
the table cannot be conjugated (a German "ich heute" is not "ich heuten"), so a sentence that
keeps a first-person word after the turn, or that speaks to us ("vous", "ustedes", "Sie"), is
refused (None): saying nothing is better than saying it back ungrammatically. English uses
empathy.to_second_person.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from pydantic import BaseModel, ConfigDict

from service.language.data import load_table

# A word with its hyphenated parts ("enviar-me", "pouvez-vous") and an elided apostrophe ("j'").
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*(?:['’](?=[^\W\d_]))?")
# Clause boundaries for German's verb search: a comma or a joining word ends a clause.
_CLAUSE_END = frozenset({",", ";", ":", "und", "oder", "aber", "weil", "denn", "sondern"})
# Words that may stand between a French or German subject and its verb.
_BETWEEN = frozenset(
    {"ne", "n'", "me", "m'", "te", "t'", "le", "la", "les", "l'", "lui", "y", "en", "se", "s'"}
)
_GERMAN_CAPITALISED_YOU = frozenset({"Sie", "Ihnen", "Ihr", "Ihre", "Ihren", "Ihrem", "Ihrer", "Ihres"})
_CLITICS = frozenset({"lo", "la", "los", "las"})
_SUBJECTS = {"es": ("yo",), "de": ("ich",), "fr": ("je", "j'"), "pt": ("eu",)}
_MAX_SUBJECT_TO_VERB = 4  # words between a French or German subject and its verb


class _Restatement(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    persons: dict[str, dict[str, object]]
    verbs: dict[str, dict[str, tuple[str, ...]]]
    stop_words: dict[str, tuple[str, ...]]


@cache
def _table() -> _Restatement:
    return load_table("restatement", _Restatement)


@dataclass(frozen=True)
class Person:
    """How we address this customer: frames and person words, merged for the voice's keys."""

    language: str
    lines: Mapping[str, str]
    words: Mapping[str, str]
    modals: Mapping[str, str]
    verb_form: int  # which of a verb's forms: 0 formal or third person, 1 informal, 2 voseo

    def line(self, name: str) -> str:
        return self.lines.get(name, "")


def person_for(language: str, keys: tuple[str, ...]) -> Person | None:
    """The merged person table for a voice's keys (general to specific), or None without one."""
    persons = _table().persons
    if language not in persons:
        return None
    lines: dict[str, str] = {}
    words: dict[str, str] = {}
    modals: dict[str, str] = {}
    verb_form = 0
    for key in keys:
        entry = persons.get(key)
        if entry is None:
            continue
        for name, value in entry.items():
            if name == "words" and isinstance(value, dict):
                words = {str(k): str(v) for k, v in value.items()}
            elif name == "modals" and isinstance(value, dict):
                modals = {str(k): str(v) for k, v in value.items()}
            elif name == "verb_form" and isinstance(value, int):
                verb_form = value
            elif isinstance(value, str):
                lines[name] = value
    return Person(language, lines, words, modals, verb_form)


def _verb(word: str, person: Person) -> str | None:
    forms = _table().verbs.get(person.language, {}).get(word.lower())
    if forms is None:
        return None
    return forms[min(person.verb_form, len(forms) - 1)]


def _enclitic(word: str, person: Person) -> str | None:
    """ "devolverme" -> "devolverle"/"devolverte"; "enviar-me" -> "enviar-lhe"/"enviar-te"."""
    enclitic = person.line("enclitic")
    if not enclitic:
        return None
    low = word.lower()
    if person.language == "es" and low.endswith(("arme", "erme", "irme")):
        return word[:-2] + enclitic
    if person.language == "pt" and low.endswith("-me"):
        return word[:-2] + enclitic
    return None


@dataclass
class _Token:
    start: int
    end: int
    text: str
    said: str | None = None  # our form, when turned


def shift(text: str, person: Person, *, subject_object: bool = False) -> str | None:
    """`text` with the customer's first person turned to the second, or None when it cannot be.

    With `subject_object`, a German "mich" is an object ("können Sie mich anrufen" -> "Sie"), not a
    reflexive ("ich melde mich" -> "sich").
    """
    language = person.language
    stops = frozenset(_table().stop_words.get(language, ()))
    subjects = _SUBJECTS.get(language, ())
    tokens = [_Token(m.start(), m.end(), m.group()) for m in WORD.finditer(text)]
    words = {k.lower(): v for k, v in person.words.items()}
    if subject_object and language == "de" and "mich" in words:
        words["mich"] = "Sie" if person.verb_form == 0 else "dich"
    pending_subject: int | None = None  # a subject pronoun still waiting for its verb
    for index, token in enumerate(tokens):
        low = token.text.lower().replace("’", "'")
        if language == "de" and token.text in _GERMAN_CAPITALISED_YOU and index > 0:
            return None  # their "Sie" or "Ihr" is us: our verbs would need conjugating
        if low in subjects:
            token.said = words.get(low, "")
            if language in ("fr", "de"):
                if (
                    language == "de"
                    and index > 0
                    and tokens[index - 1].said is not None
                    and (_verb(tokens[index - 1].text, person) is not None)
                ):
                    continue  # "kann ich": the verb came first
                pending_subject = index
            continue
        verb = _verb(low, person)
        if verb is not None and _verb_may_turn(tokens, index, pending_subject, person):
            token.said = verb
            pending_subject = None
            continue
        if pending_subject is not None and _too_far(text, tokens, pending_subject, index, language):
            return None  # "je" whose verb we do not know: "vous trouve" would be wrong
        if (
            language == "es"
            and low == "me"
            and index + 1 < len(tokens)
            and (tokens[index + 1].text.lower() in _CLITICS)
        ):
            return None  # "me lo mandan" -> "se lo mandan": a cluster we do not rebuild
        enclitic = _enclitic(token.text, person)
        if enclitic is not None:
            token.said = enclitic
        elif low in words:
            token.said = words[low]
        elif low in stops:
            return None
    if pending_subject is not None:
        return None
    return _join(text, tokens)


def _verb_may_turn(tokens: list[_Token], index: int, pending: int | None, person: Person) -> bool:
    """French and German verbs turn only after their subject (a French "arrive" is as often "it
    arrives"); Spanish and Portuguese drop the subject, so their first-person forms turn anywhere,
    except the forms a third person shares ("estaba", "queria"), which need "yo"/"eu" first."""
    language = person.language
    if language in ("fr", "de"):
        if pending is not None:
            return True
        # "kann ich": German puts the verb before the subject in a question.
        following = tokens[index + 1].text.lower() if index + 1 < len(tokens) else ""
        return language == "de" and following == "ich"
    forms = _table().verbs.get(language, {}).get(tokens[index].text.lower(), ())
    if forms and forms[0] == tokens[index].text.lower():
        previous = tokens[index - 1].text.lower() if index else ""
        return previous in _SUBJECTS.get(language, ())
    return True


def _too_far(text: str, tokens: list[_Token], subject: int, index: int, language: str) -> bool:
    between = [t.text.lower() for t in tokens[subject + 1 : index + 1]]
    if language == "fr":
        return tokens[index].text.lower() not in _BETWEEN or len(between) > _MAX_SUBJECT_TO_VERB
    # German: the verb may close the clause ("wie ich ihn selbst erstelle"); a clause end first
    # means the verb was not found.
    gap = text[tokens[subject].end : tokens[index].end]
    return (
        any(word in _CLAUSE_END for word in between)
        or any(mark in gap for mark in ",;:")
        or len(between) > 2 * _MAX_SUBJECT_TO_VERB
    )


def _join(text: str, tokens: list[_Token]) -> str:
    out: list[str] = []
    last = 0
    for token in tokens:
        out.append(text[last : token.start])
        said = token.text if token.said is None else token.said
        if token.text.endswith(("'", "’")) and said and not said.endswith(("'", "’", " ")):
            said += " "  # "j'ai" -> "vous avez": the elision goes, a blank comes back
        out.append(said)
        last = token.end
    out.append(text[last:])
    joined = "".join(out)
    # A dropped pronoun ("yo necesito" -> "necesita") leaves a double blank; "vous " before
    # an elided word keeps one.
    return re.sub(r"\s{2,}", " ", joined).strip()
