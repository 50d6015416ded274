"""The opener fits the feeling, and the reading tells kinds of feeling apart (issue 13, decisions
126-127). New example text, written for these tests; none is copied from a development set."""

from __future__ import annotations

from typing import Any

import pytest

from service.drafting.acknowledge import acknowledgement_key
from service.drafting.composer import compose_offline
from service.language.analysis import analyse_thread
from service.language.feelings import Feeling
from tests.unit.drafting.conftest import MakeThread
from tests.unit.drafting.kinds import feelings_of


def _key(thread_text: str, make_thread: MakeThread, *more: str | dict[str, Any], **fields: object) -> str:
    thread = make_thread(*more, thread_text, **fields)
    return acknowledgement_key(analyse_thread(thread), waited=False, our_fault=False, thread=thread)


# --- reading -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The engineer fixed the boiler this morning, all warm now. Thank you again!", "en"),
        ("El técnico arregló la caldera esta mañana. ¡Gracias de nuevo!", "es"),
        ("Der Techniker hat die Heizung heute repariert. Danke nochmal!", "de"),
        ("Le technicien a réparé la chaudière ce matin. Merci encore !", "fr"),
        ("O técnico arranjou a caldeira hoje de manhã. Obrigada de novo!", "pt"),
    ],
)
def test_thanks_said_again_is_not_a_repeated_failure(text: str, language: str) -> None:
    assert Feeling.frustration not in feelings_of(text, language)


def test_a_place_name_in_capitals_in_a_calm_request_is_not_a_raised_voice() -> None:
    text = (
        "Buenas tardes:\n\nMe mudé a Zapopan, JAL, la semana pasada. Quisiera cambiar la dirección "
        "de facturación. ¿Qué necesitan?\n\nSaludos"
    )
    assert Feeling.anger not in feelings_of(text, "es")


def test_an_occasion_inside_a_quoted_title_is_not_happy_news() -> None:
    text = 'The folder "Birthday 2022" is gone from my drive since the update. Can you restore it?'
    assert Feeling.excitement not in feelings_of(text, "en")
    assert Feeling.excitement in feelings_of("It's my birthday on Friday and I ordered a cake!", "en")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The app crashes every day. If nothing changes this month, I'm out of here.", "en"),
        ("Die Sauna ist seit Wochen kalt. Wenn sich nichts tut, bin ich weg.", "de"),
        ("La piscine est fermée depuis un mois. Si rien ne bouge, je me casse.", "fr"),
        ("El gimnasio lleva un mes sin duchas. Si no lo arreglan, me largo.", "es"),
        ("A piscina está fechada há um mês. Se não resolverem, vou embora.", "pt"),
        ("Seit Wochen kaputt. Ich erzähle es allen im Verein.", "de"),
    ],
)
def test_leaving_and_word_of_mouth_idioms_are_threats(text: str, language: str) -> None:
    assert Feeling.threat in feelings_of(text, language)


def test_a_court_named_in_a_guardianship_is_not_a_threat() -> None:
    calm = "Mon père a un curateur nommé par la justice de paix. Voici la décision jointe."
    assert Feeling.threat not in feelings_of(calm, "fr")
    assert Feeling.threat in feelings_of("Sans réponse, j'irai en justice.", "fr")


def test_an_exam_is_not_a_loss() -> None:
    text = "Le site a planté pendant l'épreuve en ligne de mon fils ce matin."
    assert Feeling.grief not in feelings_of(text, "fr")


def test_thanks_in_capitals_are_warm() -> None:
    text = "Je ne sais pas qui a fait ça, mais MERCI. Mon compte est revenu."
    assert Feeling.gratitude in feelings_of(text, "fr")


def test_good_news_with_thanks_is_not_a_repeated_failure() -> None:
    text = (
        "¡Me han dado el préstamo para el piso! Vuestra asesora revisó mis papeles dos veces, "
        "de verdad, gracias. Qué alegría."
    )
    kinds = feelings_of(text, "es")
    assert Feeling.gratitude in kinds
    assert Feeling.frustration not in kinds


# --- the opener ----------------------------------------------------------------------------------


def test_condolence_needs_a_death_or_a_loss_stated(make_thread: MakeThread) -> None:
    moving = (
        "My father moves into a nursing home next month, so please close his landline account "
        "4471-22 at the end of the month. It is a very difficult time for our family."
    )
    assert _key(moving, make_thread, channel="email") == "hard_time"
    died = "My father passed away last month; please close his landline account 4471-22."
    assert _key(died, make_thread, channel="email") == "grief"


def test_fear_for_a_child_outweighs_persistence(make_thread: MakeThread) -> None:
    text = "Meu filho está com tosse desde ontem e estou preocupada. Tem consulta hoje à tarde?"
    assert _key(text, make_thread, channel="sms") == "worried"


def test_a_nudge_carries_the_feeling_of_the_turn_before(make_thread: MakeThread) -> None:
    earlier = {
        "role": "customer",
        "body": "This is the third time my order was cancelled without a word.",
    }
    assert _key("??", make_thread, earlier, channel="chat") == "frustrated"


def test_a_few_words_are_not_praised_as_clear_details(make_thread: MakeThread) -> None:
    thread = make_thread("see subject", subject="Invoice copy for March", channel="email")
    analysis = analyse_thread(thread)
    assert acknowledgement_key(analysis, waited=False, our_fault=False, thread=thread) == "calm_brief"
    assert "clear details" not in compose_offline(thread, analysis)


def test_a_neutral_request_gets_no_apology(make_thread: MakeThread) -> None:
    text = (
        "Good afternoon,\n\nI bought the flat at 12 Mill Lane, BRISTOL, last week and would like the "
        "electricity contract moved into my name. Which documents do you need?\n\nKind regards"
    )
    thread = make_thread(text, channel="email")
    analysis = analyse_thread(thread)
    assert acknowledgement_key(analysis, waited=False, our_fault=False, thread=thread) == "calm_question"
    assert "sorry" not in compose_offline(thread, analysis).lower()


def test_thanks_earlier_in_the_thread_set_the_tone_of_a_plain_question(make_thread: MakeThread) -> None:
    earlier = {"role": "customer", "body": "Thank you so much, your team saved our anniversary dinner!"}
    key = _key("One more question: can I book the same table for June?", make_thread, earlier, channel="chat")
    assert key == "thanks"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (
            "Mi hija ha aprobado el examen de piano, ¡qué alegría! Muchísimas gracias a la "
            "profesora. ¿Hay clases en julio?",
            "es",
        ),
        (
            "Ma fille a réussi son examen de piano, je suis aux anges ! Merci infiniment au "
            "professeur. Y a-t-il des cours en juillet ?",
            "fr",
        ),
        (
            "Meine Tochter hat die Klavierprüfung bestanden, ich bin überglücklich! Tausend Dank "
            "an die Lehrerin. Gibt es im Juli Kurse?",
            "de",
        ),
    ],
)
def test_joy_and_thanks_never_get_an_apology(make_thread: MakeThread, text: str, language: str) -> None:
    assert _key(text, make_thread, channel="email") in {"thanks", "joy"}


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("My daughter needs her medication by tomorrow morning and the parcel has not shipped.", "en"),
        ("El desahucio es el viernes si el banco no libera la transferencia. ¿Pueden hoy?", "es"),
        ("Meine Mutter braucht ihr Insulin bis heute Abend, sonst wird es gefährlich.", "de"),
        ("Mon fils a besoin de ses médicaments avant ce soir et le colis n'est pas arrivé.", "fr"),
        ("O leilão da minha casa é amanhã se o comprovante não chegar. Preciso hoje.", "pt"),
    ],
)
def test_a_person_or_a_home_at_stake_against_the_clock_is_worry(text: str, language: str) -> None:
    assert Feeling.worry in feelings_of(text, language)


def test_a_stake_without_trouble_or_a_deadline_is_a_topic() -> None:
    assert Feeling.worry not in feelings_of("Can I add my daughter to the family plan next month?", "en")


@pytest.mark.parametrize(
    ("text", "language", "pressed"),
    [
        ("Ya he reiniciado el router dos veces y sigue igual, necesito que funcione.", "es", False),
        ("Necesito el certificado ya.", "es", True),
        ("Já reiniciei o router e nada, preciso que funcione.", "pt", False),
        ("Preciso do certificado já!", "pt", True),
    ],
)
def test_already_is_not_now(text: str, language: str, pressed: bool) -> None:
    assert (Feeling.urgency in feelings_of(text, language)) is pressed


@pytest.mark.parametrize("language", ["en", "es", "de", "fr", "pt"])
def test_a_fearful_face_and_phishing_are_worry(language: str) -> None:
    assert Feeling.worry in feelings_of("SMS: 'account blocked, click here' 😨", language)
    assert Feeling.worry in feelings_of("Is this mail from you or phishing?", language)
