"""Issue 12, decisions 121-122: kinds the warn rules misread, each in the five languages.

next-steps: a negated cue is a refusal; German participles close their clause; a time with
digits told in the past, or a bare count of units, is not a time ahead; steps named by their
place in a sequence, appointments set, an emoji ending a chat sentence before an imperative.
positive-language: alternatives by kind (good news, done instead, granted, the customer's
remaining right, a conditional offer); a thing's shortcoming is no refusal.
no-blame: a repetition is a reproach only when the agent tells again.
unsafe-content: a bare tag in capitals is a slot or a key name.
"""

from __future__ import annotations

import pytest

from service.guardrails import CheckContext, Guardrails
from service.models import Severity

from .support import findings, thread

NEXT = "next-steps"
POSITIVE = "positive-language"
BLAME = "no-blame"
UNSAFE = "unsafe-content"


def _ctx() -> CheckContext:
    return CheckContext(thread=thread("My order is wrong and nobody has answered me."))


def _fires(guardrails: Guardrails, rule: str, reply: str) -> bool:
    return bool(findings(guardrails.check(reply, _ctx()), rule))


# ---------------------------------------------------------------- next-steps: present
@pytest.mark.parametrize(
    "reply",
    [
        # German perfect: the participle closes its clause after an amount with a decimal comma.
        "Das tut mir leid. Ich habe die Differenz von 18,40 € gerade erstattet.",
        "Das tut mir leid. Wir haben Ihnen den Betrag von 12,50 € heute gutgeschrieben.",
        # A passive done today, participle with an inseparable prefix.
        "Das tut mir leid. Die Genehmigung wurde heute an Ihren Akustiker übermittelt.",
        # Steps named by their place in a sequence.
        "Sorry about that. First step: open Settings. Second step: tap Invoices.",
        "Lo siento. Primer paso: entrar en Facturas.",
        "Tut mir leid. Erster Schritt: im Portal auf Rechnungen gehen.",
        "Désolé. Première étape : cliquer sur « Factures ».",
        "Desculpe. Primeiro passo: entrar em Faturas.",
        # An appointment set, even with its date still a slot.
        "Sorry for the wait. Your new appointment is on [DATE] at the Leeds branch.",
        "Perdone la espera. Su nueva cita es el lunes a primera hora.",
        "Entschuldigung. Ihr neuer Termin für die Inspektion ist am TT.MM. in der Filiale.",
        "Désolé. Votre nouveau rendez-vous est fixé au garage de Lyon.",
        "Desculpe. A sua nova consulta é na clínica do centro.",
        # An emoji ends a chat sentence; the imperative after it opens a clause.
        "Ugh, sorry 😅 Simply clear the cache and reload.",
        "Tranqui 😅 Simplemente borra la caché del navegador.",
        "Oh nein 😅 Starten Sie die App bitte neu.",
        "Oups 😅 Redémarrez simplement l'application.",
        "Poxa 😅 Corrige o endereço no app.",
        # A count of units after a preposition of time ahead, in every language.
        "Sorry. The refund reaches you within about 3 days.",
        "Lo siento. El reembolso llega en 3 días hábiles.",
        "Tut mir leid. Die Gutschrift ist in 2-3 Werktagen auf Ihrem Konto.",
        "Désolé. Le remboursement arrive sous 48 heures.",
        "Desculpe. O pedido sai para entrega em até 2 horas.",
    ],
)
def test_a_step_of_these_kinds_is_present(guardrails: Guardrails, reply: str) -> None:
    assert not _fires(guardrails, NEXT, reply)


@pytest.mark.parametrize(
    "reply",
    [
        # A negation right before a cue makes it a refusal, not an offer or an action.
        "I'm sorry. We cannot refund it, and no one can change it now.",
        "Lo siento. No podemos devolver las comisiones.",
        "Das tut mir leid. Das kann ich nicht ändern.",
        "Désolé. Nous ne pouvons pas rembourser ces frais.",
        "Sinto muito. Não abrimos exceções para promoções.",
        # A date or clock time told in the past is an explanation.
        "I'm sorry. The certificate expired at 13:42 on 2 May.",
        "Lo siento. A las 10:40 el servidor alcanzó su límite.",
        "Das tut mir leid. Unsere Bestellung wurde am 22. April aufgegeben.",
        "Désolée pour la gêne. La coupure de courant était prévue le 18 avril dans votre quartier.",
        "Sinto muito. O voo atrasou às 14:10 em Guarulhos.",
        # A bare count of units is the customer's wait or a frequency, not a time ahead.
        "Oh no, 3 hours in and still no screws, that's soul-destroying.",
        "Qué rabia, el contador manda la lectura cada 15 minutos.",
        "Wie ärgerlich, 7 Tage vor dem Termin ist das zu spät.",
        "Quelle galère, 2 semaines sans paiement.",
        "Que chato, 45 minutos ao telefone.",
    ],
)
def test_refusals_and_past_times_are_no_step(guardrails: Guardrails, reply: str) -> None:
    assert _fires(guardrails, NEXT, reply)


# ---------------------------------------------------------------- positive-language
@pytest.mark.parametrize(
    "reply",
    [
        "Unfortunately I can't match that price. The good news is that our loyalty team can review it.",
        "No podemos cancelar a mitad de periodo, pero ya he desactivado la renovación.",
        "Eine Kündigung ist nicht möglich. Bei einem Umzug haben Sie aber ein Sonderkündigungsrecht.",
        "Nous ne pouvons pas prendre en charge le taxi, mais je vous attribue un bon de 60 €.",
        "Não tem como baixar o preço agora. Se quiser, posso ver um plano mais em conta.",
        "We can't refund the fee, but I've already switched off the renewal.",
        "Es ist leider nicht möglich, aber ich habe Ihnen einen Gutschein geschickt.",
        "Não podemos reembolsar a taxa, mas já cancelei a renovação.",
        # A shortcoming of a thing, and our own conduct judged, refuse nothing.
        "Das Update braucht 4 GB, das sagt die App leider nicht klar.",
        "Zwei Mahnungen nach der Kündigung, das ist unmöglich von uns.",
    ],
)
def test_an_alternative_or_no_refusal_clears_it(guardrails: Guardrails, reply: str) -> None:
    assert not _fires(guardrails, POSITIVE, reply)


@pytest.mark.parametrize(
    "reply",
    [
        "If you want a refund, that's not possible.",
        "Das ist leider nicht möglich.",
        "Nous ne pouvons pas rembourser ce billet.",
        "No podemos cambiar la fecha.",
        "Não é possível alterar a nota fiscal.",
    ],
)
def test_a_bare_refusal_still_warns(guardrails: Guardrails, reply: str) -> None:
    assert _fires(guardrails, POSITIVE, reply)


# ---------------------------------------------------------------- no-blame
@pytest.mark.parametrize(
    "reply",
    [
        "Paying for seats you don't use, for the second time, is frustrating.",
        "Que el decodificador falle por segunda vez este mes es para estar harto.",
        "Dass Ihre Übersicht zum zweiten Mal falsch ist, darf nicht passieren.",
        "Ces frais n'auraient jamais dû être prélevés, a fortiori pour la deuxième fois.",
        "A instalação foi adiada pela terceira vez, e isso é inaceitável.",
        "Your fault is logged under ticket 55821 and an engineer will call tomorrow.",
    ],
)
def test_a_recurring_problem_is_not_blame(guardrails: Guardrails, reply: str) -> None:
    assert not _fires(guardrails, BLAME, reply)


@pytest.mark.parametrize(
    "reply",
    [
        "I'm telling you for the third time: the export is weekly.",
        "Se lo repito por tercera vez: la exportación es semanal.",
        "Ich sage es Ihnen zum dritten Mal: der Export ist wöchentlich.",
        "Je vous le répète pour la dernière fois : l'export est hebdomadaire.",
        "Repito pela terceira vez: a exportação é semanal.",
    ],
)
def test_telling_again_is_blame(guardrails: Guardrails, reply: str) -> None:
    assert _fires(guardrails, BLAME, reply)


# ---------------------------------------------------------------- unsafe-content
def _unsafe(guardrails: Guardrails, text: str) -> Severity | None:
    found = [f for f in guardrails.check(text, _ctx()).findings if f.rule == UNSAFE]
    return max((f.severity for f in found), key=lambda s: s is Severity.block, default=None)


@pytest.mark.parametrize(
    "text",
    [
        "O valor será estornado até <DATA>.",  # pt "data" is a date: a slot, not the element
        "Press <Del> and then <S> to save.",  # key names
        "Die Rechnung finden Sie unter <TITLE> im Portal.",
    ],
)
def test_slots_and_key_names_are_safe(guardrails: Guardrails, text: str) -> None:
    assert _unsafe(guardrails, text) is None


@pytest.mark.parametrize(
    "text",
    [
        "<B>bold</B> text",
        "Line one<BR>line two",
        "<SCRIPT>alert(1)</SCRIPT>",
        "<b>unclosed",
        '<DATA value="1">',
    ],
)
def test_markup_in_capitals_still_blocks(guardrails: Guardrails, text: str) -> None:
    assert _unsafe(guardrails, text) is Severity.block


@pytest.mark.parametrize(
    "reply",
    [
        # A count of business days is a processing time; a validity is a time to act in.
        "Refund approved, 5 business days.",
        "Reembolso aprobado, 5 días hábiles.",
        "Erstattung freigegeben, 5 Werktage.",
        "Remboursement validé, 5 jours ouvrés.",
        "Reembolso aprovado, 5 dias úteis.",
        "Das Rücksendeetikett liegt im Paket und gilt 30 Tage.",
        "O link de redefinição vale 30 min.",
        # The tu / du forms of "you can".
        "Quelle galère. Tu peux réserver une nouvelle session gratuite.",
        "So ärgerlich. Du kannst im Portal einen neuen Termin buchen.",
    ],
)
def test_processing_times_validities_and_informal_you_can(guardrails: Guardrails, reply: str) -> None:
    assert not _fires(guardrails, NEXT, reply)
