"""Feelings in casual and mixed styles (issue 13, decision 154): stretched letters, caps lock,
joyful capitals, a feared scam, irony needs praise, a stake beside irony, thanks for a worry taken
away, a trip at stake against the clock, a move or a family occasion as a deadline, vocabularies
of a kind for slang feelings. New example text, written for these tests; none is copied from a
development set."""

from __future__ import annotations

import pytest

from service.language.feelings import Feeling, caps_lock, read_feelings
from service.language.register import Register, read_register


def _kinds(text: str, language: str) -> set[Feeling]:
    return {reading.feeling for reading in read_feelings(text, language)}


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("graciaaas, ya me llegó el reembolso", "es"),
        ("dankeeee, das ging echt fix", "de"),
        ("obrigadaaaa, resolveu!", "pt"),
    ],
)
def test_stretched_thanks_are_read_and_warm(text: str, language: str) -> None:
    assert Feeling.gratitude in _kinds(text, language)


def test_caps_lock_is_no_voice() -> None:
    text = "PLEASE CONFIRM THE DELIVERY ADDRESS FOR ORDER 4471. THANK YOU"
    assert caps_lock(text)
    assert _kinds(text, "en") == set()
    assert _kinds("BITTE RECHNUNG 2231 NOCHMAL SENDEN. DANKE", "de") == set()
    assert not caps_lock("WHY is my parcel STILL not here")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("THE NECKLACE CAME AND IT LOOKS SO GOOD 😍 thanks!!", "en"),
        ("ME LLEGARON LAS ZAPATILLAS Y SON PRECIOSAS 💕 graciaaas", "es"),
        ("ENFIN LES CLÉS DE NOTRE APPART!!! 🥳 comment transférer ma box ?", "fr"),
    ],
)
def test_capitals_on_joy_are_excitement_not_anger(text: str, language: str) -> None:
    kinds = _kinds(text, language)
    assert Feeling.excitement in kinds
    assert Feeling.anger not in kinds


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("I got a text asking for my PIN and I'm scared it's a scam, is it from you?", "en"),
        ("recibí un correo raro y tengo miedo de que sea una estafa, ¿es de ustedes?", "es"),
        ("j'ai reçu un SMS bizarre et j'ai peur que ce soit une arnaque", "fr"),
    ],
)
def test_a_feared_scam_is_worry_not_anger(text: str, language: str) -> None:
    kinds = _kinds(text, language)
    assert Feeling.worry in kinds
    assert Feeling.anger not in kinds


def test_a_scam_named_as_blame_stays_anger() -> None:
    assert Feeling.anger in _kinds("This charge is a scam and you know it.", "en")


def test_an_ironic_face_without_praise_is_not_sarcasm() -> None:
    kinds = _kinds("4th time the checkout crashed 🙃 fix it", "en")
    assert Feeling.frustration in kinds
    assert Feeling.sarcasm not in kinds


def test_an_ironic_face_beside_praise_stays_sarcasm() -> None:
    assert Feeling.sarcasm in _kinds("Great job, the checkout crashed for the 4th time 🙃", "en")


def test_a_stake_beside_irony_is_no_fear() -> None:
    kinds = _kinds("Thanks so much for cancelling my flight twice, truly amazing service.", "en")
    assert Feeling.sarcasm in kinds
    assert Feeling.worry not in kinds


def test_thanks_for_a_worry_taken_away_are_not_worry() -> None:
    text = "I wanted to thank you so much: my dad was really anxious about the transfer and you calmed him."
    kinds = _kinds(text, "en")
    assert Feeling.gratitude in kinds
    assert Feeling.worry not in kinds


def test_a_thanks_message_with_a_deadline_keeps_its_worry() -> None:
    text = "Thank you so much for the quick answer! I'm worried the card won't come before Friday."
    assert Feeling.worry in _kinds(text, "en")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("my flight leaves in 2 hours and the boarding pass won't load", "en"),
        ("mi vuelo sale en 2 horas y no carga la tarjeta de embarque", "es"),
    ],
)
def test_a_trip_at_stake_against_the_clock_is_worry(text: str, language: str) -> None:
    kinds = _kinds(text, language)
    assert {Feeling.worry, Feeling.urgency} <= kinds


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("we move into the new flat in 12 days, can the router come with us?", "en"),
        ("wir ziehen am 3. märz um, kann der anschluss mit?", "de"),
        ("on déménage le 2 mars, je peux transférer ma ligne ?", "fr"),
    ],
)
def test_a_move_makes_its_date_a_deadline(text: str, language: str) -> None:
    assert Feeling.urgency in _kinds(text, language)


def test_a_face_is_not_negated() -> None:
    # "nicht" belongs to the fit, not to the grimace after it.
    assert Feeling.worry in _kinds("das kleid passt nicht 😬 kann ich es noch tauschen?", "de")


@pytest.mark.parametrize(
    ("text", "language", "feeling"),
    [
        ("tô surtando, sumiu dinheiro da minha conta", "pt", Feeling.worry),
        ("je flippe un peu, ma carte a été débitée deux fois", "fr", Feeling.worry),
        ("qué carajo es este cobro extra", "es", Feeling.anger),
        ("ihr abzocker, schon wieder falsch berechnet", "de", Feeling.anger),
        ("vaya chasco, la lámpara vino rajada", "es", Feeling.disappointment),
        ("ou devolvem o dinheiro ou contesto no cartão", "pt", Feeling.threat),
        ("quand mon forfait se termine je change de fournisseur", "fr", Feeling.threat),
        ("nothing but dropouts since christmas", "en", Feeling.frustration),
    ],
)
def test_slang_feelings_by_kind(text: str, language: str, feeling: Feeling) -> None:
    assert feeling in _kinds(text, language)


def test_the_company_cancelling_is_no_threat() -> None:
    assert Feeling.threat not in _kinds("you keep cancelling my bookings without a word", "en")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("servus, mein paket ist noch nicht da", "de"),
        ("macho, la app se cuelga cada dos por tres", "es"),
    ],
)
def test_casual_greetings_and_vocatives_are_informal(text: str, language: str) -> None:
    assert read_register(text, language).register is Register.informal
