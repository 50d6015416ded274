"""Normalisation keeps a way back to original offsets, whatever it folds away."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.guardrails.document import MASK, Document, mask_quotes
from service.guardrails.normalise import View, normalise
from service.guardrails.offsets import IDENTITY, MapBuilder
from service.language.invisible import FORMAT_CHARS


def original_of(text: str, view: View, needle: str) -> str:
    """The original text behind the first occurrence of `needle` in the view."""
    at = view.text.index(needle)
    start, end = view.span(at, at + len(needle))
    return text[start:end]


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("It's fine", "it's fine"),
        ("It\u2019s \u201cfine\u201d", 'it\'s "fine"'),
        ("\u00abbonjour\u00bb", '"bonjour"'),
        ("a  b\t\tc", "a b c"),
        ("a\r\n\r\nb", "a\nb"),
        ("fa\u200bult", "fault"),
        ("soft\u00adhyphen", "softhyphen"),
        ("\ufeffHi", "hi"),
        ("Stra\u00dfe", "strasse"),
        ("\ufb01ne", "fine"),
        ("\uff28\uff49", "hi"),  # fullwidth
        ("caf\u0065\u0301", "caf\u00e9"),  # combining accent composed
        ("x\u00a0y", "x y"),  # NBSP
        ("a \u200b b", "a b"),
    ],
)
def test_folded_view(text: str, folded: str) -> None:
    assert normalise(text)[1].text == folded


def test_cased_view_keeps_case_but_folds_the_rest() -> None:
    cased, folded = normalise("Hi  ANA\u200b,\r\nIt\u2019s")
    assert cased.text == "Hi ANA,\nIt's"
    assert folded.text == "hi ana,\nit's"


@pytest.mark.parametrize(
    ("text", "needle", "evidence"),
    [
        ("Hello  there   friend", "there friend", "there   friend"),
        ("It\u2019s your fa\u200bult.", "your fault", "your fa\u200bult"),
        ("x\r\n\r\nyour fault", "your fault", "your fault"),
        ("Die Stra\u00dfe ist zu", "strasse", "Stra\u00dfe"),
        ("the \ufb01le", "file", "\ufb01le"),
        ("c\u0327a va", "\u00e7a", "c\u0327a"),
        ("\uff59\uff4f\uff55 ok", "you", "\uff59\uff4f\uff55"),
    ],
)
def test_spans_map_back_to_the_original(text: str, needle: str, evidence: str) -> None:
    assert original_of(text, normalise(text)[1], needle) == evidence


def test_every_character_maps_inside_the_original() -> None:
    text = "A\u00a0\u00a0b\u200b\u200bc\r\n\u00dfe\u0301\ufb01  \u201cq\u201d"
    for view in normalise(text):
        for i in range(len(view.text)):
            start, end = view.span(i, i + 1)
            assert 0 <= start < end <= len(text)


def test_plain_ascii_needs_no_map() -> None:
    cased, folded = normalise("Plain text, nothing to fold.")
    assert cased.map is IDENTITY
    assert folded.map is IDENTITY


def test_map_builder_without_changes_is_identity() -> None:
    built, mapping = MapBuilder("abc").build()
    assert built == "abc"
    assert mapping is IDENTITY


def test_quoted_lines_and_double_quotes_are_masked() -> None:
    text = 'ok "quoted words" ok\n> a quoted line\nours'
    masked = mask_quotes(text)
    assert len(masked) == len(text)
    assert masked[:3] == "ok "
    assert masked[3:17] == MASK * 14
    assert "a quoted line" not in masked
    assert masked.endswith("\nours")


def test_document_masks_curly_quotes_and_guillemets_too() -> None:
    doc = Document.of("He said \u201cyour fault\u201d and \u00abvotre faute\u00bb.")
    assert "your fault" not in doc.masked
    assert "votre faute" not in doc.masked
    assert "your fault" in doc.folded.text


def test_single_quotes_are_not_pairs() -> None:
    # Apostrophes cannot be told from single quotes: nothing is masked.
    assert mask_quotes("i can't and you won't") == "i can't and you won't"


# The run pattern as first written: three alternatives tried at every character. The faster form
# (one leading character class) must find exactly the same runs.
_PLAIN_RUN = rf"(?: [\s{FORMAT_CHARS}]|[^\S ]|[{FORMAT_CHARS}])[\s{FORMAT_CHARS}]*"


_RUN_ALPHABET = ["a", "b", " ", "\n", "\r", "\t", "\u200b", "\u00ad", "\u2028", "é"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(_RUN_ALPHABET)))
def test_the_run_pattern_finds_what_the_plain_definition_finds(text: str) -> None:
    import re

    from service.guardrails.normalise import _RUN

    assert [m.span() for m in _RUN.finditer(text)] == [m.span() for m in re.finditer(_PLAIN_RUN, text)]
