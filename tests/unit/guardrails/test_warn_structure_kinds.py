"""Decision 140 (issue 12): next steps, refusals and slots read by structure.

next-steps: a hope or a non-committal future is no plan; a cue negated right after it ("you can't")
is none; a day or a count in a clause told in the past, or how long something lasted, is no time
ahead; a count in a negated clause is the condition of a refusal; a passive that explains a figure,
or names a past month, is history; a first-person present told as a rule is an explanation; a name
in the salutation line is no imperative. positive-language: a policy given as the reason, "aucune …
n'est possible", "não tem nada que eu possa fazer"; an object pronoun between "ich kann" and
"aber". placeholder: an empty salutation, "$amount", "__", "%%NAME%%", "*|FNAME|*", "[HORÁRIO]".
"""

from __future__ import annotations

import pytest

from service.guardrails import CheckContext, Guardrails

from .support import thread

CONTEXT = CheckContext(thread=thread("My delivery never came and nobody tells me anything."))


def _rules(guardrails: Guardrails, text: str) -> set[str]:
    return {f.rule for f in guardrails.check(text, CONTEXT).findings}


@pytest.mark.parametrize(
    "reply",
    [
        "So sorry about the outage, Jen. Hopefully everything will be back to normal before long.",
        "I hear you, that is far too long. We'll see what happens with the courier next month.",
        "Lo siento mucho, Ana. Ojalá todo se arregle pronto.",
        "Tut mir leid, Herr Vogt. Hoffentlich wird es bald besser.",
        "Désolée, Paul. On verra bien comment ça évolue.",
        "Poxa, Rui, que chato. A gente vai melhorar, prometo.",
        "That must have been awful; it is a day you can't get back.",
        "The line was closed because a cable failed, which left trains stuck for over two hours.",
        "Samedi, une panne de courant a bloqué la ligne pendant trois heures.",
        "No sábado, uma avaria interrompeu a circulação durante cerca de três horas.",
        "Malheureusement, les annulations à moins de 30 jours ne sont pas remboursables.",
        "Les frais ont été calculés à partir du rapport de l'expert.",
        "Un premier virement de 40 € a été effectué en mars pour votre dossier.",
        "Bei Zahnbehandlungen erstatten wir nach Ihrem Tarif 70 % der Kosten.",
        "Hola, Gabriela:\n\nLamento que el paquete se retrasara por las lluvias.",
    ],
)
def test_hope_history_and_rules_give_no_next_step(guardrails: Guardrails, reply: str) -> None:
    assert "next-steps" in _rules(guardrails, reply)


@pytest.mark.parametrize(
    "reply",
    [
        "Hopefully that helps. I'll call you tomorrow at 10 with the courier's answer.",
        "We'll see you at the store on Thursday to swap the unit.",
        "Espero que te sirva. Te escribo mañana con el número de seguimiento.",
        "The parcel was delayed, but it will arrive within two days.",
        "Samedi, le technicien passera entre 8 h et 10 h.",
        "Your refund has been processed and should land within 3 working days.",
        "Ich erstatte Ihnen die 70 % heute noch, das Geld ist morgen da.",
        "Hola, Gabriela:\n\nReenvíalo desde la app y te lo confirmo.",
        "The code is valid for 30 days from today.",
    ],
)
def test_steps_beside_those_shapes_still_count(guardrails: Guardrails, reply: str) -> None:
    assert "next-steps" not in _rules(guardrails, reply)


@pytest.mark.parametrize(
    "reply",
    [
        "So sorry. Custom items are neither returned nor exchanged, that's the store policy.",
        "Lo siento. Los artículos a medida no se cambian, es la política de la tienda.",
        "Les sauvegardes locales ne sont pas couvertes. Aucune restauration n'est possible.",
        "Sinto muito. Tarifas promocionais não permitem troca e não tem nada que eu possa fazer.",
    ],
)
def test_refusals_by_policy_and_impossibility_are_negative_framing(
    guardrails: Guardrails, reply: str
) -> None:
    assert "positive-language" in _rules(guardrails, reply)


@pytest.mark.parametrize(
    "reply",
    [
        "Eine Übertragung ist leider nicht möglich, ich kann es aber stornieren und gutschreiben.",
        "Une cession n'est pas possible ; je peux toutefois vous rembourser les séances restantes.",
        "Here is our privacy policy, as you asked: it explains what we keep. I'll send a copy too.",
        "Aquí tiene la política de privacidad que pidió; le envío también el PDF.",
    ],
)
def test_an_alternative_or_a_policy_document_is_not_negative_framing(
    guardrails: Guardrails, reply: str
) -> None:
    assert "positive-language" not in _rules(guardrails, reply)


@pytest.mark.parametrize(
    "reply",
    [
        "Dear ,\n\nThanks for your patience. I'll ship it today.",
        "Estimado/a ,\n\nGracias por escribirnos. Se lo enviamos hoy.",
        "Sehr geehrte/r Frau ,\n\nvielen Dank. Wir senden es heute.",
        "Caro(a) ,\n\nObrigado. Enviamos hoje.",
        "Your refund of $amount will reach you within 5 days.",
        "Votre remboursement de $montant arrive sous 5 jours.",
        "Votre rendez-vous est fixé au __ juin à 10 h.",
        "Hallo %%VORNAME%%, Ihre Bestellung ist unterwegs.",
        "Hi *|FNAME|*, your order ships today.",
        "Passo aí amanhã às [HORÁRIO] para trocar o disjuntor.",
    ],
)
def test_slot_shapes_are_placeholders(guardrails: Guardrails, reply: str) -> None:
    assert "placeholder" in _rules(guardrails, reply)


@pytest.mark.parametrize(
    "reply",
    [
        "Hi Tom,\n\nThanks for writing. I'll ship it today.",
        "The plan costs $USD 12 a month; I'll send the invoice today.",
        "In Python, `__init__` runs first; call it once.",
        "[UPDATE] The outage is fixed, and I'll keep you posted.",
        "Your order [Nr. 3318-775-A] ships today.",
    ],
)
def test_filled_text_and_tags_are_not_placeholders(guardrails: Guardrails, reply: str) -> None:
    assert "placeholder" not in _rules(guardrails, reply)
