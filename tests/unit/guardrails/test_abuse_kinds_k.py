"""Decision 139 (issue 12): abuse kinds by structure and vocabulary, in five languages.

Kinds: "people like you / of your sort" with a verb of contempt; "even my nan / a child / my dog
can do it"; behaving like a toddler; shut up and get lost in more forms (a bare dismissal only when
it is the whole clause); an exclamation that names someone ("¡Qué lumbrera!"); "stop being so …";
"old" between a determiner and a name ("la vieja chocha"); more names of kinds (pests, grouches,
bad manners). Tricky negatives: praise, the same words about a thing, weather, food and objects
named by an animal word, negation, the team about itself.
"""

from __future__ import annotations

import pytest

from service.guardrails import CheckContext, Guardrails

from .support import thread

CONTEXT = CheckContext(thread=thread("My order is late and nobody answers my messages."))


def _abuse(guardrails: Guardrails, text: str) -> bool:
    return any(f.rule == "abuse" for f in guardrails.check(text, CONTEXT).findings)


@pytest.mark.parametrize(
    "reply",
    [
        # people like you, with a verb of contempt
        "Honestly, people like you drive me up the wall. The refund is on its way.",
        "Customers like you are the reason I hate this job.",
        "People like you are the problem, not our courier.",
        "La gente de su calaña nunca está contenta. El reembolso ya está hecho.",
        "Kunden Ihresgleichen kosten uns nur Zeit. Die Erstattung läuft.",
        "Les clients comme vous me fatiguent. Le remboursement est validé.",
        "Gente da sua laia só dá trabalho. O reembolso foi feito.",
        # even a child, an elder or a pet can do it
        "Even my grandad manages to reset his router. Hold the button for ten seconds.",
        "Hasta mi sobrino sabe hacerlo. Vaya a Perfil > Baja.",
        "Sogar meine Oma kriegt das hin. Einfach auf Speichern tippen.",
        "Même mon chien y arriverait. Cliquez sur Enregistrer.",
        "Até o meu gato conseguia. Clique em Guardar.",
        # behaving like a toddler
        "Stop acting like a toddler and send the receipt.",
        "Deja de escribir así, te comportas como un niño pequeño.",
        "Sie benehmen sich wirklich wie ein Kleinkind.",
        "Vous vous comportez comme un gamin, franchement.",
        "Você se comporta como uma criança mimada.",
        # shut up and get lost, more forms
        "Cierre el pico y espere la llamada del perito.",
        "Halten Sie endlich die Klappe, der Techniker kommt Montag.",
        "Fermez votre clapet, le technicien passe lundi.",
        "Cala o bico e espera pelo técnico.",
        "Don't like it? Shove off to another provider.",
        "Et si ça ne vous plaît pas : du vent.",
        "Se não está satisfeito, ponha-se a andar.",
        # an exclamation that names someone; "old" before the name; stop being so ...
        "Qué lumbrera. La contraseña distingue mayúsculas.",
        "Que homem tão melga ao telefone.",
        "Quel casse-pieds celui-là, franchement.",
        "Dígale a su madre, la vieja chocha, que apunte el PIN.",
        "Saludos, Julieta (y a ver si dejás de ser tan hinchapelotas)",
        "P.S. You're a miserable old sod on the phone.",
        "PS: Sie sind schon ein ziemlicher Korinthenkacker.",
        "Votre gamine mal élevée a été retirée du cours.",
        "Sua esposa, aquela barraqueira, fez um escândalo.",
    ],
)
def test_kinds_aimed_at_the_customer_are_abuse(guardrails: Guardrails, reply: str) -> None:
    assert _abuse(guardrails, reply)


@pytest.mark.parametrize(
    "reply",
    [
        # the same words about a thing, weather, food, objects
        "Une cruche en morceaux pour une cuisine neuve, je vous en envoie une autre.",
        "Du vent fort a endommagé la toiture, un couvreur passe demain.",
        "Es war eine irre Saison, aber das ist unser Problem, nicht Ihres.",
        "Sie irren sich nicht: der Betrag war falsch.",
        "C'est cette foutue mise à jour qui a raté votre retour; j'ai annulé les frais.",
        "Die Flasche Wein ist als Entschuldigung schon unterwegs.",
        "Sua mala chegou danificada e já pedimos a troca.",
        "Rua das Flores, 12: a entrega é amanhã.",
        # praise and banter
        "What a genius idea, thank you for suggesting it!",
        "Des clients comme vous nous font confiance depuis dix ans, merci.",
        "Clientes como usted son los que nos motivan.",
        "Customers like you are the reason we love this job.",
        "Two days before your exam, no wonder you're freaking out. I've sent a new link.",
        "People like you are why we keep improving the app.",
        # negation and ourselves
        "Votre enfant n'est pas mal élevé du tout, il a juste raté l'heure.",
        "Please stop being so patient with us, you deserve better.",
        "Deje de ser tan amable, de verdad, gracias.",
        "Auch mein Sohn hatte das Problem mit dem Update.",
        "Até o meu filho teve esse problema com a aplicação.",
        "Lamentamos que su vieja tarjeta no funcione; le enviamos una nueva.",
    ],
)
def test_the_same_words_not_aimed_at_the_customer_are_clean(guardrails: Guardrails, reply: str) -> None:
    assert not _abuse(guardrails, reply)


def test_la_ferme_is_shut_up_only_as_a_whole_clause(guardrails: Guardrails) -> None:
    assert _abuse(guardrails, "La ferme ! Le technicien passe lundi.")
    assert not _abuse(guardrails, "Nos règles bloquent la date pour que la ferme puisse récolter.")
