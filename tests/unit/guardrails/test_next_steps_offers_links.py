"""next-steps (issue 12, decision 107): links, menu paths, places to go, things handed over,
first-person offers with words in between and first-person perfects are next steps; sympathy,
"there's nothing I can do" and what the agent only received still are not. Sentences written for
these tests."""

from __future__ import annotations

import pytest

from service.guardrails import CheckContext, Guardrails

from .support import findings, thread

RULE = "next-steps"


def _ctx(body: str = "My locker code never arrived and the shop closes soon.") -> CheckContext:
    return CheckContext(thread=thread(body))


@pytest.mark.parametrize(
    "reply",
    [
        # A link of the reply's own, also inside an HTML attribute, and a path through menus.
        "What a frustrating evening. The locker guide: https://help.lockbox.example/codes",
        'Sorry about the wait. The guide is <a href="https://help.lockbox.example/codes">here</a>.',
        "Qué rabia, lo siento. Está en Perfil > Mis taquillas.",
        "Que chato, desculpa. Ele também fica em Minha Conta › Documentos.",
        # Where to go, in the app or at a service point.
        "Sorry, that's maddening. The spare codes are at the front desk by the entrance.",
        "Qué lío, perdona. Los códigos están en el mostrador de la entrada.",
        "Quelle galère, désolé. Le code est dans votre espace client, rubrique Casiers.",
        "So ärgerlich, sorry. Ersatzcodes gibt es am Schalter neben dem Eingang.",
        # Handed over with this message or by another channel.
        "Désolé pour ce contretemps. Votre nouveau code est joint à cet e-mail.",
        "Sorry for the trouble. Your new code has been sent by text to the number on file.",
        "Que chatice. Segue em anexo o novo código.",
        # A first-person offer with words in between, in five languages.
        "Ugh, sorry. I can also send you a second code straight away.",
        "Quel contretemps. Je peux par contre vous passer un code provisoire.",
        "Wie ärgerlich. Ich kann Ihnen aber sofort einen neuen Code schicken.",
        "Qué mala suerte. Puedo mandarte otro código por correo si querés.",
        "Que azar. Posso então gerar um código novo para você.",
        # A first-person perfect of something done (French, and Spanish "hemos").
        "Quel contretemps. Nous avons régénéré votre code il y a une minute.",
        "Qué fastidio. Hemos reactivado su taquilla esta mañana.",
        # A future passive and a European Portuguese preterite.
        "Lamentamos a demora. Será contactado pela loja dentro de momentos.",
        "Que chatice. Já enviámos o código novo para o seu telemóvel.",
        # A voseo imperative after an adverb.
        "Qué garrón. Simplemente reiniciá la app y aparece el código.",
    ],
)
def test_these_kinds_give_a_next_step(guardrails: Guardrails, reply: str) -> None:
    assert findings(guardrails.check(reply, _ctx()), RULE) == []


@pytest.mark.parametrize(
    "reply",
    [
        # Understanding and refusal are not offers.
        "I can only imagine how stressful that is with the shop closing.",
        "Sorry, the code can't be reissued and there's nothing I can do about it.",
        "Ärgerlich, das verstehe ich. Leider kann ich da nichts machen.",
        "Lo siento mucho, pero no puedo hacer nada con los códigos caducados.",
        "Je peux tout à fait comprendre votre agacement.",
        # What the agent received is not something done; "trois" only looks like a participle.
        "Désolé. Nous avons reçu trois fois plus de demandes que d'habitude depuis lundi.",
        # How the process works, not what was done for this customer.
        "Merci pour votre message. Le code est envoyé par SMS au numéro du compte.",
    ],
)
def test_sympathy_refusal_or_explanation_is_still_missing(guardrails: Guardrails, reply: str) -> None:
    assert findings(guardrails.check(reply, _ctx()), RULE) != []


def test_the_customers_own_link_said_back_is_not_a_step(guardrails: Guardrails) -> None:
    ctx = _ctx("The page https://lockbox.example/codes/4411 just says error.")
    reply = "Sorry, that page https://lockbox.example/codes/4411 erroring is maddening."
    assert findings(guardrails.check(reply, ctx), RULE) != []
