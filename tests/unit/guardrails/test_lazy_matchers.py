"""Start-up work (issue 11): phrase tries compiled on first use, phrases expanded once, and the
fast path of phrase folding giving exactly what normalise() gives."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.guardrails.document import scan_text
from service.guardrails.engine import Guardrails, _compiled
from service.guardrails.lexicon import read_lexicon_files
from service.guardrails.normalise import folded_words, normalise
from service.guardrails.phrases import LexiconError, PhraseMatcher, _expanded, _trie_regex, expand
from service.yaml_data import load_yaml


def test_a_matcher_compiles_its_trie_on_first_use_only() -> None:
    matcher = PhraseMatcher([("e", ["so sorry", "sie hätten ... lesen sollen"])])
    assert "regex" not in vars(matcher)
    assert "_gaps" not in vars(matcher)
    assert len(matcher) == 2  # counting needs no regex
    hits = list(matcher.finditer(scan_text("so sorry: sie hätten die anleitung lesen sollen")))
    assert [h.literal for h in hits] == ["so sorry", "sie hätten ... lesen sollen"]
    compiled = vars(matcher)["regex"]
    assert matcher.regex is compiled  # kept: built once per process


def test_a_malformed_phrase_still_fails_when_the_matcher_is_built() -> None:
    with pytest.raises(LexiconError):
        PhraseMatcher([("e", ["sorry,"])])


def test_expansion_is_kept_per_phrase_and_handed_out_as_a_copy() -> None:
    first = expand("i'm (so |really |)sorry")
    first.append("changed by a caller")
    assert expand("i'm (so |really |)sorry") == ["i'm so sorry", "i'm really sorry", "i'm sorry"]
    assert _expanded.cache_info().hits >= 1


def test_a_bad_phrase_raises_every_time() -> None:
    for _ in range(2):
        with pytest.raises(LexiconError):
            expand("a (b")


@pytest.mark.parametrize(
    "text",
    [
        "I'm  SO sorry",
        "I\u2019m sorry",  # a typographic quote: the slow path
        "Ich verstehe,\twie",
        "fa\u200bult",  # an invisible character: the slow path
        "Straße \ufb01le",  # not NFKC: the slow path
        "ÉCHEC  de la\nconnexion",
        "e\u0301te\u0301",  # combining accents: the slow path
    ],
)
def test_folded_words_is_normalise_then_single_spaces(text: str) -> None:
    assert folded_words(text) == " ".join(normalise(text)[1].text.split())


def _strings(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return []


def test_folded_words_agrees_with_normalise_on_every_lexicon_string() -> None:
    strings = {s for data in read_lexicon_files().values() for s in _strings(load_yaml(data))}
    assert len(strings) > 5_000
    for text in strings:
        assert folded_words(text) == " ".join(normalise(text)[1].text.split()), text


def _reference_trie_regex(literals: list[str], gap: str) -> str:
    """The trie regex as first written: one recursive call per character (the specification)."""
    trie: dict[str, Any] = {}
    for literal in literals:
        node = trie
        for char in literal:
            node = node.setdefault(char, {})
        node[""] = {}

    def piece(char: str) -> str:
        return r"\s" if char == " " else gap if char == "\x00" else re.escape(char)

    def build(node: dict[str, Any]) -> str:
        branches = [piece(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


@given(st.lists(st.text(alphabet="ab é.'\x00-", min_size=1, max_size=8), max_size=12))
def test_the_trie_regex_is_the_same_string_as_the_reference(literals: list[str]) -> None:
    gap = r"(?:\s\w+){1,4}?\s"
    assert _trie_regex(literals, gap) == _reference_trie_regex(literals, gap)


def test_warm_up_builds_the_tries_every_check_reads() -> None:
    rules, _ = _compiled.__wrapped__()  # a fresh ruleset: nothing compiled yet
    guardrails = Guardrails([(rule, rule.default_severity) for rule in rules], "test")
    flag_pass = guardrails._flag_pass
    assert flag_pass is not None
    assert "regex" not in vars(flag_pass)
    guardrails.warm_up()
    assert "regex" in vars(flag_pass)
