"""Acknowledgement kinds of small-business owners and copilot drafts (issue 12, decision 147): a
fault owned in the first person singular, the customer's slip normalised, their state imagined, a
setback or bad timing exclaimed about, being touched by their news, tiredness named; and what must
still not count. Texts written for these tests."""

from __future__ import annotations

import pytest

from service.guardrails import CheckContext, Guardrails

from .support import findings, thread


def acknowledged(g: Guardrails, customer: str, text: str) -> bool:
    return not findings(g.check(text, CheckContext(thread=thread(customer))), "acknowledgement")


@pytest.mark.parametrize(
    ("customer", "text"),
    [
        # a fault owned by the one person who runs the shop
        (
            "The print came out blurry and I paid for express. Not happy.",
            "That's my mistake, I sent the wrong file to the printer. A new print goes out today.",
        ),
        (
            "Die Torte kam mit falscher Aufschrift, total ärgerlich.",
            "Das war mein Fehler beim Abschreiben. Ich backe Ihnen bis morgen eine neue.",
        ),
        (
            "Cara, o bolo chegou sem a cobertura, fiquei chateada.",
            "Foi mal, esqueci a cobertura na pressa. Levo outro amanhã cedo.",
        ),
        (
            "La tarta llegó aplastada, qué rabia.",
            "Culpa mía, la caja era demasiado pequeña. Mañana te llevo otra.",
        ),
        (
            "Le colis est arrivé ouvert, je suis déçue.",
            "C'est ma faute, j'ai mal fermé le carton. Je vous renvoie tout demain.",
        ),
        # the customer's own slip normalised
        (
            "I ordered the wrong colour, silly me, how do I change it?",
            "Easy mistake to make, the swatches are tiny. Open your order and pick the new colour.",
        ),
        (
            "Hab die falsche Größe bestellt, wie ändere ich das?",
            "Passiert echt schnell, die Auswahl ist klein. Wählen Sie in der Bestellung die Größe neu.",
        ),
        (
            "Me equivoqué de talla, ¿cómo lo cambio?",
            "Error muy común, los botones están pegados. Entra en el pedido y elige la talla.",
        ),
        (
            "Je me suis trompée de taille, comment changer ?",
            "Ça arrive tout le temps, les boutons sont minuscules. Ouvrez la commande, choisissez la taille.",
        ),
        (
            "Enganei-me no tamanho, como mudo?",
            "Acontece a toda a gente, os botões são pequenos. Abra a encomenda e escolha o tamanho.",
        ),
        # their state imagined
        (
            "Is my dog okay after the operation? I'm a wreck here.",
            "She woke up well. I know how long that wait feels. Collect her from five.",
        ),
        (
            "Três noites sem dormir com o bebé doente e a encomenda não chega.",
            "Imagino o cansaço com o bebé doente. A encomenda sai hoje por estafeta.",
        ),
        # a setback or bad timing, exclaimed about the situation
        (
            "My visa appointment moved, so I must change my flight.",
            "What a setback, that appointment moving! Here is a new flight on the 16th.",
        ),
        (
            "Los vídeos no cargan y tengo examen mañana.",
            "¡Qué mal momento para que fallen los vídeos! Aquí tienes un enlace alternativo.",
        ),
        (
            "Mon rendez-vous à la préfecture est reporté, je dois changer mon vol.",
            "Quel contretemps, ce report ! Voici un vol le 12.",
        ),
        # tiredness and apprehension named
        (
            "Chego tarde e fico apreensivo com as chaves.",
            "É natural ficar apreensivo com uma chegada tardia. As chaves ficam num cofre.",
        ),
        # touched by the customer's good news
        (
            "Five stars, our daughter finally loves reading thanks to you!",
            "We are so touched, she worked hard for it. A new book list comes on Monday.",
        ),
    ],
)
def test_owner_kinds_count(guardrails: Guardrails, customer: str, text: str) -> None:
    assert acknowledged(guardrails, customer, text)


@pytest.mark.parametrize(
    ("customer", "text"),
    [
        # "count on me" is no fault owned, "I know how to" no perspective
        ("The courier lost my parcel, I'm furious.", "You can count on me. I will contact the courier."),
        ("The app crashes on login, this is infuriating.", "I know how to fix this. Update the app to 4.2."),
        # a setback word about something else, not about the customer's situation
        ("My order never arrived and I'm fed up.", "Please share the order number."),
        # a tin of paint ("lata") is no exclamation about the situation
        ("La pintura llegó con la lata abollada, qué rabia.", "Le enviamos otra lata mañana."),
    ],
)
def test_still_not_acknowledgements(guardrails: Guardrails, customer: str, text: str) -> None:
    assert not acknowledged(guardrails, customer, text)
