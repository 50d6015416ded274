"""`placeholder` (block): unfilled template placeholders ([Name], {{first_name}}, <NAME>, %NAME%,
$FIRST_NAME, XXX, TODO, ___ ...).

Bracketed text is only a placeholder when it reads like one: a placeholder keyword inside ("name",
"customer", "fecha"...), an identifier (`first_name`) or an ellipsis. So footnotes "[1]", checkboxes
"[x]", markdown links "[docs](https://...)" and reference links "[docs][1]" pass. `<B>`, `<br>` and
key names like `<ENTER>` are markup, not placeholders. A UI label the customer presses ("click
[Place order]", "Konto > [Sicherheit]") is not a slot, nor is anything inside a code sample
(`YOUR_API_KEY`, `${TOKEN}`, `<ACCESS_KEY_ID>` in an indented or fenced block): the customer is
told to fill those in.
"""

from __future__ import annotations

import re
from typing import ClassVar

from service.guardrails.code_spans import CodeSpans
from service.guardrails.document import Document
from service.guardrails.lexicon import PatternEntry, PatternLexicon
from service.guardrails.rules.base import at
from service.guardrails.rules.pattern_rule import PatternHit, PatternRule
from service.models import Finding, Severity

_WORDS = re.compile(r"[^\W\d_]+")
_LONG_NUMBER = re.compile(r"\d{3,}")  # "[Order #12345]" is filled in
_FILLER = re.compile(r"x{2,}")  # "[XXX]"
_LABEL_CONTEXT = 40  # characters read on each side of a bracket for a UI verb or a menu mark
_WORDS_BEFORE = 3
_CAPS_SLOT_LETTERS = 4  # "[ID]", "[OK]", "[EU]" are too short to be told from an acronym
_CAPS_SLOT_WORDS = 3
# Where "todo" is an everyday word ("all"): a shouted TODO there may be shouting, not a marker.
_TODO_IS_A_WORD = frozenset(["es", "pt"])
# "[My Name]" under a signature is a slot whatever the possessive says.
# German writes a slot as one compound ("Vorgangsnummer", "Lieferdatum"): its last part names it.
_COMPOUND_TAILS = ("nummer", "datum", "name", "adresse")
_NAME_WORDS = frozenset(["name", "firstname", "fullname", "nombre", "nom", "prénom", "nome", "vorname"])


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w.casefold()) for w in sorted(words, key=len, reverse=True))


def _line_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The bounds of the line holding text[start:end] (newlines excluded)."""
    line_end = text.find("\n", end)
    return text.rfind("\n", 0, start) + 1, line_end if line_end >= 0 else len(text)


class PlaceholderLexicon(PatternLexicon):
    keywords: list[str]  # words that make bracketed text a placeholder
    markup_words: list[str]  # <WORD> that is markup or a key name, not a placeholder
    ui_verbs: list[str]  # "click", "tippen": a bracket they point at is a UI label
    menu_marks: list[str]  # "Konto > [Sicherheit]": a menu path
    own_possessives: list[str]  # "[My account]": the customer's own page, a label
    # Greetings (and titles after them) a name should follow: "Dear ," is a merge field left empty.
    greetings: list[str]
    titles: list[str]
    # Bracketed words in capitals that are tags, not slots ("[UPDATE]", "[RESOLVED]", "[PDF]").
    caps_tags: list[str]


class Placeholder(PatternRule):
    id: ClassVar[str] = "placeholder"
    default_severity: ClassVar[Severity] = Severity.block
    lexicon_file: ClassVar[str | None] = "placeholder.yaml"
    lexicon_model: ClassVar[type[PatternLexicon]] = PlaceholderLexicon

    def __init__(self, lexicon: PatternLexicon) -> None:
        super().__init__(lexicon)
        if not isinstance(lexicon, PlaceholderLexicon):
            raise TypeError("placeholder needs a PlaceholderLexicon")
        self._keywords = frozenset(k.casefold() for k in lexicon.keywords)
        self._markup = frozenset(w.casefold() for w in lexicon.markup_words)
        self._ui_verbs = frozenset(w.casefold() for w in lexicon.ui_verbs)
        self._menu_marks = tuple(lexicon.menu_marks)
        self._own = frozenset(w.casefold() for w in lexicon.own_possessives)
        self._caps_tags = frozenset(w.casefold() for w in lexicon.caps_tags)
        greetings = _alternation(lexicon.greetings)
        titles = _alternation(lexicon.titles)
        # "dear", "estimado/a", "sehr geehrte/r frau", "caro(a)": the greeting, a gender ending
        # written both ways, an optional title, and nothing else before the comma.
        gender = r"(?:/\w{1,2}|\(\w{1,2}\))?"
        self._salutation = re.compile(rf"(?:{greetings}){gender}(?:[ \t]+(?:{titles})\.?)?")

    def matches(self, doc: Document) -> list[PatternHit]:
        found = super().matches(doc)
        if found:
            code = CodeSpans(doc.original)
            if code:
                found = [h for h in found if not code.covers(h.start, h.end)]
        return found

    def accept(self, entry: PatternEntry, match: re.Match[str], doc: Document) -> tuple[int, int] | None:
        if entry.check == "none":
            return match.span()
        if entry.check == "salutation":
            # " ," after a greeting that opens its line: the name that should stand there is missing.
            text = match.string
            line_start = text.rfind("\n", 0, match.start()) + 1
            before = text[line_start : match.start()].strip().casefold()
            return match.span() if self._salutation.fullmatch(before) else None
        if entry.check == "inline":
            text = match.string
            line_start, line_end = _line_around(text, match.start(), match.end())
            line = text[line_start:line_end]
            return match.span() if line.strip(" \t_") else None
        if entry.check == "not_shouted":
            return None if self._shouted_word(match, doc) else match.span()
        body = match.group(f"{entry.id}__body") or ""
        if entry.check == "not_html":
            first = body.split()[0].casefold() if body.split() else ""
            return None if first in self._markup else match.span()
        # "keyword": reads like a template slot
        folded = body.casefold()
        if _LONG_NUMBER.search(body) or folded in self._markup:
            return None  # "[Order #12345]" is filled in; "<code>" is a tag
        words = _WORDS.findall(folded)
        if entry.id == "square_slot" and self._ui_label(match, body, words):
            return None
        if "_" in body or "..." in body or any(self._slot_word(w) or _FILLER.fullmatch(w) for w in words):
            return match.span()
        if entry.id == "square_slot" and self._caps_slot(body, words):
            return match.span()
        return None

    @staticmethod
    def _shouted_word(match: re.Match[str], doc: Document) -> bool:
        """Is this capitalised word ("TODO") an everyday word shouted beside others in capitals, in
        a reply that may be in a language where it is one ("ESTAMOS COMPLETOS TODO AGOSTO")?"""
        language, clear = doc.language
        if clear and language not in _TODO_IS_A_WORD:
            return False
        text = match.string
        line_start, line_end = _line_around(text, match.start(), match.end())
        before = _WORDS.findall(text[line_start : match.start()])[-1:]
        after = _WORDS.findall(text[match.end() : line_end])[:1]
        return any(len(w) > 1 and w.isupper() for w in before + after)

    def _caps_slot(self, body: str, words: list[str]) -> bool:
        """Is "[body]" a slot written in capitals ("[HORÁRIO]", "[NOM CLIENT]"), not a tag?"""
        letters = "".join(words)
        return (
            body.isupper()
            and len(letters) >= _CAPS_SLOT_LETTERS
            and len(words) <= _CAPS_SLOT_WORDS
            and self._caps_tags.isdisjoint(words)
        )

    def _slot_word(self, word: str) -> bool:
        """A keyword, or a compound ending in one ("vorgangsnummer", "lieferdatum", "kundenname")."""
        return word in self._keywords or any(
            word.endswith(tail) for tail in _COMPOUND_TAILS if len(word) > len(tail)
        )

    def _ui_label(self, match: re.Match[str], body: str, words: list[str]) -> bool:
        """Is "[body]" a label on the screen ("click [Place order]", "Konto > [Sicherheit]",
        "[Mon compte]")? Written like a label: it starts with a capital (or a digit) and is not all
        capitals or an identifier ("[TICKETNUMMER]", "[order_id]" stay slots)."""
        first = body.lstrip()[:1]
        if (
            not words
            or "_" in body
            or "..." in body
            or body.isupper()
            or not (first.isupper() or first.isdigit())
        ):
            return False
        text = match.string
        before = text[max(0, match.start() - _LABEL_CONTEXT) : match.start()]
        after = text[match.end() : match.end() + _LABEL_CONTEXT]
        if before.rstrip().endswith(self._menu_marks) or after.lstrip().startswith(self._menu_marks):
            return True  # a step of a menu path
        if words[0] in self._own and not _NAME_WORDS.intersection(words):
            return True  # "[My account]", not "[My Name]"
        if len(words) == 1 and words[0] in self._keywords:
            return False  # "click [Link]": one slot word, even after a verb
        near = _WORDS.findall(before.casefold())[-_WORDS_BEFORE:] + _WORDS.findall(after.casefold())[:1]
        return any(w in self._ui_verbs for w in near)

    def message(self, entry: PatternEntry, start: int, end: int) -> str:
        return f"Unfilled template placeholder ({entry.label}) {at(start, end)}."

    def instruction(self, finding: Finding) -> str:
        return (
            f"Replace the unfilled template placeholder {at(finding.start, finding.end)} with the real "
            "value from the conversation, or rewrite the sentence without it; never leave template "
            "markers in a reply."
        )
