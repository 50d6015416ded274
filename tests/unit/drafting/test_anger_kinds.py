"""Anger by kind (issue 13, decision 134): capitals and "!!!" are intensity, not the feeling
itself; anger idioms of the five languages. New example text, written for these tests; none is
copied from a development set."""

from __future__ import annotations

import pytest

from service.language.feelings import Feeling
from tests.unit.drafting.kinds import feelings_of


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("My card was used in another country and I am scared!!! Please block it today", "en"),
        ("Tengo miedo, alguien entró en mi cuenta!!! Bloquéenla hoy por favor", "es"),
        ("Ich habe Angst, jemand war in meinem Konto!!! Bitte heute sperren", "de"),
        ("J'ai peur, quelqu'un est entré dans mon compte !!! Bloquez-le aujourd'hui", "fr"),
        ("Estou com medo, alguém entrou na minha conta!!! Bloqueiem hoje por favor", "pt"),
    ],
)
def test_exclamations_in_a_frightened_message_are_not_anger(text: str, language: str) -> None:
    kinds = feelings_of(text, language)
    assert Feeling.worry in kinds
    assert Feeling.anger not in kinds


def test_exclamations_in_a_complaint_are_still_anger() -> None:
    text = "The invoice is wrong AGAIN and NOBODY answers!!! Fix it."
    assert Feeling.anger in feelings_of(text, "en")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Still no refund after two weeks. URGENT: I need it back before Friday.", "en"),
        ("Sigo sin reembolso desde hace dos semanas. Lo necesito antes del viernes, URGENTE.", "es"),
        ("Seit zwei Wochen keine Erstattung. Ich brauche das Geld DRINGEND bis Freitag.", "de"),
    ],
)
def test_a_deadline_in_capitals_is_urgency_not_anger(text: str, language: str) -> None:
    kinds = feelings_of(text, language)
    assert Feeling.urgency in kinds
    assert Feeling.anger not in kinds


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Enough is enough: three missed visits and no engineer.", "en"),
        ("Ya está bien, me toman el pelo con cada factura.", "es"),
        ("Ich habe die Nase voll, ihr wollt mich wohl verarschen.", "de"),
        ("La coupe est pleine, vous vous fichez de vos clients.", "fr"),
        ("Já chega, estão a gozar com os clientes.", "pt"),
    ],
)
def test_anger_idioms_are_anger(text: str, language: str) -> None:
    assert Feeling.anger in feelings_of(text, language)


def test_a_regulator_named_in_capitals_is_the_threat_not_anger() -> None:
    text = "If the deposit is not back by Friday I will complain to the OFCOM ombudsman."
    kinds = feelings_of(text, "en")
    assert Feeling.threat in kinds
    assert Feeling.anger not in kinds


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("My boss wrote to me: 'these people are useless, I want a refund'. I just need the invoice.", "en"),
        ("A minha mãe disse 'isto é uma vergonha, são uns incompetentes', mas eu só quero a fatura.", "pt"),
    ],
)
def test_words_quoted_in_single_marks_are_someone_elses(text: str, language: str) -> None:
    assert Feeling.anger not in feelings_of(text, language)


def test_an_apostrophe_inside_words_quotes_nothing() -> None:
    text = "I'm furious, you've lost my parcel and it's the third time I've written."
    assert Feeling.anger in feelings_of(text, "en")
