"""The sign-off's one-word name line (service/guardrails/signoff.py)."""

from __future__ import annotations

from service.guardrails.signoff import signoff_names


def test_a_name_line_before_the_company_line_is_found() -> None:
    text = "Hola:\n\nListo mañana.\n\nMemo\nFoto Estudio Luz"
    assert [text[a:b] for a, b in signoff_names(text)] == ["Memo"]


def test_a_name_after_a_closing_with_a_comma_is_found() -> None:
    text = "Hi,\n\nDone.\n\nBest,\nSam"
    assert [text[a:b] for a, b in signoff_names(text)] == ["Sam"]


def test_a_last_word_alone_or_a_long_paragraph_is_no_sign_off() -> None:
    assert signoff_names("Hi.\n\nIdiot") == []
    assert signoff_names("Hi.\n\nIdiot.\nMore text") == []
    assert signoff_names("One paragraph only\nMemo\nShop") == []
    assert signoff_names("Hi.\n\na\nb\nc\nd\ne") == []
