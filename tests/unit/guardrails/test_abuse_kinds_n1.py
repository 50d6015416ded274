"""Decision 152 (issue 12): abuse and secret kinds from development set N1, in five languages.

abuse: threats of harm or retaliation, a public call to laugh at the customer, sarcastic praise
("a gift for ..."), "someone with a brain", age condescension, the customer compared to herding
animals, repeated whining. Negatives: the same words about a thing, a swear word that curses a
thing after it ("de los cojones"), a capitalised name with a rude word, banter with a smile,
"not my problem" (a refusal, not an insult), a plain address on file.
secret: a PIN, a card's secret code or a Wi-Fi key announced with a short number, recovery codes
listed after their name. Negatives: a PIN macro with no value, masked tails, order numbers.
"""

from __future__ import annotations

import pytest

from service.guardrails import CheckContext, Guardrails

from .support import thread

CONTEXT = CheckContext(thread=thread("My order is late and nobody answers my messages."))


def _fires(guardrails: Guardrails, rule: str, text: str) -> bool:
    return any(f.rule == rule for f in guardrails.check(text, CONTEXT).findings)


@pytest.mark.parametrize(
    "reply",
    [
        # threats
        "Talk to me like that again and you'll regret it. The engineer comes Monday.",
        "Sigue así y te vas a arrepentir. El técnico va el lunes.",
        "Noch ein Wort und Sie werden es bereuen. Der Techniker kommt Montag.",
        "Encore un mot et vous allez le regretter. Le technicien passe lundi.",
        "Fala assim de novo e você vai se arrepender. O técnico vai segunda.",
        # veiled retaliation
        "Complainers have a funny way of getting their orders delayed. DM us.",
        "Los clientes problemáticos suelen esperar más. Escríbenos.",
        "On a bonne mémoire, vous savez. Écrivez-nous en privé.",
        # public mockery: a call to onlookers and a laughing face
        "Gather round, everyone: Sam can't find the power button 😂 It's on the left, Sam.",
        "Leute, Jonas findet den Knopf nicht 🤣 Links, Jonas.",
        "Galera, a Ana não acha o botão 🤡 Fica à esquerda.",
        # sarcastic praise
        "Impressive. You clearly have a real talent for breaking chargers. A new one is on its way.",
        "Bravo : il faut un vrai don pour casser trois câbles. Le nouveau part demain.",
        "Respekt, das muss man erst mal hinbekommen. Das Ersatzteil kommt morgen.",
        # someone with a brain
        "Next time ask someone with a brain to fit it. The part ships today.",
        "La próxima vez que lo monte alguien con dos dedos de frente. La pieza sale hoy.",
        "Da próxima vez, peça para alguém com cérebro instalar. A peça sai hoje.",
        # age
        "At your age these apps are confusing, I know. Tap the green button.",
        "À votre âge, c'est normal de ne pas comprendre. Appuyez sur le bouton vert.",
        # herding animals
        "Helping customers like you is like herding cats. The refund is done.",
        "Kunden wie Sie zu betreuen ist wie Flöhe hüten. Die Gebühr ist storniert.",
        # an exclamation, an insulting adjective, the customer closing the clause
        "Ya voy, hombre, qué pesadito eres. Dame el número de pedido.",
        "Neta, qué pinche necio eres, wey. El servidor está perfecto.",
        # repeated whining
        "Your repeated whining on the phone does not speed anything up.",
        "Ihr ständiges Gejammer bindet unsere Kapazitäten.",
        "Solicitamos que cesse o mimimi por telefone.",
    ],
)
def test_abuse_kinds_fire(guardrails: Guardrails, reply: str) -> None:
    assert _fires(guardrails, "abuse", reply)


@pytest.mark.parametrize(
    "reply",
    [
        "El dichoso sistema de etiquetas de los cojones falló toda la semana; siento el retraso.",
        "Te recomiendo el tinto Cojón de Gato, un Somontano con mucho cuerpo.",
        "Tom, you'll never let us live down the Great Cheese Delay 😄 Sorry it was late again.",
        "Haha, everyone loves that one 😂 Your box ships Monday.",
        "Things have a funny way of working out: your parcel turned up this morning.",
        "You have a real eye for design, and the new colours are in stock.",
        "We have your address on file and the courier comes Thursday.",
        "Benutzerfehler oder nicht, das Ersatzteil kommt morgen.",
        "Helping customers like you is what we love; the refund is on its way.",
        "Que chato você ter perdido a visita por isso. Já remarquei para amanhã às 9h.",
    ],
)
def test_clean_replies_pass(guardrails: Guardrails, reply: str) -> None:
    assert not _fires(guardrails, "abuse", reply)


@pytest.mark.parametrize(
    "reply",
    [
        "I can see it here: the PIN for your new card is 4817. Please change it at any cash machine.",
        "Ihre neue PIN lautet 6153. Ändern Sie sie bitte am Automaten.",
        "Le code confidentiel de votre nouvelle carte est 3571.",
        "O PIN do seu novo cartão é 8042.",
        "Ihr Netz heißt Box-7590 und der WLAN-Schlüssel ist 4829 1173 5560 9021.",
        "I've generated new recovery codes for you:\n8412-5530\n7721-0094\n3306-1187",
        "Voici vos codes de secours :\n47QX-92LM\n18ZR-63TN",
        "aquí tienes tus códigos de recuperación:\n- 5521-8830\n- 1947-2265",
    ],
)
def test_announced_numbers_are_secrets(guardrails: Guardrails, reply: str) -> None:
    assert _fires(guardrails, "secret", reply)


@pytest.mark.parametrize(
    "reply",
    [
        "Your new PIN will arrive by post within 5 working days; we never send it by e-mail.",
        "The PIN is the 4-digit number in the letter we posted.",
        "The charge went to the Visa ending ****1234.",
        "Your order 4817-2231 ships today.",
        "You can create new recovery codes under Settings > Security.",
    ],
)
def test_no_value_no_secret(guardrails: Guardrails, reply: str) -> None:
    assert not _fires(guardrails, "secret", reply)
