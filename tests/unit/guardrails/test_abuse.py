"""`abuse`: insults, profanity and contempt aimed at the customer; never quotes, things, place
names or the team's own admissions."""

from __future__ import annotations

import pytest

from service.guardrails import CheckContext, Guardrails
from tests.unit.guardrails.support import thread

CONTEXT = CheckContext(thread=thread("My order is late again and this stupid tracker says nothing."))


def abuse_spans(guardrails: Guardrails, text: str) -> list[tuple[int | None, int | None]]:
    report = guardrails.check(text, CONTEXT)
    return [(f.start, f.end) for f in report.findings if f.rule == "abuse"]


@pytest.mark.parametrize(
    "text",
    [
        "you are an idiot, go away, loser",
        "Go away, loser.",
        "Shut up and wait like everyone else.",
        "Stop whining, it's a two-day delay.",
        "Eres un idiota. Vete al infierno.",
        "Du Trottel, halt die Klappe.",
        "Espèce d'idiot, fermez-la.",
        "Cala a boca, seu otário.",
        "You're so stupid it hurts.",
        "What the fuck do you want now?",
        "Honestly, nobody cares about your refund.",
    ],
)
def test_abuse_aimed_at_the_customer_is_found(guardrails: Guardrails, text: str) -> None:
    assert abuse_spans(guardrails, text)


@pytest.mark.parametrize(
    "text",
    [
        "Sorry the stupid tracker said nothing; I've chased the courier and it arrives Friday.",
        "You said the app is 'total crap' and I get why. We'll fix it today.",
        'You wrote "this is bullshit" and you are right: we refunded it.',
        "We screwed up, and I'm sorry. Refund issued.",
        "We really fucked up this order, sorry.",
        "La hemos fastidiado, lo siento.",
        "Your parcel is at the Scunthorpe depot, arriving tomorrow.",
        "Our Penistone branch and Middlesex office both have stock.",
        "The error should go away after a restart.",
        "We'll deal with it today.",
        "Vous avez raté le livreur, il repasse demain.",
        "Your git repository needs a new deploy key.",
        "Our idiot-proof setup guide is attached.",
    ],
)
def test_quotes_things_place_names_and_admissions_pass(guardrails: Guardrails, text: str) -> None:
    assert abuse_spans(guardrails, text) == []


def test_the_finding_points_at_the_insult_and_never_quotes_it(guardrails: Guardrails) -> None:
    text = "Listen, you moron, the tracker is fine."
    report = guardrails.check(text, CONTEXT)
    (finding,) = [f for f in report.findings if f.rule == "abuse"]
    assert finding.start is not None
    assert finding.end is not None
    assert text[finding.start : finding.end] == "moron"
    assert "moron" not in finding.message


def test_a_spanish_preposition_is_no_french_insult_when_the_reply_reads_unclearly(
    guardrails: Guardrails,
) -> None:
    # Blind review I, draft 08: a list of flights made the reply's language unclear, all five
    # languages were read, and "basta con responder" was blocked as the French "con".
    customer = thread("Me han cancelado el vuelo de Navidad y necesito otra opción, por favor.")
    reply = (
        "Hola, Ramón:\n\nLamento que haya tenido que esperar.\n\n"
        "Para elegir, basta con responder a este correo:\n1. AL 2318 sábado 19/12, 17:50\n"
        "2. AL 2316 viernes 18/12, 09:05\n\nUn saludo,\nMarta"
    )
    report = guardrails.check(reply, CheckContext(thread=customer))
    assert [f for f in report.findings if f.rule == "abuse"] == []


def test_a_french_insult_in_a_reply_read_as_french_is_still_abuse(guardrails: Guardrails) -> None:
    customer = thread("Mon colis est marqué livré mais je n'ai rien reçu, c'est la deuxième fois.")
    reply = "Bonjour. Franchement, vous êtes un con, monsieur, et votre colis attendra."
    report = guardrails.check(reply, CheckContext(thread=customer))
    assert [f.rule for f in report.findings if f.rule == "abuse"] == ["abuse"]
