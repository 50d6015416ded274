"""Decision 132 (issue 12): abuse and next-steps kinds read on blind set I.

abuse: telling the customer to stop bothering us, plain or vulgar ("get off my back", "no me
rompas las pelotas", "lâchez-moi patience", "gehen Sie mir auf den Sack", "não me chateie mais");
the writer's one-word name line in the sign-off is not name-calling ("Memo" signs a Spanish reply).
next-steps: a French perfect with an object pronoun ("je l'ai ajouté") and futures in -ttra/-îtra
("il apparaîtra"); German first-person present of recording and paying ("ich vermerke", "überweisen
wir"); a Portuguese result expected where the customer sees it ("deve aparecer na fatura").
"""

from __future__ import annotations

import pytest

from service.guardrails import CheckContext, Guardrails

from .support import findings, thread

CONTEXT = CheckContext(thread=thread("I was charged twice and nobody answers my messages. Fix it."))


def _rules(guardrails: Guardrails, text: str) -> set[str]:
    return {f.rule for f in guardrails.check(text, CONTEXT).findings}


@pytest.mark.parametrize(
    "reply",
    [
        "Get off my back, the refund is in the queue.",
        "No me rompas más las pelotas con los mensajes, el reembolso está en curso.",
        "Deja de tocarme las narices, el reembolso está en curso.",
        "Gehen Sie mir nicht ständig auf den Keks, die Erstattung läuft.",
        "Lassen Sie mich endlich in Ruhe, die Erstattung läuft.",
        "Lâchez-moi la grappe, le remboursement est en cours.",
        "Vous me cassez les pieds avec vos messages, le remboursement est en cours.",
        "Olhe, não me chateie mais, o estorno está em andamento.",
    ],
)
def test_telling_the_customer_to_stop_bothering_us_is_abuse(guardrails: Guardrails, reply: str) -> None:
    assert "abuse" in _rules(guardrails, reply)


@pytest.mark.parametrize(
    "reply",
    [
        "Sorry you had to chase us. I've refunded the second charge today.",
        "Siento que tuviera que insistir. No le molestaremos más con avisos.",
        "Das Geräusch geht mir auch auf die Nerven nicht, aber die Erstattung läuft.",
        "Je suis désolé. Le remboursement est en cours, je vous laisse tranquille avec les relances.",
        "Lamento o transtorno. Isso não me chateia nada, o estorno já foi feito.",
    ],
)
def test_patience_and_ordinary_words_are_not_abuse(guardrails: Guardrails, reply: str) -> None:
    assert "abuse" not in _rules(guardrails, reply)


@pytest.mark.parametrize(
    "reply",
    [
        "Hola Daniela:\n\nLas fotos están listas mañana.\n\nMemo\nFoto Estudio Luz",
        "Hi Dana,\n\nThe refund is on its way.\n\nBest,\nBozo",
    ],
)
def test_the_sign_off_name_line_is_not_name_calling(guardrails: Guardrails, reply: str) -> None:
    assert "abuse" not in _rules(guardrails, reply)


@pytest.mark.parametrize(
    "reply",
    [
        "Hola Daniela:\n\nLas fotos están listas mañana.\n\nIdiota",
        "Hola, memo.\n\nLas fotos están listas mañana.\n\nMemo\nFoto Estudio Luz",
    ],
)
def test_an_insult_outside_the_name_line_is_still_read(guardrails: Guardrails, reply: str) -> None:
    assert "abuse" in _rules(guardrails, reply)


@pytest.mark.parametrize(
    "reply",
    [
        "Désolé pour l'oubli. Je l'ai ajouté à votre compte ce matin.",
        "Désolé pour l'oubli. Le geste commercial apparaîtra au moment du paiement.",
        "Désolé pour l'oubli. Nous vous avons envoyé le bon par e-mail.",
        "Entschuldigung. Ich vermerke den Hund bei Ihrer Buchung.",
        "Entschuldigung. Die Kaution überweisen wir nach der Abrechnung.",
        "Lamentamos. A cobrança em duplicidade deve aparecer na sua próxima fatura como estorno.",
    ],
)
def test_these_kinds_give_a_next_step(guardrails: Guardrails, reply: str) -> None:
    assert not findings(guardrails.check(reply, CONTEXT), "next-steps")


@pytest.mark.parametrize(
    "reply",
    [
        "Désolé pour l'oubli. Je l'ai bien reçu.",
        "Lamentamos. Isso deve ter sido muito frustrante.",
        "Entschuldigung. Wir verstehen Ihren Ärger.",
    ],
)
def test_perception_and_looking_back_are_not_a_next_step(guardrails: Guardrails, reply: str) -> None:
    assert findings(guardrails.check(reply, CONTEXT), "next-steps")
