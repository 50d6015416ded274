"""Lexicon files: the versioned YAML data behind the rules, read once at start-up.

Every entry names the seed article (by title) and the guideline in it that it traces to; titles and
guideline keys are declared in `lexicons/sources.yaml` and checked here, so a typo fails at load
time instead of silently weakening a rule. Schemas forbid unknown keys for the same reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from service.guardrails.phrases import GAP_WORDS, LexiconError, PhraseMatcher
from service.yaml_data import load_yaml

PACKAGE = "service.guardrails"
LEXICON_DIR = "lexicons"

Language = Literal["en", "es", "de", "fr", "pt", "it", "nl", "any"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceRef(_Strict):
    article: str  # title, as in sources.yaml
    guideline: str  # guideline key inside that article


class Article(_Strict):
    title: str
    file: str
    note: str | None = None
    guidelines: dict[str, str]  # key -> the guideline in our own words


class Sources(_Strict):
    version: int
    articles: list[Article]

    def validate_ref(self, ref: SourceRef, where: str) -> None:
        for article in self.articles:
            if article.title == ref.article:
                if ref.guideline not in article.guidelines:
                    raise LexiconError(f"{where}: unknown guideline {ref.guideline!r} in {ref.article!r}")
                return
        raise LexiconError(f"{where}: unknown source article {ref.article!r}")


class PhraseEntry(_Strict):
    id: str
    kind: str
    lang: Language
    phrases: list[str] = Field(min_length=1)
    source: SourceRef
    suggestion: str | None = None
    negatable: bool = False  # a negation just before it ("not your fault") cancels it
    # The most a hit of this entry weighs: an ambiguous word ("thank god") only warns.
    cap: Literal["warn", "info"] | None = None


class PhraseLexicon(_Strict):
    version: int
    rule: str
    entries: list[PhraseEntry]
    # For `negatable` entries: words that negate what follows, per language, and negating endings.
    negation_cues: dict[str, list[str]] = Field(default_factory=dict)
    negation_suffixes: list[str] = Field(default_factory=list)


class PatternEntry(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")  # also names the pattern's inner groups
    label: str  # what the finding calls it: "GitHub token" (never the value)
    pattern: str
    # "cased": the normalised text with its case; "folded": casefolded too (write the pattern in
    # lower case). Prefer "folded" to case-insensitive flags: it keeps the literal-prefix scan fast.
    view: Literal["cased", "folded"] = "cased"
    check: Literal[
        "none",
        "keyword",
        "not_html",
        "credential",
        "strong_credential",
        "random",
        "inline",
        "not_shouted",
        "salutation",
        "luhn",
        "iban",
        "email",
        "phone",
    ] = "none"
    source: SourceRef
    suggestion: str | None = None
    # A literal every match contains ("@"), or literals of which every match contains one (the
    # keywords of an alternation): when the text has none of them, the scan is skipped.
    needs: str | list[str] | None = None
    # Every match is at least this many characters with no white space in them (a token): a text
    # whose longest such run is shorter skips the scan (one split() instead of a regex pass).
    min_run: int = 0

    @cached_property  # read on every check of every pattern: built once per entry
    def needed(self) -> tuple[str, ...]:
        """``needs`` as a tuple (empty: no precondition)."""
        if self.needs is None:
            return ()
        return (self.needs,) if isinstance(self.needs, str) else tuple(self.needs)


class PatternLexicon(_Strict):
    version: int
    rule: str
    entries: list[PatternEntry]


class RuleData(_Strict):
    """A rule's data that is not a list of phrases or patterns (limits, word lists...)."""

    version: int
    rule: str
    source: SourceRef


M = TypeVar("M", bound=BaseModel)
D = TypeVar("D", bound=RuleData)


def load_rule_data(model: type[D], name: str, data: bytes | None, sources: Sources, rule_id: str) -> D:
    """Parse a rule's data file and check that it belongs to the rule and cites a known source."""
    if data is None:
        raise LexiconError(f"{name} is missing")
    parsed = parse(model, name, data)
    if parsed.rule != rule_id:
        raise LexiconError(f"{name}: declares rule {parsed.rule!r}, expected {rule_id!r}")
    sources.validate_ref(parsed.source, name)
    return parsed


def read_lexicon_files() -> dict[str, bytes]:
    """Every YAML file of the lexicon directory, by file name (the only I/O of the engine)."""
    root = resources.files(PACKAGE).joinpath(LEXICON_DIR)
    return {
        item.name: item.read_bytes()
        for item in root.iterdir()
        if item.is_file() and item.name.endswith(".yaml")
    }


def parse(model: type[M], name: str, data: bytes) -> M:
    try:
        raw: Any = load_yaml(data)
        return model.model_validate(raw)
    except (yaml.YAMLError, ValidationError) as exc:
        raise LexiconError(f"{name}: {exc}") from exc


def validate_sources(
    lexicon: PhraseLexicon | PatternLexicon, sources: Sources, name: str, rule_id: str
) -> None:
    if lexicon.rule != rule_id:
        raise LexiconError(f"{name}: declares rule {lexicon.rule!r}, expected {rule_id!r}")
    seen: set[str] = set()
    for entry in lexicon.entries:
        if entry.id in seen:
            raise LexiconError(f"{name}: duplicate entry id {entry.id!r}")
        seen.add(entry.id)
        sources.validate_ref(entry.source, f"{name}#{entry.id}")


# Written `\p{Nd}` in a lexicon pattern: the decimal digits of the Basic Multilingual Plane (\d
# also matches those of historic scripts beyond it; NFKC has already made mathematical digits
# ASCII), spelled out as code point ranges. As a pattern's first character class this lets the
# regex engine skip ahead with a table test instead of a Unicode category lookup per character:
# twice as fast on a 2 KB reply. (Ranges beyond U+FFFF would be tested one by one: slower.)
DIGIT_MACRO = r"\p{Nd}"


@lru_cache(maxsize=1)
def _decimal_digits() -> str:
    ranges: list[list[int]] = []
    for code in range(0x10000):  # ~10 ms, once, for the lexicons that use it
        if not chr(code).isdecimal():
            continue
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "".join(chr(a) + (f"-{chr(b)}" if b > a else "") for a, b in ranges)


def compile_pattern(entry: PatternEntry, name: str) -> str:
    """The entry's pattern with its inner `(?P<value>...)` / `(?P<body>...)` named `<id>__value`...

    (Unique names keep the door open to joining patterns into one alternation.) `\\p{Nd}` inside a
    character class is expanded to the decimal digits (see DIGIT_MACRO)."""
    body = entry.pattern.replace("(?P<value>", f"(?P<{entry.id}__value>").replace(
        "(?P<body>", f"(?P<{entry.id}__body>"
    )
    if DIGIT_MACRO in body:
        body = body.replace(DIGIT_MACRO, _decimal_digits())
    try:
        re.compile(body)
    except re.error as exc:
        raise LexiconError(f"{name}#{entry.id}: bad pattern: {exc}") from exc
    return body


def phrase_matchers(
    lexicon: PhraseLexicon, kinds: frozenset[str], name: str, gap_words: Mapping[str, int] | None = None
) -> dict[str, PhraseMatcher[PhraseEntry]]:
    """One compiled matcher per kind (e.g. strong / weak / pseudo) of a phrase lexicon; `gap_words`
    lets a kind's ` ... ` gaps stand for more (or fewer) words than the default."""
    for entry in lexicon.entries:
        if entry.kind not in kinds:
            raise LexiconError(f"{name}#{entry.id}: kind {entry.kind!r} not one of {sorted(kinds)}")
    gaps = gap_words or {}
    return {
        kind: PhraseMatcher(
            ((e, e.phrases) for e in lexicon.entries if e.kind == kind), gaps.get(kind, GAP_WORDS)
        )
        for kind in kinds
    }


RuleLexicon = TypeVar("RuleLexicon", PhraseLexicon, PatternLexicon)


def load_rule_lexicon(
    model: type[RuleLexicon], name: str, data: bytes | None, sources: Sources, rule_id: str
) -> RuleLexicon:
    """Parse a rule's lexicon file and check that it belongs to the rule and cites known sources."""
    if data is None:
        raise LexiconError(f"{name} is missing")
    lexicon = parse(model, name, data)
    validate_sources(lexicon, sources, name, rule_id)
    return lexicon
