"""Decision 158 (issue 12): next steps reported without a verb of our own, after spent set O.

A word of completion closing its clause or after "already" ("Refund … is done.", "Remboursement
fait, …", "já feito"), a short participle after a first-person auxiliary ("je t'ai mis"), a
Portuguese first-person preterite no ending tells ("fiz", "meti"), the German first person
singular perfect ("hab ich dir … gebucht"), a time still to wait ("noch 10 Minuten"), a Spanish
time opening its clause ("esta noche sale") and a condition the customer can meet with its outcome
("se você subir de novo …, ele fica no ar") are steps. "ça fait trois jours", "le fait que",
"nothing can be done" and a negated or past condition are not.
"""

from __future__ import annotations

import pytest

from service.guardrails import CheckContext, Guardrails

from .support import thread

CONTEXT = CheckContext(thread=thread("My order is wrong and I am really annoyed about it."))


def _rules(guardrails: Guardrails, text: str) -> set[str]:
    return {f.rule for f in guardrails.check(text, CONTEXT).findings}


@pytest.mark.parametrize(
    "reply",
    [
        "So sorry about the mix-up. The refund for the missing drink is done.",
        "Désolé pour l'attente. Remboursement fait, plus 5 € de crédit.",
        "Lamento a demora. Reembolso já feito e o valor volta ao cartão.",
        "Lamento imenso. Já fiz o estorno e meti 3 € de crédito.",
        "Désolée pour le retard, je t'ai mis un bon de 5 € pour la prochaine fois.",
        "Tut mir leid, als Ausgleich hab ich dir 5 GB extra gebucht.",
        "Sorry für die Wartezeit, der Kurier ist unterwegs. Noch 15 Minuten.",
        "Perdona el fallo. Esta noche sale la actualización y te avisamos por correo.",
        "Entendo a frustração. Se você enviar a foto da etiqueta, ele sai amanhã cedo.",
    ],
)
def test_steps_reported_without_a_verb_of_our_own(guardrails: Guardrails, reply: str) -> None:
    assert "next-steps" not in _rules(guardrails, reply)


@pytest.mark.parametrize(
    "reply",
    [
        "Ça fait trois jours que vous attendez, je comprends votre colère.",
        "Le fait que le colis soit abîmé est vraiment désagréable.",
        "C'est rageant, je le comprends tout à fait. Nous ne pouvons pas revenir dessus.",
        "Le informamos de que no es posible atender su solicitud.",
        "I'm sorry, but nothing can be done about it.",
        "If you were charged twice, that really is frustrating.",
        "Se você não recebeu o e-mail, sinto muito mesmo.",
    ],
)
def test_no_step_without_a_report_or_a_condition_to_meet(guardrails: Guardrails, reply: str) -> None:
    assert "next-steps" in _rules(guardrails, reply)
