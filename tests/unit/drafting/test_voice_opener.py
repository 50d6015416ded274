"""The opener fits the feeling and the situation, and the issue is named in our words (issue 13,
decision 156). New example text, written for these tests; none is copied from a development set."""

from __future__ import annotations

from typing import Any

import pytest

from service.drafting.acknowledge import acknowledgement_key
from service.drafting.composer import compose_offline
from service.drafting.person_shift import person_for
from service.drafting.restate import restatement
from service.drafting.topic import topic
from service.drafting.voice import voice_for
from service.language.analysis import analyse_thread
from tests.unit.drafting.conftest import MakeThread


def _key(text: str, make_thread: MakeThread, **fields: Any) -> str:
    thread = make_thread(text, **fields)
    return acknowledgement_key(analyse_thread(thread), waited=False, our_fault=False, thread=thread)


def _restated(text: str, make_thread: MakeThread, locale: str, **fields: Any) -> str:
    thread = make_thread(text, customer={"name": "Dana Reyes", "locale": locale}, **fields)
    analysis = analyse_thread(thread)
    return restatement(thread, analysis, voice_for(thread, analysis))


# --- the acknowledgement: feeling and situation ----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Hola, el paquete con el regalo de cumpleaños para mi sobrino sigue sin aparecer "
        "y la fiesta es el sábado.",
        "Bonjour, pouvez-vous me dire si les cartons pour mon déménagement seront livrés "
        "avant le 14 décembre ?",
    ],
)
def test_an_occasion_beside_a_deadline_is_not_good_news(text: str, make_thread: MakeThread) -> None:
    assert _key(text, make_thread) not in ("joy", "thanks")


def test_good_news_said_as_such_stays_joy_beside_a_date(make_thread: MakeThread) -> None:
    text = "We're thrilled, our twins were born on Monday! Could we pause the plan until the end of March?"
    assert _key(text, make_thread) in ("joy", "thanks")


def test_capitals_beside_clear_thanks_and_stronger_joy_are_not_anger(make_thread: MakeThread) -> None:
    text = (
        "ES LÄUFT WIEDER!!!! ENDLICH 🎉🎉 danke danke danke, du hast meinen Tag gerettet. "
        "Muss ich das Kabel behalten?"
    )
    assert _key(text, make_thread) == "thanks"


def test_thanks_before_the_question_are_thanks_not_pressure(make_thread: MakeThread) -> None:
    text = (
        "Oi! Deu tudo certo com a mudança, obrigada pela ajuda com a entrega urgente de ontem. "
        "Dá pra mandar a próxima caixa para o endereço novo?"
    )
    assert _key(text, make_thread) == "thanks"


def test_a_calm_request_with_a_deadline_is_not_called_upset(make_thread: MakeThread) -> None:
    text = (
        "Good afternoon, please send the signed contract for order 55120. Our auditors close the file "
        "on Thursday 10 December and need it before then."
    )
    key = _key(text, make_thread)
    assert key not in ("angry", "frustrated", "disappointed")


# --- the restatement: the thing it is about, in our words ------------------------------------------


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("Quick one - could the parcel go to my office address instead?", "en-GB", "your office address"),
        ("Bonjour, commande 77120, la tarte pour dimanche midi.", "fr-FR", "votre commande 77120"),
        ("Bom dia. Cancelaram a minha reserva de 3 a 6 de janeiro e ainda nada.", "pt-PT", "da sua reserva"),
    ],
)
def test_the_issue_is_named_by_its_thing(
    text: str, locale: str, expected: str, make_thread: MakeThread
) -> None:
    said = _restated(text, make_thread, locale)
    assert expected in said
    assert text[:30] not in said


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("My brother Tom is in hospital since Friday and can't log in to pay his bills.", "en-GB"),
        ("Hallo, mein Router blinkt seit gestern rot und nichts geht.", "de-DE"),
    ],
)
def test_nothing_is_named_when_unsure(text: str, locale: str, make_thread: MakeThread) -> None:
    # A person is not what the request is about; a German "mein" may be a masculine nominative
    # that the accusative frame would get wrong ("um Ihr Router").
    thread = make_thread(text, customer={"name": "Dana Reyes", "locale": locale})
    analysis = analyse_thread(thread)
    voice = voice_for(thread, analysis)
    person = person_for(voice.language, voice.keys)
    assert person is not None
    assert topic(thread, analysis, person) == ""


def test_thanks_with_a_question_say_the_issue_once(make_thread: MakeThread) -> None:
    thread = make_thread(
        "Thank you so much, that was brilliant help! "
        "Just one thing: could it go to my office address instead?",
        customer={"name": "Dana Reyes", "locale": "en-GB"},
        channel="chat",
    )
    text = compose_offline(thread, analyse_thread(thread))
    assert "your office address" in text
    assert "I understand what you'd like to know" not in text
