"""Feelings in a customer's message, with intensity and the words that show them.

Ten feelings (seeds/messages/LABELLING.md): anger, frustration, worry, disappointment, grief,
sarcasm, urgency, threat, gratitude and excitement, in English, Spanish, German, French and
Portuguese. The vocabularies are data (data/feelings.yaml, with inflected forms from
data/lemma_forms.yaml); this module only applies them:

- a cue right after a negator ("not angry", "pas en colère") does not count;
- an intensifier before a cue ("really worried") raises its intensity by one;
- praise counts as sarcasm only next to trouble ("great job losing my parcel");
- politeness formulas ("thanks in advance") are not gratitude, and neither is praise that is
  sarcastic;
- a raised voice (several words in capitals, "!!!") inside a complaint reads as anger, and in a
  happy message as excitement; caps lock (every letter a capital) raises no voice at all, and a
  stretched word ("merciiii") is read as the word it stretches;
- quoted lines and long quoted passages are someone else's words and are blanked first;
- shapes (counts, ordinals, elapsed time, time left, clock deadlines: structures.py) add
  frustration and urgency, time words count only with a stake in their sentence, and praise
  aimed at a failure is sarcasm (irony.py).

Cost: one token scan for the feeling cues (time words included), one for the irony classes, and
a dozen precompiled shape patterns over at most `TEXT_CHARS` characters: about 0.5 ms of CPU per
dev message with the register (0.36 ms before the shapes, docs/decisions.md 72-73).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from pydantic import BaseModel, ConfigDict

from service.language.cues import CueSet, compile_cues, fold, tokens
from service.language.data import load_table
from service.language.irony import find_irony, scan, sincere
from service.language.negation import negates, words_before
from service.language.structures import clause_final_time, deadline_in_sentence, find_shapes, time_words


class Feeling(StrEnum):
    anger = "anger"
    frustration = "frustration"
    worry = "worry"
    disappointment = "disappointment"
    grief = "grief"
    sarcasm = "sarcasm"
    urgency = "urgency"
    threat = "threat"
    gratitude = "gratitude"
    excitement = "excitement"


NEGATIVE = frozenset(
    {
        Feeling.anger,
        Feeling.frustration,
        Feeling.worry,
        Feeling.disappointment,
        Feeling.grief,
        Feeling.sarcasm,
        Feeling.threat,
    }
)
TEXT_CHARS = 4_000
_GATED = 0  # the level of a time word found in the cue scan, before its sentence is checked
_STAKE = -1  # the level of a worry stake (a baby, insulin, the rent): worry only next to trouble
_OCCASION = -2  # the level of an occasion (a wedding, a move): happy news only in a calm message
_NEGATION_WINDOW = 4  # words before a cue that can negate it ("no es que esté molesta")
# "Hello again", "hola de nuevo": a greeting, not a repeated failure.
_GREETINGS = frozenset({"hello", "hi", "hey", "hola", "olá", "ola", "oi", "bonjour", "hallo", "re"})
_SARCASM_WINDOW = 140  # characters either side of praise searched for trouble
_WORD_NEXT = re.compile(r"[ \t]+\w")  # another word follows in the same clause
_THANKS_AGAIN = 3  # characters between a thanks word and "again" that still make one phrase


@dataclass(frozen=True)
class Evidence:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class FeelingReading:
    feeling: Feeling
    intensity: int  # 1 mild, 2 clear, 3 strong
    evidence: tuple[Evidence, ...]


class _FeelingsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    negators: dict[str, tuple[str, ...]]
    intensifiers: dict[str, tuple[str, ...]]
    feelings: dict[Feeling, dict[str, dict[int, tuple[str, ...]]]]
    sarcasm_trouble: dict[str, tuple[str, ...]]
    gratitude_formulas: dict[str, tuple[str, ...]]
    worry_stakes: dict[str, tuple[str, ...]]
    excitement_occasions: dict[str, tuple[str, ...]]
    wishful: dict[str, tuple[str, ...]] = {}
    elided: dict[str, tuple[str, ...]] = {}
    elided_whole: dict[str, tuple[str, ...]] = {}
    conditionals: dict[str, tuple[str, ...]] = {}
    staff: dict[str, tuple[str, ...]] = {}
    titles: dict[str, tuple[str, ...]] = {}
    articles: dict[str, tuple[str, ...]] = {}
    names_need_title: tuple[str, ...] = ()
    negators_after: dict[str, tuple[str, ...]] = {}
    urgency_as_option: dict[str, tuple[str, ...]] = {}
    ironic_marks: tuple[str, ...] = ()
    applause_marks: tuple[str, ...] = ()


class _LemmaForms(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    source: str
    forms: dict[str, dict[str, tuple[str, ...]]]  # language -> lemma -> inflected forms


@dataclass(frozen=True)
class _Compiled:
    cues: CueSet[tuple[Feeling, int]]
    negators: frozenset[str]
    intensifiers: frozenset[str]
    wishful: frozenset[str]
    conditionals: frozenset[str]
    staff: re.Pattern[str] | None
    titles: frozenset[str]
    articles: frozenset[str]
    titles_only: bool
    negators_after: frozenset[str]
    options: frozenset[str]
    trouble: re.Pattern[str] | None
    formulas: re.Pattern[str] | None


LANGUAGES = ("en", "es", "de", "fr", "pt")
_TOKEN = re.compile(r"[\w']+")
_SHOUTED = re.compile(r"\b[A-ZÄÖÜÉÈÀÁÍÓÚÑÇÂÊÔÃÕ]{4,}\b")
# Capitals that are names of things, not a raised voice.
_ACRONYMS = frozenset(
    [
        "HTTP",
        "HTTPS",
        "POST",
        "JSON",
        "HTML",
        "NULL",
        "UUID",
        "ASAP",
        "GDPR",
        "IBAN",
        "VOIP",
        "VPN2",
        "SMTP",
        "IMAP",
        "CNPJ",
        "NIF",
        "DNI",
        "URL",
        "API",
        "REST",
        "WIFI",
        "USB",
        "HDMI",
        "UTC",
        "CEST",
        "GMT",
        "PDF",
        "CSV",
        "XML",
        "SEPA",
        "FAQ",
    ]
)
_EXCLAIMED = re.compile(r"!{3,}|\?{3,}|\?!|!\?")
# A letter written three times or more is one letter stretched for warmth or volume ("merciiii",
# "thank youuuu", "HERMOSOOO"): read as the word it stretches. No word of the five languages
# holds a letter three times in a row.
_STRETCHED = re.compile(r"(\w)\1{2,}")
# Marks of delight: hearts, a face in love, tears held back with a smile. Beside capitals or
# "!!!" in a message with no complaint, they make the loud voice joy (a teenager's "MY ORDER IS
# HERE 😭💖"), never anger.
_DELIGHT = re.compile("[\u2764\U0001f493-\U0001f49f\U0001f970\U0001f60d\U0001f979\U0001f929]")
_CAPS_LOCK_LETTERS = 12  # letters a text needs before all of them in capitals reads as caps lock
_CODE_EDGE = re.compile(r"[-_/\d]")
_COMPLAINT = frozenset(
    {Feeling.anger, Feeling.frustration, Feeling.disappointment, Feeling.threat, Feeling.sarcasm}
)


# Feelings whose own words are often written in capitals without anger: a deadline, a body named.
_NAMED_LOUDLY = (Feeling.urgency, Feeling.threat)


def _unstretched(toks: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Tokens with stretched letters brought back to one ("merciiii" -> "merci"); offsets kept."""
    return [(s, e, _STRETCHED.sub(r"\1", t)) if _STRETCHED.search(t) else (s, e, t) for s, e, t in toks]


def caps_lock(text: str) -> bool:
    """Whether every letter of `text` is a capital: caps lock, which shouts nothing (an older
    customer's "PLEASE SEND TRACKING FOR ORDER 88120. THANK YOU")."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= _CAPS_LOCK_LETTERS and all(c.isupper() for c in letters)


def _code_before(text: str, start: int) -> bool:
    return start > 0 and text[start - 1] in "-_/0123456789"


# A line quoted with ">" or a passage of five words or more in quotation marks. The opening mark
# follows no letter and the closing mark precedes none: otherwise the closing mark of one short
# scare quote ('the third "delivered" parcel') would open a "passage" running to the next one and
# blank the customer's own words in between.
_QUOTED = re.compile(
    r"^[ \t]*>.*$|(?<!\w)[\"“«„]\s?(?:[^\s\"“”«»„]+\s+){4,}[^\"“”«»„]*?[\"”»“](?!\w)"
    r"|(?<!\w)['‘]\s?(?:[^\s'‘’]+\s+){4,}[^'‘’\n]*?['’](?!\w)",
    re.MULTILINE,
)


_HANDLE = re.compile(r"(?<![\w.])@\w+")
# A handle set off by commas is a vocative ("Vielen Dank, @X, für ..."): the commas go with it, so
# the thanks and what they are for stay one phrase.
_VOCATIVE_HANDLE = re.compile(r",\s*@\w+\s*,|(?<![\w.])@\w+")


def mask_quoted(text: str) -> str:
    """`text` with quoted lines and long quoted passages blanked, same length (offsets hold)."""
    if not any(mark in text for mark in '>"“«„‘') and "'" not in text:
        return text  # most messages quote nothing: skip the scan
    return _QUOTED.sub(lambda m: " " * (m.end() - m.start()), text)


def _with_forms(cues: tuple[str, ...], forms: dict[str, tuple[str, ...]]) -> list[str]:
    """The cues plus the inflected forms of every one-word cue (its lemma's forms)."""
    expanded = list(cues)
    for cue in cues:
        if " " not in cue and not cue.endswith("*"):
            expanded.extend(forms.get(cue, ()))
    return expanded


@cache
def _compiled(language: str) -> _Compiled:
    table = load_table("feelings", _FeelingsFile)
    forms = load_table("lemma_forms", _LemmaForms).forms.get(language, {})
    cues: list[tuple[str, tuple[Feeling, int]]] = []
    for feeling, by_language in table.feelings.items():
        # Threats, deadlines and happy news are verbs and nouns whose other forms mean something
        # else ("cancelaré" is a threat, "cancelaron" a fact): no inflections for them.
        inflect = feeling not in (Feeling.threat, Feeling.urgency, Feeling.excitement)
        for intensity, words in by_language.get(language, {}).items():
            expanded = _with_forms(words, forms) if inflect else list(words)
            cues.extend((cue, (feeling, intensity)) for cue in expanded)
    # Time words ride along in the same token scan at level 0: they are deadlines only when their
    # sentence carries a stake (structures.deadline_in_sentence decides).
    cues.extend((word, (Feeling.urgency, _GATED)) for word in time_words(language))
    # Stakes ride along in the same scan too; they count only in a message that shows trouble.
    cues.extend((word, (Feeling.worry, _STAKE)) for word in table.worry_stakes.get(language, ()))
    cues.extend(
        (word, (Feeling.excitement, _OCCASION)) for word in table.excitement_occasions.get(language, ())
    )
    return _Compiled(
        cues=CueSet(cues, elided=table.elided.get(language, ()), whole=table.elided_whole.get(language, ())),
        negators=frozenset(table.negators.get(language, ())),
        intensifiers=frozenset(table.intensifiers.get(language, ())),
        wishful=frozenset(table.wishful.get(language, ())),
        conditionals=frozenset(table.conditionals.get(language, ())),
        staff=compile_cues(table.staff.get(language, ())),
        titles=frozenset(table.titles.get(language, ())),
        articles=frozenset(table.articles.get(language, ())),
        titles_only=language in table.names_need_title,
        negators_after=frozenset(table.negators_after.get(language, ())),
        options=frozenset(table.urgency_as_option.get(language, ())),
        trouble=compile_cues(table.sarcasm_trouble.get(language, ())),
        formulas=compile_cues(table.gratitude_formulas.get(language, ())),
    )


# A condition reaches across its sentence, not beyond (negations: language/negation.py).
_SENTENCE_BREAK = re.compile(r"[.!?;\n]")


def _negated_after(folded: str, end: int, negators_after: frozenset[str]) -> bool:
    """Whether the word right after a cue negates it: spoken French drops "ne" and keeps "pas"
    after the verb ("t'inquiète pas", "ça m'énerve pas")."""
    if not negators_after:
        return False
    after = _TOKEN.findall(folded[end : end + 12])[:1]
    return bool(after) and after[0] in negators_after


_NAME = re.compile(r"(?<![\w@])[A-ZÀ-ÖØ-Ý][a-zà-öø-ÿ]+")
_HELPER_GAP = 40  # characters between a name and the staff word that places it
_THANKS_GAP = 16  # characters between a thanks word and the name it thanks ("agradecerle a Lucía")


def _named_helper(
    text: str, folded: str, compiled: _Compiled, thanks_ends: list[int]
) -> tuple[int, int] | None:
    """The span of a person thanked by name and placed in the company's staff ("remercier
    Nathalie du service client", "agradecerle a Lucía, la chica del chat", "bei Herrn Gruber aus
    Ihrer Hotline"), or None. The name follows a thanks word closely or a title ("Herrn", "Mme");
    a capitalised noun in German or a company's name after "thanks" is no person on the staff."""
    if compiled.staff is None:
        return None
    for match in compiled.staff.finditer(folded):
        for name in _NAME.finditer(text, max(0, match.start() - _HELPER_GAP), match.start()):
            words_before = _TOKEN.findall(folded[max(0, name.start() - 12) : name.start()])
            titled = bool(words_before) and words_before[-1] in compiled.titles
            thanked = any(0 <= name.start() - end <= _THANKS_GAP for end in thanks_ends)
            # A name that ends its line after "Thanks," is the writer's signature, not a helper.
            # A capital that opens a line or a sentence is no sign of a name.
            opening = text[: name.start()].rstrip(" \t")[-1:] in ("", ".", "!", "?", "\n")
            between = text[name.end() : match.start()]
            # "Ryanair team": a name right against the staff word is the company's; a person is
            # placed with a word or a comma between ("Nathalie du service", "Lucía, la chica").
            signed = opening or "\n" in between or not re.search(r"[\w,]", between)
            if not signed and (titled or (thanked and not compiled.titles_only)):
                return name.start(), name.end()
    return None


def _names_an_option(folded: str, start: int, end: int, options: frozenset[str]) -> bool:
    """Whether an urgency word qualifies a service next to it ("urgent delivery", "envío urgente",
    "livraison urgente"): the option's name, which a calm question about prices can carry."""
    before = _TOKEN.findall(folded[max(0, start - 30) : start])[-1:]
    after = _TOKEN.findall(folded[end : end + 30])[:1]
    return any(word in options for word in before + after)


def _conditional_before(folded: str, start: int, conditionals: frozenset[str]) -> bool:
    """Whether the sentence before `start` holds a condition ("if", "si", "wenn", "sinon")."""
    window = folded[max(0, start - 120) : start]
    breaks = list(_SENTENCE_BREAK.finditer(window))
    if breaks:
        window = window[breaks[-1].end() :]
    return any(word in conditionals for word in _TOKEN.findall(window))


def _mask(folded: str, pattern: re.Pattern[str] | None) -> str:
    if pattern is None:
        return folded
    return pattern.sub(lambda m: " " * (m.end() - m.start()), folded)


def read_feelings(text: str, language: str) -> list[FeelingReading]:
    """The feelings `text` shows, strongest evidence first per feeling; offsets point into `text`."""
    text = text[:TEXT_CHARS]
    language = language if language in LANGUAGES else "en"
    compiled = _compiled(language)
    # Someone else's words (a forwarded e-mail, a quoted agent reply) are not the customer's
    # feelings: blanked out, offsets kept.
    text_own = mask_quoted(text)
    # A social handle is an address, not a word: "Merci @TrainsExpress pour..." reads as
    # "merci pour...", so thanks aimed at a failure is found across it.
    folded = _VOCATIVE_HANDLE.sub(lambda m: " " * (m.end() - m.start()), fold(text_own))
    candidates: list[tuple[Feeling, int, int, int]] = []  # feeling, level, start, end
    ironic: list[tuple[int, int, int]] = []  # sarcastic phrases waiting for trouble: level, start, end
    masked = _mask(folded, compiled.formulas)
    toks = _unstretched(tokens(folded))
    masked_toks = toks if masked == folded else _unstretched(tokens(masked))
    found_cues = compiled.cues.find(toks)
    final_only = clause_final_time(language)
    gated = [
        (start, end)
        for start, end, (_, level) in found_cues
        if level == _GATED and not (folded[start:end] in final_only and _WORD_NEXT.match(folded, end))
    ]
    hits = [h for h in found_cues if h[2][0] is not Feeling.gratitude and h[2][1] > _GATED]
    stakes = [(start, end) for start, end, (_, level) in found_cues if level == _STAKE]
    occasions = [
        (start, end)
        for start, end, (_, level) in found_cues
        if level == _OCCASION and not _inside_quotes(folded, start)
    ]
    hits += [(start, end, (Feeling.excitement, 2)) for start, end in occasions]
    if stakes and compiled.trouble is not None and compiled.trouble.search(folded):
        hits += [(start, end, (Feeling.worry, 2)) for start, end in stakes]
    grateful = found_cues if masked_toks is toks else compiled.cues.find(masked_toks)
    thanked = [h for h in grateful if h[2][0] is Feeling.gratitude]
    hits += thanked
    thanks_ends = [end for _, end, _ in thanked]
    # Shapes (counts, ordinals, elapsed time, time left) come with their own level.
    shapes = find_shapes(folded, language)
    left = [(start, end) for kind, start, end in shapes if kind == "left"]
    shaped = [shape for shape in shapes if shape[0] != "left"]
    shaped += deadline_in_sentence(text, folded, gated + left, language)
    for kind, start, end in shaped:
        hits.append((start, end, (Feeling.frustration if kind == "repeated" else Feeling.urgency, 2)))
    # Praise next to a fix is sincere ("fixed the broken boiler. Lovely."); fixed sarcastic
    # phrases (level 3: "thanks for nothing") stay sarcasm whatever else the message says.
    scanned = scan(toks, language)
    praise_is_sincere = sincere(folded, scanned, compiled.negators, language)
    # Thanks or praise for a named member of staff ("agradecer à Juliana do atendimento", "merci
    # à Nathalie du service client") are sincere: irony names the company, not a colleague.
    thanks_at = [end for _, end, _ in thanked] + [end for _, end in scanned["thanks_for"]]
    helper = _named_helper(text_own, folded, compiled, thanks_at) if thanks_at else None
    praise_is_sincere = praise_is_sincere or helper is not None
    for start, end, (feeling, intensity) in hits:
        if feeling is Feeling.sarcasm and intensity < 3 and praise_is_sincere:
            continue
        before = words_before(folded, start, _NEGATION_WINDOW)
        cue_words = _TOKEN.findall(folded[start:end])
        starts_negated = bool(cue_words) and negates(cue_words[:1], compiled.negators)
        # A deadline or a threat is not undone by a negation a few words back ("if this isn't
        # fixed by Friday"): only the word right before counts ("not urgent", "no rush").
        window = before[-1:] if feeling in (Feeling.urgency, Feeling.threat) else before
        if feeling is Feeling.threat and not _conditional_before(folded, start, compiled.conditionals):
            # Outside a condition a negation two words back (articles aside) reaches a complaint
            # word: "ce n'est pas une plainte", "no es una queja" complain of nothing.
            window = [w for w in before if w not in compiled.articles][-2:]
        # A face or a mark is no word a negation can reach: "das kleid passt nicht 😬".
        if cue_words and not starts_negated and negates(window, compiled.negators):
            continue
        if _negated_after(folded, end, compiled.negators_after):
            continue  # "t'inquiète pas", "je m'inquiète plus": French negation after its verb
        if feeling is Feeling.frustration and before and before[-1] in _GREETINGS:
            continue
        one_word = len(_TOKEN.findall(folded[start:end])) == 1
        if feeling is Feeling.urgency and one_word and _names_an_option(folded, start, end, compiled.options):
            continue  # "urgent delivery", "envío urgente": the name of a service, not time pressure
        if feeling is Feeling.frustration and any(0 <= start - e <= _THANKS_AGAIN for e in thanks_ends):
            continue  # "muito obrigada de novo", "thanks again", "merci encore": thanks repeated
        # "A very difficult time" is still a hard time, not a bereavement: the mild grief words
        # are never raised to the level that takes condolence.
        raisable = not (feeling is Feeling.grief and intensity == 1)
        level = intensity + (1 if raisable and before and before[-1] in compiled.intensifiers else 0)
        if feeling is Feeling.sarcasm and any(w in compiled.wishful for w in before[-2:]):
            continue  # "it would be great if ...": a wish
        if feeling is Feeling.sarcasm:
            # Checked below, once the message's other negative feelings are known.
            ironic.append((min(level, 3), start, end))
            continue
        candidates.append((feeling, min(level, 3), start, end))
    # A stake is a topic, not trouble: "agradecerle ... el seguro de mi mamá" is no thanks for a
    # failure, so stakes do not count as the trouble that turns thanks or praise into irony.
    stake_spans = set(stakes)
    negative = [
        (s, e)
        for f, _, s, e in candidates
        if f in NEGATIVE and f is not Feeling.sarcasm and (s, e) not in stake_spans
    ]
    # A fixed sarcastic phrase counts next to trouble: a trouble word near it, or, in a message
    # without warm thanks, any other negative feeling ("tercer aviso ... Sois unos cracks 👏👏").
    if helper is not None:
        candidates.append((Feeling.gratitude, 2, *helper))
    warm = any(f is Feeling.gratitude and level >= 2 for f, level, _, _ in candidates)
    for level, start, end in ironic:
        if helper is not None:
            break
        if (negative and not warm) or _troubled(folded, start, end, compiled):
            candidates.append((Feeling.sarcasm, level, start, end))
    if not praise_is_sincere:
        for start, end in find_irony(folded, scanned, language, compiled.trouble, negative):
            candidates.append((Feeling.sarcasm, 2, start, end))
    found: dict[Feeling, list[tuple[int, Evidence]]] = {}
    for feeling, level, start, end in candidates:
        # Words inside a longer cue belong to that cue ("lost my husband" is grief, not worry).
        if any(s <= start and end <= e and (e - s) > (end - start) for _, _, s, e in candidates):
            continue
        found.setdefault(feeling, []).append((level, Evidence(start, end, text[start:end])))
    _feared_not_blamed(folded, found)
    _raised_voice(text_own, found)
    _drop_sarcastic_praise(found)
    # Sarcasm is praise or thanks meant as their opposite (LABELLING.md): an ironic mark beside a
    # complaint that praises nothing ("3rd time the app logged me out 🙃🙃") is exasperation.
    praised = bool(ironic or scanned["praise"] or scanned["thanks_for"])
    _public_irony(text_own, found, praise_is_sincere, bool(_HANDLE.search(text_own)), praised)
    _drop_polite_thanks(text, found, praise_is_sincere)
    _joyful_voice(text_own, found)
    _drop_settled_time(found)
    _occasion_as_deadline(found, set(occasions), bool(stakes))
    _jeopardy(found, stakes, text)
    _drop_calm_stakes(found, set(stakes))
    _relieved_worry(found)
    _drop_incidental_persistence(found)
    _drop_troubled_occasions(found, set(occasions))
    readings = []
    for name in Feeling:
        shown = found.get(name)
        if not shown:
            continue
        shown.sort(key=lambda hit: (-hit[0], hit[1].start))
        strength = max(level for level, _ in shown)
        if len(shown) >= 3:
            strength = min(3, strength + 1)  # the same feeling said three ways is strong
        readings.append(FeelingReading(name, strength, tuple(e for _, e in shown[:3])))
    return readings


_QUOTE_MARKS = '"“”„«»'  # any mark opens or closes: a pair leaves the count even


def _inside_quotes(folded: str, start: int) -> bool:
    """Whether `start` lies inside a short quotation on its line: an album called "Hochzeit 2019"
    or a product named "Baby Care" is a title, not the customer's news."""
    line = folded[folded.rfind("\n", 0, start) + 1 : start]
    return sum(line.count(mark) for mark in _QUOTE_MARKS) % 2 == 1


def _troubled(folded: str, start: int, end: int, compiled: _Compiled) -> bool:
    if compiled.trouble is None:
        return False
    window = folded[max(0, start - _SARCASM_WINDOW) : end + _SARCASM_WINDOW]
    return compiled.trouble.search(window) is not None


def _raised_voice(text: str, found: dict[Feeling, list[tuple[int, Evidence]]]) -> None:
    # Capitals glued to digits, dashes or underscores are codes ("COMP-20231", "ERR_GATEWAY").
    # Under caps lock no word is louder than another.
    shouted = [
        m
        for m in (() if caps_lock(text) else _SHOUTED.finditer(text))
        if m.group() not in _ACRONYMS
        and not _CODE_EDGE.match(text, m.end())
        and not _code_before(text, m.start())
    ]
    loud = _EXCLAIMED.search(text)
    joyful = Feeling.gratitude in found or Feeling.excitement in found
    # In a frightened message "!!!" is fear at full volume, not a complaint: whether it complains
    # is decided before "!!!" adds frustration of its own, which would then turn it into anger.
    frightened = Feeling.worry in found
    complaint = _complains(found)
    if loud and not joyful:
        # "???" and "!!!" without joy: someone at the end of their patience.
        found.setdefault(Feeling.frustration, []).append(
            (2, Evidence(loud.start(), loud.end(), loud.group()))
        )
    # A raised voice is anger only inside a complaint: "THANK YOU!!!" and "URGENTE" are not. Praise
    # at level 1 ("Buenas tardes" read through "bueno") is noise, not a complaint: without this a
    # place name in capitals ("CDMX") in a calm request read as anger.
    if not (complaint or (loud and not joyful and not frightened)):
        return
    # A word in capitals that is a deadline or a threat is that feeling said loudly, not anger
    # ("URGENTE", "JETZT", a regulator's name in a threat: "DECO", "PROFECO"). Capitals on a
    # complaint word ("AGAIN", "STILL") stay a raised voice: leads read those as anger.
    spans = [(e.start, e.end) for f in _NAMED_LOUDLY for _, e in found.get(f, [])]
    shouted = [m for m in shouted if not any(s <= m.start() and m.end() <= e for s, e in spans)]
    if shouted and not (len(shouted) >= 2 or loud):
        # One word in capitals inside a complaint ("logged me out AGAIN"): a raised voice, mildly.
        word = shouted[0]
        found.setdefault(Feeling.anger, []).append((1, Evidence(word.start(), word.end(), word.group())))
    if len(shouted) >= 2 or (shouted and loud) or (loud and len(found) >= 2 and not joyful):
        first = shouted[0] if shouted else loud
        assert first is not None
        found.setdefault(Feeling.anger, []).append((2, Evidence(first.start(), first.end(), first.group())))


def _joyful_voice(text: str, found: dict[Feeling, list[tuple[int, Evidence]]]) -> None:
    """Capitals, "!!!" or stretched letters in a message with no complaint and with happy news or
    a mark of delight are joy at full volume: excitement 3 ("ON A EU LA MAISON!!!! 🥳", "MY ORDER
    IS HERE AND IT'S PERFECT 😭💖"). LABELLING.md: capitals are how loud a feeling is; here the
    feeling is joy. Caps lock is no voice at all."""
    if any(f in found for f in NEGATIVE):
        return
    delight = _DELIGHT.search(text)
    if Feeling.excitement not in found and delight is None:
        return
    shouted = [] if caps_lock(text) else [m for m in _SHOUTED.finditer(text) if m.group() not in _ACRONYMS]
    loud = len(shouted) >= 2 or re.search(r"!{3,}", text) or _STRETCHED.search(text)
    if not loud:
        return
    mark = shouted[0] if shouted else delight
    evidence = [(3, Evidence(mark.start(), mark.end(), mark.group()))] if mark is not None else []
    found[Feeling.excitement] = evidence + found.get(Feeling.excitement, [])


_FEAR_REACH = 60  # characters after a fear word that still say what is feared


def _feared_not_blamed(folded: str, found: dict[Feeling, list[tuple[int, Evidence]]]) -> None:
    """A word of blame after a fear word in its sentence is what the customer fears, not what they
    accuse the company of: "me da miedo que sea una estafa", "j'ai peur que ce soit une arnaque"
    (a customer afraid of phishing is worried, not angry)."""
    anger, worry = found.get(Feeling.anger), found.get(Feeling.worry)
    if not anger or not worry:
        return
    fears = [e for level, e in worry if level >= 2]

    def feared(e: Evidence) -> bool:
        return any(
            0 <= e.start - f.end <= _FEAR_REACH and not _SENTENCE_BREAK.search(folded, f.end, e.start)
            for f in fears
        )

    kept = [(level, e) for level, e in anger if not feared(e)]
    if kept:
        found[Feeling.anger] = kept
    else:
        del found[Feeling.anger]


def _complains(found: dict[Feeling, list[tuple[int, Evidence]]]) -> bool:
    return any(
        f in found and (f is not Feeling.sarcasm or max(level for level, _ in found[f]) >= 2)
        for f in _COMPLAINT
    )


_WARM_AFTER = re.compile(r"\W{0,2}(?:!|[\U0001F300-\U0001FAFF\u2764\u263A])")


def _drop_polite_thanks(text: str, found: dict[Feeling, list[tuple[int, Evidence]]], fixed: bool) -> None:
    """A plain "thanks" is gratitude when it is warm ("Thank you!!", "Danke 🙏") or follows a fix
    ("ok that worked, thanks") in a message without complaint; otherwise it is politeness (a
    sign-off, the end of a complaint or of a question about good news)."""
    thanks = found.get(Feeling.gratitude)
    if not thanks or max(level for level, _ in thanks) >= 2:
        return
    # "MERCI", "DANKE" in capitals: thanks said loudly are warm, not a sign-off.
    # Under caps lock every word is in capitals: "THANK YOU" closes a request there.
    loud = not caps_lock(text) and any(e.text.isupper() and len(e.text) >= 4 for _, e in thanks)
    # Stretched thanks ("merciiii", "thank youuuu") are warm too.
    stretched = any(_STRETCHED.search(e.text) for _, e in thanks)
    warm = any(_WARM_AFTER.match(text, e.end) for _, e in thanks) or fixed or loud or stretched
    if not warm or any(f in found for f in NEGATIVE):
        del found[Feeling.gratitude]


def _drop_sarcastic_praise(found: dict[Feeling, list[tuple[int, Evidence]]]) -> None:
    """Praise that is sarcasm is not gratitude or excitement; sarcasm alone at level 1 is noise."""
    sarcasm = found.get(Feeling.sarcasm)
    if not sarcasm:
        return
    if max(level for level, _ in sarcasm) < 2:
        del found[Feeling.sarcasm]
        return
    # Thanks in a sarcastic message are part of the irony ("Huge thanks for cancelling my flight").
    found.pop(Feeling.gratitude, None)
    spans = [(e.start, e.end) for _, e in sarcasm]
    for feeling in (Feeling.excitement,):
        kept = [
            (level, e)
            for level, e in found.get(feeling, [])
            if all(e.end + 40 < s or e.start > t + 40 for s, t in spans)
        ]
        if kept:
            found[feeling] = kept
        else:
            found.pop(feeling, None)


def _marks() -> tuple[tuple[str, ...], tuple[str, ...]]:
    table = load_table("feelings", _FeelingsFile)
    return table.ironic_marks, table.applause_marks


def _public_irony(
    text: str,
    found: dict[Feeling, list[tuple[int, Evidence]]],
    sincere_fix: bool,
    to_handle: bool,
    praise: bool,
) -> None:
    """Thanks next to an ironic mark (an upside-down smile) are irony, and so are thanks that name
    no fix in a complaint posted at the company's handle with applause ("Obrigado @X por mais um
    atraso 👏"). A mark of irony inside a complaint is sarcasm even without a thanks word."""
    if Feeling.sarcasm in found:
        return
    ironic, applause = _marks()
    mark = next((m for m in re.finditer("|".join(map(re.escape, ironic + applause)), text)), None)
    is_ironic = mark is not None and mark.group() in ironic
    # Applause after a named fix is sincere; an upside-down smile is irony even then.
    if mark is None or (sincere_fix and not is_ironic):
        return
    complaint = any(f in found for f in NEGATIVE - {Feeling.threat})
    thanks = found.get(Feeling.gratitude)
    if thanks and (is_ironic or (to_handle and complaint)):
        found[Feeling.sarcasm] = [(2, e) for _, e in thanks]
        del found[Feeling.gratitude]
    elif is_ironic and complaint and praise:
        found[Feeling.sarcasm] = [(2, Evidence(mark.start(), mark.end(), mark.group()))]


def _drop_settled_time(found: dict[Feeling, list[tuple[int, Evidence]]]) -> None:
    """In a message that only thanks or praises, a time is how fast the help came ("fixed it in
    ten minutes", "resolvido em 10 minutos"), not how little time is left."""
    if Feeling.urgency not in found or Feeling.gratitude not in found:
        return
    if not any(f in found for f in NEGATIVE | {Feeling.excitement}):
        del found[Feeling.urgency]


# Feelings that explain why a relative, a baby, the rent or a flight is mentioned without fear for
# them: a bereavement, thanks, happy news, a let-down about the product, or irony about it
# ("thanks so much for cancelling my flight").
_STAKE_CONTEXTS = (
    Feeling.grief,
    Feeling.gratitude,
    Feeling.excitement,
    Feeling.disappointment,
    Feeling.sarcasm,
)


def _drop_calm_stakes(found: dict[Feeling, list[tuple[int, Evidence]]], stakes: set[tuple[int, int]]) -> None:
    """Worry shown only by a stake (no fear word) does not hold next to grief, thanks, joy or
    disappointment: there the stake is part of that story ("my late mother's account"). A word
    that is both a stake and happy news ("a baby") is the stake when the message shows trouble."""
    worry = found.get(Feeling.worry)
    if not worry:
        return

    def only_stakes(feeling: Feeling) -> bool:
        # A mild doubt ("una duda pequeñita") beside a stake is no more fear than the stake alone.
        return all(
            (e.start, e.end) in stakes or (feeling is Feeling.worry and level < 2)
            for level, e in found.get(feeling, [])
        )

    contexts = [f for f in _STAKE_CONTEXTS if f in found and not only_stakes(f)]
    if contexts and only_stakes(Feeling.worry):
        del found[Feeling.worry]
        return
    for feeling in _STAKE_CONTEXTS:
        if feeling in found and only_stakes(feeling):
            del found[feeling]


def _relieved_worry(found: dict[Feeling, list[tuple[int, Evidence]]]) -> None:
    """Warm thanks in a message with no complaint and no deadline are thanks for a worry taken
    away: "she was so stressed about it and you were incredibly patient", "das hat ihr viel
    Sorgen genommen". The fear is the story the thanks tell, not the customer's state now."""
    thanks = found.get(Feeling.gratitude)
    if not thanks or max(level for level, _ in thanks) < 2 or Feeling.worry not in found:
        return
    if Feeling.urgency in found or any(f in found for f in NEGATIVE - {Feeling.worry}):
        return
    del found[Feeling.worry]


def _jeopardy(
    found: dict[Feeling, list[tuple[int, Evidence]]], stakes: list[tuple[int, int]], text: str
) -> None:
    """A person, a home or a trip at stake against the clock is fear for them: "my son has one puff
    left and we leave at 7am tomorrow", "the eviction is set for the 30th if the transfer is not
    released". A stake alone is a topic and a deadline alone is pressure; together they are
    jeopardy (worry 2), as a lead reads them. Thanks or joy beside them still explain the stake
    (`_drop_calm_stakes` runs next)."""
    if not stakes or Feeling.worry in found:
        return
    if max((level for level, _ in found.get(Feeling.urgency, [])), default=0) < 2:
        return
    found[Feeling.worry] = [(2, Evidence(start, end, text[start:end])) for start, end in stakes[:3]]


def _drop_incidental_persistence(found: dict[Feeling, list[tuple[int, Evidence]]]) -> None:
    """One mild sign of persistence ("still", "immer noch", "ainda não") is the story, not
    frustration, when the message is a bereavement or someone afraid against the clock: a lead
    reads the grief or the fear there. Two signs, or a strong one, stay frustration."""
    shown = found.get(Feeling.frustration)
    if not shown or max(level for level, _ in shown) > 2:
        return
    # In a bereavement one span read by two shapes ("hace tres semanas" as elapsed time and as a
    # count) is one sign: the time since the death, not a wait.
    signs = len({(e.start, e.end) for _, e in shown}) if Feeling.grief in found else len(shown)
    if signs > 1:
        return
    if Feeling.grief in found or (Feeling.worry in found and Feeling.urgency in found):
        del found[Feeling.frustration]
    elif Feeling.excitement in found and Feeling.gratitude in found:
        # Good news with thanks: "she checked it twice for me!" is praise, not a repeated failure.
        del found[Feeling.frustration]


def _occasion_as_deadline(
    found: dict[Feeling, list[tuple[int, Evidence]]], occasions: set[tuple[int, int]], staked: bool
) -> None:
    """An occasion against the clock ("the birthday present for my son, Saturday the 12th: will it
    arrive in time?") is the deadline, not happy news: with a stake and clear urgency it is dropped,
    so the stake reads as jeopardy. "My birthday is on Friday and I ordered a cake!" stays news."""
    excitement = found.get(Feeling.excitement)
    if not staked or not excitement or not all((e.start, e.end) in occasions for _, e in excitement):
        return
    if max((level for level, _ in found.get(Feeling.urgency, [])), default=0) >= 2:
        del found[Feeling.excitement]


def _drop_troubled_occasions(
    found: dict[Feeling, list[tuple[int, Evidence]]], occasions: set[tuple[int, int]]
) -> None:
    """An occasion alone ("my wedding", "Weihnachten") is happy news only when the message shows
    no complaint, grief or thanks; there it is what is at stake, or what the thanks are about.
    Worry beside it stays compatible: a bride can be excited and anxious about the dress."""
    excitement = found.get(Feeling.excitement)
    if not excitement or not all((e.start, e.end) in occasions for _, e in excitement):
        return
    if Feeling.gratitude in found or any(f in found for f in NEGATIVE - {Feeling.worry}):
        del found[Feeling.excitement]
