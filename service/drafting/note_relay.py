"""What a note tells the customer to do, said to the customer in our voice.

Notes often settle a question with a step for the customer rather than an outcome: "She needs to
switch router off at the wall for 30 sec", "Kunde kann den Abschlag im Kundenportal selbst
anpassen", "ele pode entregar em qualquer loja até 15/01/2027". The structure is the same in the
five languages: the customer as a third-person subject (or their first name), a modal (need to,
can, need not) and an infinitive phrase. The phrase does not change with the person, so it is
kept with its values (times, places, numbers), its third-person pronouns turned to the customer's
register, and the subject with its modal said by a frame of ours (data/note_relay.yaml): "you'll
need to …", "Sie können …", "podes …". A condition before it stays a condition ("if …, you can …").

What is never relayed: a clause that names our staff or tools, tells the agent what to say or
offer, is unsure or pending, asks a question, points back to a condition said elsewhere ("dann"),
holds a pronoun that cannot be turned in this register, or whose phrase does not look like an
infinitive. Saying nothing is safer than a wrong instruction: the composer then keeps its stall.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import cache

from pydantic import BaseModel, ConfigDict

from service.drafting.names import customer_names
from service.language.cues import compile_cues, cue_alternation, fold
from service.language.data import load_table
from service.language.menu_path import without_menu_paths
from service.models import Role, Thread

_NOTE_CHARS = 3_000
_MAX_NOTES = 12
_MAX_STEPS = 3  # a reply relays a few steps; the agent sees when the notes hold more
_MAX_PHRASE_WORDS = 28
_MIN_PHRASE_WORDS = 2
_MIN_VERB_LETTERS = 4
# A note's clauses: sentences, lines, and the dashes and arrows notes join them with.
_PIECE_END = re.compile(r"(?<=[.!;])\s+(?=[^\sa-zà-ÿ])|\n+|\s[–—]\s|\s?(?:→|->|=>)\s?|;\s+")
# An aside in brackets of a few words and no figure ("(audit trail)", "(pas la décourager)") is the
# note's own comment; one with a figure or a menu path ("(Seguridad > Operaciones)") is for them.
_ASIDE = re.compile(r"\s*\((?![^)]*[\d>])[^)]{0,40}\)")
# Quoted words are a label the customer sees ("'Meine Tickets'"): not read as our words.
_QUOTED = re.compile(r"'[^']{1,40}'|\"[^\"]{1,40}\"|«[^»]{1,40}»|„[^“]{1,40}“|“[^”]{1,40}”")
# After a comma, a clause with a subject of its own is another matter ("…, a gente não tem acesso").
_OWN_CLAUSE = re.compile(
    r",\s+(?:we|i|our|the team|a gente|nós|nosotros|nosotras|wir|ich|nous|on|je|eu|yo)\b.*$", re.IGNORECASE
)
_TRAILING = re.compile(r"[\s.,;:–—-]+$")


class _RelayFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: int
    subjects: dict[str, tuple[str, ...]]
    between: dict[str, tuple[str, ...]]
    leads: dict[str, tuple[str, ...]]
    asks: dict[str, tuple[str, ...]]
    shorthand: dict[str, dict[str, str]]
    additive: dict[str, tuple[str, ...]]
    list_cues: dict[str, dict[str, tuple[str, ...]]]
    modals: dict[str, dict[str, tuple[str, ...]]]
    conditions: dict[str, tuple[str, ...]]
    anaphora: dict[str, tuple[str, ...]]
    internal: dict[str, tuple[str, ...]]
    titles: tuple[str, ...]
    pending: dict[str, tuple[str, ...]]
    nothing: dict[str, tuple[str, ...]]
    pronouns: dict[str, dict[str, str]]
    ihr_forms: dict[str, dict[str, str]]
    frames: dict[str, dict[str, str]]
    prodrop: dict[str, dict[str, tuple[str, ...]]]
    needs: dict[str, tuple[str, ...]]
    need_others: tuple[str, ...]
    subordinators: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class _Language:
    step: re.Pattern[str]  # [condition ,] subject [adverb] modal phrase
    inverted: re.Pattern[str] | None  # German: condition, modal subject phrase
    ask: re.Pattern[str] | None  # "ask her to …", "cust to …", "lui demander de …"
    modal_kind: dict[str, str]
    anaphora: re.Pattern[str] | None
    internal: re.Pattern[str] | None
    # "…, she can …" after a clause of its own with no joining word (its subordinators rejected)
    splice: re.Pattern[str] | None = None
    subordinate: re.Pattern[str] | None = None
    # es/pt: a modal with no subject ("para … tiene que …", "ou pode …", "basta …")
    prodrop: re.Pattern[str] | None = None
    impersonal: re.Pattern[str] | None = None
    # "…, but we need the full address …": what we still need from the customer, as a noun phrase
    need: re.Pattern[str] | None = None


@dataclass(frozen=True)
class Relayed:
    kind: str  # must, can, no_need, ask; or steps / options for a list
    phrase: str  # the note's infinitive phrase, pronouns still the note's
    condition: str = ""
    items: tuple[str, ...] = ()  # a list's items, in the note's order
    lead: bool = False  # the condition is a purpose or a time ("para …", "depois de …"), said as is


def _table() -> _RelayFile:
    return load_table("note_relay", _RelayFile)


# A note's label before its sentence ("Bedingung: Er muss …", "Note : elle peut …").
_LABEL = r"[^\W\d_][^\W\d_ ]{1,20}\s?:\s+"


def _alternation(words: tuple[str, ...]) -> str:
    return cue_alternation(words) or r"(?!x)x"


@cache
def _language(language: str) -> _Language | None:
    table = _table()
    if language not in table.subjects:
        return None
    modal_kind = {fold(m): kind for kind, ms in table.modals[language].items() for m in ms}
    subject = _alternation(table.subjects[language])
    between = _alternation(table.between.get(language, ()))
    modal = _alternation(tuple(modal_kind))
    condition = _alternation(table.conditions.get(language, ()))
    lead = _alternation(table.leads.get(language, ()))
    step = re.compile(
        rf"^(?:{_LABEL})?(?:[^,]{{0,160}},\s*(?:{lead})\s+)?(?:(?P<cond_word>{condition})\s+(?P<cond>[^,:]{{3,120}}),\s*)?"
        rf"(?P<subject>{subject}|\x00+)\s+(?:(?:{between})\s+)?(?P<modal>{modal})\s+(?P<phrase>(?:(?:{between})\s+)?.+)$"
    )
    inverted = (
        re.compile(
            rf"^(?P<cond_word>{condition})\s+(?P<cond>[^,:]{{3,120}}),\s*(?P<modal>{modal})\s+"
            rf"(?P<subject>{subject})\s+(?:(?:{between})\s+)?(?P<phrase>.+)$"
        )
        if language == "de"
        else None
    )
    asks = table.asks.get(language, ())
    ask = re.compile(rf"^(?:please\s+)?(?P<subject>{_alternation(asks)})\s*(?P<phrase>.+)$") if asks else None
    splice = re.compile(
        rf"^(?P<prefix>[^,]{{3,160}}),\s*(?P<cond_word>)(?P<cond>)(?P<subject>{subject}|\x00+)\s+"
        rf"(?:(?:{between})\s+)?(?P<modal>{modal})\s+(?P<phrase>.+)$"
    )
    dropped = table.prodrop.get(language, {})
    prodrop = (
        re.compile(
            rf"^(?P<joined>(?:{_alternation(dropped.get('joins', ()))})\s+)?"
            rf"(?:(?P<cond_word>{_alternation(dropped.get('leads', ()))})\s+(?P<cond>[^,:]{{3,80}}?)"
            rf"(?:,\s*|\s+(?=(?:{modal})\s)))?(?P<subject>)(?P<modal>{modal})\s+(?P<phrase>.+)$"
        )
        if dropped
        else None
    )
    return _Language(
        step,
        inverted,
        ask,
        modal_kind,
        compile_cues(table.anaphora.get(language, ())),
        compile_cues(table.internal.get(language, ())),
        splice,
        compile_cues(table.subordinators.get(language, ())),
        prodrop,
        compile_cues(dropped.get("impersonal", ())),
        re.compile(
            rf"^(?:[^,]{{0,160}}?(?:,\s*|\s(?:but|pero|aber|mais|mas|and|y|und|et|e)\s+))?(?P<cond_word>)(?P<cond>)"
            rf"(?P<subject>{_alternation(table.needs[language])})\s+(?:(?:{between})\s+)?(?P<modal>)(?P<phrase>.+)$"
        )
        if table.needs.get(language)
        else None,
    )


@cache
def _titled_name() -> re.Pattern[str]:
    titles = _table().titles
    # A short title may take a dot ("Mr.", "Sra."); a role word before a dot ends its sentence.
    short = _alternation(tuple(t for t in titles if len(t) <= 4))
    long = _alternation(tuple(t for t in titles if len(t) > 4))
    return re.compile(rf"(?i:(?<!\w)(?:(?:{short})\.?|(?:{long})))\s+(?P<name>[A-ZÀ-Ý][\w'-]+)")


_PRONOUNS = frozenset({"she", "he", "ella", "él", "sie", "er", "elle", "il", "ela", "ele"})
_OTHER_GENDER = {
    "he": re.compile(r"\b(?:she|her|hers|herself)\b"),
    "she": re.compile(r"\b(?:he|him|his|himself)\b"),
    "er": re.compile(r"(?<!\w)(?:sie|ihr|ihre|ihren|ihrem|ihrer)(?!\w)"),
    "sie": re.compile(r"(?<!\w)(?:er|ihm|sein|seine|seinen|seinem|seiner)(?!\w)"),
    "él": re.compile(r"(?<!\w)(?:ella|ella misma)(?!\w)"),
    "ella": re.compile(r"(?<!\w)(?:él|él mismo)(?!\w)"),
    "il": re.compile(r"(?<!\w)(?:elle|elle-même)(?!\w)"),
    "elle": re.compile(r"(?<!\w)(?:il|lui-même)(?!\w)"),
    "ele": re.compile(r"(?<!\w)(?:ela|dela)(?!\w)"),
    "ela": re.compile(r"(?<!\w)(?:ele|dele)(?!\w)"),
}


@cache
def _nothing(language: str) -> re.Pattern[str]:
    return compile_cues(_table().nothing.get(language, ())) or re.compile(r"(?!x)x")


@cache
def _pending(language: str) -> re.Pattern[str] | None:
    return compile_cues(_table().pending.get(language, ()))


def notes_pending(thread: Thread, language: str) -> bool:
    """Whether a note says something is still open (awaiting, being checked): the customer's step
    is then relayed beside our "I'm checking", not instead of it."""
    pattern = _pending(language)
    notes = [m.body[:_NOTE_CHARS] for m in thread.messages if m.role is Role.note][-_MAX_NOTES:]
    return pattern is not None and any(pattern.search(fold(body)) for body in notes)


def _dashed(body: str) -> str:
    """`body` with its dashes as " – ", so a piece and the one after a dash can be found again."""
    return re.sub(r"\s[–—]\s", " – ", body)


def _pieces(body: str) -> list[str]:
    """The note's clauses; a title's dot ("Sra. Marlene", "Dr. Paulo") ends none."""
    titles = frozenset(_table().titles)
    out: list[str] = []
    for piece in (p.strip() for p in _PIECE_END.split(body) if p and p.strip()):
        last = out[-1].rsplit(maxsplit=1)[-1].lower() if out else ""
        if last.endswith(".") and last[:-1] in titles:
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
    return out


# The phrase must look like a verb's infinitive (a lemma shape, not a word list): Spanish and
# Portuguese -ar/-er/-ir with their clitics, French -er/-ir/-re/-oir after its clitics. English has
# no infinitive ending; German puts its infinitive last, so some lower-case word in -en or -n.
_INFINITIVE = {
    "es": re.compile(r"^\w+?(?:ar|er|ir|ír)(?:se|lo|la|los|las|le|les|me|te)?$"),
    "pt": re.compile(r"^\w+?(?:ar|er|ir|or|ôr)(?:-\w+)?$"),
    "fr": re.compile(r"^\w+?(?:er|ir|re|oir)$"),
}
_FR_CLITICS = frozenset(
    {"le", "la", "les", "l'", "y", "en", "se", "s'", "lui", "leur", "me", "m'", "te", "t'"}
)
_DE_INFINITIVE = re.compile(r"(?<![\w-])[a-zäöüß]+(?:en|ern|eln)(?!\w)")
_WORDS = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?|['’]")


def _infinitive_led(phrase: str, language: str) -> bool:
    adverbs = frozenset(fold(w) for w in _table().between.get(language, ()))
    words = [w.lower() for w in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*'?", phrase)]
    words = list(itertools.dropwhile(lambda w: w in adverbs, words))
    if not words:
        return False
    if language == "de":
        return _DE_INFINITIVE.search(phrase) is not None
    pattern = _INFINITIVE.get(language)
    if pattern is None:
        return True
    if language == "fr":
        words = [w for w in words if w not in _FR_CLITICS] or words
    return pattern.match(words[0]) is not None


def read_relayed(thread: Thread, language: str) -> tuple[Relayed, ...]:
    """The steps the notes give the customer, oldest note first, at most a few."""
    compiled = _language(language)
    if compiled is None:
        return ()
    name, _ = customer_names(thread)
    out: list[Relayed] = []
    notes = [m.body[:_NOTE_CHARS] for m in thread.messages if m.role is Role.note and m.body.strip()]
    for body in notes[-_MAX_NOTES:]:
        named_other = False  # a person other than the customer named earlier in the note
        pieces = _pieces(body)
        for index, piece in enumerate(pieces):
            if _in_list_item(body, piece):
                continue  # "C) Cancel: she has to return the modem" holds only if she picks C
            relayed = _relayed(piece, compiled, language, name, named_other, _opens_sentence(body, piece))
            # "… zustimmen – einfach mit JA antworten oder anrufen": after a dash, a lower-case
            # clause with no subject of its own says how; it belongs to the step.
            after = pieces[index + 1] if index + 1 < len(pieces) else ""
            if relayed is not None and after[:1].islower() and f"{piece} – {after}" in _dashed(body):
                joined = f"{piece} – {after}"
                relayed = (
                    _relayed(joined, compiled, language, name, named_other, _opens_sentence(body, piece))
                    or relayed
                )
            named_other = named_other or any(m.group("name") != name for m in _titled_name().finditer(piece))
            if relayed is not None and relayed not in out:
                out.append(relayed)
    steps = out[:_MAX_STEPS]
    lists = [r for body in notes[-_MAX_NOTES:] for r in _lists(body, compiled, language)]
    return tuple(steps + lists[:_MAX_LISTS])


# A list item on its own line: "1) …", "2. …", "a) …", "B) …".
_ITEM = re.compile(r"^\s*(?:\(?(?P<digit>\d{1,2})[).]|\(?(?P<letter>[a-fA-F])\))\s+(?P<text>\S.*)$")
# A bulleted line ("- …", "• …"): a list only under a heading that names options or steps.
_BULLET = re.compile(r"^\s*[-•*–]\s+(?P<text>\S.*)$")
# "- OR a voucher …": the joining word belongs to the note's list, not to the item.
_ITEM_JOIN = re.compile(r"^(?i:or|ou|o|oder|bzw\.?)\s+")
_MAX_LISTS = 1
_MAX_ITEMS = 6
_ITEM_CHARS = 320
_MIN_ITEMS = 2
# A web address or a dotted name ("mein.funkfrei.de", "Settings > Security") is no word of ours.
_ADDRESS = re.compile(r"\S+\.\S+/\S*|\b[\w-]+(?:\.[\w-]+)+\b")
_SHOUTED = re.compile(r"\b[A-ZÄÖÜÉÈÀÇÁÍÓÚÃÕÑ]{5,}\b")


def _lists(body: str, compiled: _Language, language: str) -> list[Relayed]:
    """Numbered or lettered lines under one heading: steps the customer follows, or options they
    choose between. The heading says which (data: list_cues); without one, numbers are steps and
    letters options. A list with any item that is ours (an agent's aside, a person, a pending
    matter) is not relayed at all: half a list of options misleads."""
    lines = body.splitlines()
    out: list[Relayed] = []
    index = 0
    while index < len(lines):
        marker = _ITEM if _ITEM.match(lines[index]) else _BULLET if _BULLET.match(lines[index]) else None
        if marker is None:
            index += 1
            continue
        start = index
        items: list[str] = []
        lettered = False
        while index < len(lines) and (match := marker.match(lines[index])) is not None:
            items.append(_ITEM_JOIN.sub("", match.group("text").strip()))
            lettered = lettered or (marker is _ITEM and match.group("letter") is not None)
            index += 1
        heading = next((ln for ln in reversed(lines[:start]) if ln.strip()), "")
        kind = _list_kind(heading, language) or (
            "" if marker is _BULLET else "options" if lettered else "steps"
        )
        if not kind:
            continue  # bullets under no heading of options or steps are the note's own facts
        if _MIN_ITEMS <= len(items) <= _MAX_ITEMS and all(_item_ok(i, compiled) for i in items):
            out.append(Relayed(kind, "", items=tuple(items)))
    return out


def _list_kind(heading: str, language: str) -> str:
    folded = fold(heading.split(".")[-1] if heading.rstrip().endswith(":") else heading)
    for kind, cues in _table().list_cues.get(language, {}).items():
        pattern = compile_cues(cues)
        if pattern is not None and pattern.search(folded):
            return kind
    return ""


def _item_ok(item: str, compiled: _Language) -> bool:
    if len(item) > _ITEM_CHARS:
        return False
    said = fold(without_menu_paths(_ADDRESS.sub(" ", _QUOTED.sub(" ", item))))
    if compiled.internal is not None and compiled.internal.search(said):
        return False
    return _titled_name().search(item) is None


@cache
def _others() -> re.Pattern[str]:
    return compile_cues(_table().need_others) or re.compile(r"(?!x)x")


def _needs_other(phrase: str, language: str) -> bool:
    """Whether what we need is an action ("de confirmar", "to check") or comes from someone else
    ("confirmation from the hotel", "Freigabe")."""
    folded = fold(phrase)
    if _others().search(folded) or folded.startswith(("to ", "que ", "dass ", "qu'")):
        return True
    first = re.sub(r"^(?:de|d'|do|da|dos|das)\s*", "", folded)
    return language in _INFINITIVE and _infinitive_led(first, language)


def _in_list_item(body: str, piece: str) -> bool:
    """Whether `piece` sits on a numbered or lettered line: a list is said whole or not at all
    (_lists), and an option's step holds only if that option is chosen."""
    at = body.find(piece)
    if at < 0:
        return False
    line = body[body.rfind("\n", 0, at) + 1 :].split("\n", 1)[0]
    return _ITEM.match(line) is not None


def _opens_sentence(body: str, piece: str) -> bool:
    """Whether `piece` opens a sentence or a line of the note: after a dash, an arrow or a semicolon
    a clause with no subject speaks of what came before ("NÃO inutilizar – pode criar buraco": the
    voiding may cause a gap), not of the customer."""
    at = body.find(piece)
    before = body[:at].rstrip(" \t") if at >= 0 else ""
    return not before or before.endswith(("\n", ".", "!", ":"))


def _relayed(
    piece: str, compiled: _Language, language: str, name: str, named_other: bool, opens: bool = True
) -> Relayed | None:
    folded = fold(piece)
    if name:  # the customer's first name as a subject; same length, so offsets hold
        folded = re.sub(rf"(?<!\w){re.escape(fold(name))}(?!\w)", "\x00" * len(name), folded)
    match = compiled.step.match(folded)
    if match is None and compiled.inverted is not None:
        match = compiled.inverted.match(folded)
    if match is None and compiled.splice is not None:
        # "Her key was never the problem, she can go back to 100": the clause before the comma is
        # a fact of its own; one that is a condition or a time of the step ("once it ships, she
        # can …") would be lost, so then the step is not read this way.
        match = compiled.splice.match(folded)
        subordinate = compiled.subordinate
        if match is not None and subordinate is not None and subordinate.search(match["prefix"]):
            match = None
    needed = False
    if match is None and compiled.need is not None:
        match = compiled.need.match(folded)
        needed = match is not None
    dropped = False
    if match is None and compiled.prodrop is not None:
        match = compiled.prodrop.match(folded)
        # With no subject, only a clause that opens its sentence or joins the one before with
        # "ou"/"o" is the customer's; "NÃO inutilizar – pode criar buraco" is the voiding's.
        if match is not None and not opens and not match.group("joined"):
            match = None
        dropped = match is not None
    asked = match is None and compiled.ask is not None and compiled.ask.match(folded) is not None
    if asked and compiled.ask is not None:
        match = compiled.ask.match(folded)
    if match is None:
        return None
    subject = match.group("subject")
    if asked:  # "ask him to …": who is asked is who the step is for
        subject = "he" if re.search(r"\b(?:him|lui|ele)\b", subject) else "she"
    impersonal = compiled.impersonal
    if dropped and impersonal is not None and impersonal.match(folded, match.start("phrase")):
        return None  # "puede tardar 5 días": the subject is a thing or a time, not the customer
    # "she"/"he" is the customer only while the note has named nobody else ("Driver will phone
    # Mrs Nguyen … she or a neighbour can sign").
    if subject in _PRONOUNS and named_other:
        return None
    # "he can pick a time via her calendar link": the other gender's pronoun is someone else.
    other = _OTHER_GENDER.get(subject)
    if other is not None and other.search(fold(piece[match.start("phrase") :])):
        return None
    phrase = piece[match.start("phrase") :]
    # "reenviar as notas paradas: o sistema consulta …": after a colon the note explains itself.
    phrase = re.sub(r"(?<=\w):\s.*$", "", phrase)
    phrase = _TRAILING.sub("", _OWN_CLAUSE.sub("", _ASIDE.sub("", phrase)))
    cond = "" if asked or not match.group("cond") else piece[match.start("cond") : match.end("cond")]
    if dropped and cond:  # the purpose or time is said with its own word ("Para llegar al 19/12")
        cond = piece[match.start("cond_word") : match.end("cond")]
    kind = "ask" if asked else "need" if needed else compiled.modal_kind.get(match.group("modal"), "")
    words = len(phrase.split())
    # "customer has to resend": one verb is a step too, but a word like "too" or "also" is not.
    single = (
        words == 1
        and phrase.isalpha()
        and len(phrase) >= _MIN_VERB_LETTERS
        and not asked
        and fold(phrase) not in {fold(w) for w in _table().between.get(language, ())}
    )
    if not kind or not (_MIN_PHRASE_WORDS <= words <= _MAX_PHRASE_WORDS or single):
        return None
    said = fold(_QUOTED.sub(" ", f"{cond} {phrase}"))
    if compiled.internal is not None and compiled.internal.search(said):
        return None
    if not cond and compiled.anaphora is not None and compiled.anaphora.search(said):
        return None
    if any(m.group("name") != name for m in _titled_name().finditer(f"{cond} {phrase}")):
        return None  # names a person: staff or a third party
    if ":" in " ".join(phrase.split()[:2]):
        return None  # "pode fazer: pedir …": a heading over what follows, not the step itself
    if re.match(r"(?i)(?:not|never)\b", phrase):
        return None  # "she must not be given the PIN": a prohibition, and ours to keep
    if needed:
        # a thing we need from them, not a thing to do ("we need to check") or someone else's
        return None if _needs_other(phrase, language) or words < _MIN_PHRASE_WORDS else Relayed(kind, phrase)
    if not _infinitive_led(phrase, language):
        return None
    if _nothing(language).search(fold(" ".join(phrase.split()[:2]))):
        # "muss nichts tun", "não precisa fazer nada, só deixar o app aberto": that there is
        # nothing to do is the outcome nothing_to_do (note_outcomes.py), said only beside another.
        return None  # "muss nichts tun" is the outcome nothing_to_do (note_outcomes.py), said there
    return Relayed(kind, phrase, cond, lead=dropped and bool(cond))


# --- saying it ---------------------------------------------------------------------------------


def _merged(section: dict[str, dict[str, str]], keys: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key in keys:
        out.update(section.get(key, {}))
    return out


_EN_HER_OBJECT = frozenset(
    {
        "",
        "a",
        "an",
        "the",
        "to",
        "at",
        "in",
        "on",
        "by",
        "for",
        "with",
        "from",
        "back",
        "again",
        "and",
        "or",
        "now",
        "today",
        "tomorrow",
        "when",
        "if",
        "once",
        "up",
        "off",
        "out",
        "about",
        "that",
        "this",
    }
)
_EN_AGREE = {
    "is": "are",
    "has": "have",
    "was": "were",
    "does": "do",
    "isn't": "aren't",
    "hasn't": "haven't",
    "wasn't": "weren't",
    "doesn't": "don't",
}


def _turn(text: str, language: str, keys: tuple[str, ...]) -> str | None:
    """`text` with the customer's third-person words turned to ours, or None when one cannot be."""
    table = _table()
    short = table.shorthand.get(language, {})
    if short:
        alternation = "|".join(re.escape(w) for w in sorted(short, key=len, reverse=True))
        text = re.sub(rf"(?<![\w.])(?:{alternation})(?![\w])", lambda m: short[m.group()], text)
    if language == "fr":
        # "Visa se terminant par 2290": a reflexive before a participle is the thing's, not theirs.
        text = re.sub(r"(?<!\w)se (?=\w+ant\b)", "\x01 ", text)
    words = _merged(table.pronouns, (language, *(k for k in keys if k.startswith(language))))
    ihr = _merged(table.ihr_forms, tuple(k for k in keys if k.startswith(language)))
    if words:
        alternation = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        # An elided word before it counts as a boundary: "puisqu'il" holds "il".
        pattern = re.compile(
            rf"(?<![\w-])(?:{alternation})(?![\w'’])"
            if not alternation.endswith("'")
            else rf"(?<![\w-])(?:{alternation})(?![\w])",
            re.IGNORECASE,
        )
        blocked = False

        def said(match: re.Match[str]) -> str:
            nonlocal blocked
            said = match.group()
            ours = words.get(said.lower(), words.get(said, said))
            if ours == "":
                blocked = True
            if said[:1].isupper() and ours[:1].islower():
                return ours[:1].upper() + ours[1:]  # "Tiene que" opening a sentence
            return ours

        text = pattern.sub(said, text)
        if blocked:
            return None
    text = text.replace("\x01", "se")
    if language == "en":
        text = re.sub(
            r"(?<!\w)her(?!\w)(\s+(\w+))?",
            lambda m: (
                ("you" if (m.group(2) or "").lower() in _EN_HER_OBJECT else "your") + (m.group(1) or "")
            ),
            text,
        )
        text = re.sub(r"\byou\s+(\w+'?\w*)", lambda m: "you " + _EN_AGREE.get(m.group(1), m.group(1)), text)
        if re.search(r"\b(?:they|them|their)\b", text, re.IGNORECASE):
            return None
    if language == "de" and ihr:
        # "ihr" before a noun is "her" possessive; otherwise "to her".
        text = re.sub(
            r"(?<!\w)ihr(?!\w)(\s+(\S+))?",
            lambda m: (
                (ihr["possessive"] if (m.group(2) or "")[:1].isupper() else ihr["dative"])
                + (m.group(1) or "")
            ),
            text,
        )
    return text


def relayed_sentences(
    relayed: tuple[Relayed, ...], language: str, keys: tuple[str, ...], *, lists: bool = True
) -> list[str]:
    """The steps in the customer's language and register; a step that cannot be said is left out.
    A list is said on lines of its own, last; without `lists` (a text message) it is left out."""
    frames = _merged(_table().frames, keys)
    out: list[str] = []
    for step in relayed:
        if step.items and not lists:
            continue
        if step.items:
            said = _list_said(step, frames, language, keys)
            if said:
                out.append(said)
            continue
        kind = step.kind if step.kind in frames else "must"
        frame = frames.get(f"{kind}_inverted" if step.condition and language == "de" else kind)
        additive = _alternation(_table().additive.get(language, ()))
        phrase = _turn(re.sub(rf"^(?i:{additive})\s+", "", step.phrase), language, keys)
        cond = _turn(step.condition, language, keys) if step.condition else ""
        if frame is None or phrase is None or cond is None:
            continue
        main = frame.format(vp=phrase)
        if cond:
            main = frames["lead" if step.lead and "lead" in frames else "if"].format(cond=cond, main=main)
        if language == "fr":
            main = re.sub(r"\b(de|que|ne|se|te|me|le|la) ([aeiouyhéèêâîô])", _elide, main)
        out.append(_sentence(main))
    return out


def _list_said(step: Relayed, frames: dict[str, str], language: str, keys: tuple[str, ...]) -> str:
    """A list in our frame: its heading of ours, each item with its pronouns turned, and for a
    choice, our question which they prefer. One item that cannot be turned drops the list."""
    items: list[str] = []
    for item in step.items:
        turned = _turn(_SHOUTED.sub(lambda m: m.group().lower(), item), language, keys)
        if turned is None:
            return ""
        items.append(_TRAILING.sub("", turned))
    lines = [frames[f"{step.kind}_intro"], *(f"{n}. {_capital(i)}" for n, i in enumerate(items, 1))]
    if step.kind == "options":
        lines.append(frames["options_ask"])
    return "\n".join(lines) + "\n"  # what follows starts on a line of its own


def _capital(item: str) -> str:
    """The item's first letter in capitals, unless it opens with an address ("app.example.com")."""
    first = item.split(maxsplit=1)[0] if item.split() else ""
    return item if _ADDRESS.match(first) else item[:1].upper() + item[1:]


def _elide(match: re.Match[str]) -> str:
    word = match.group(1)
    return f"{word[:-1]}'{match.group(2)}"


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!")) else text + "."
