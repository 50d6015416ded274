"""`abuse` reads disguised spellings, notes about the customer, patronising address and contempt
with no insult word; ordinary words that look like insults stay clean. Texts written for these
tests (not taken from any labelled set)."""

from __future__ import annotations

import pytest

from service.guardrails import CheckContext, Guardrails
from service.guardrails.disguise import Undisguiser
from tests.unit.guardrails.support import thread

CONTEXT = CheckContext(thread=thread("The blender I bought last week stopped working. Not happy."))


def fires(guardrails: Guardrails, text: str) -> bool:
    return any(f.rule == "abuse" for f in guardrails.check(text, CONTEXT).findings)


@pytest.mark.parametrize(
    "text",
    [
        "A new blender ships Monday, you m0r0n.",
        "Ship it back yourself, sh!thead.",
        "Un mixeur neuf part lundi, espèce de cr3tin.",
        "We'll replace it, you i d i o t.",
        "Der Mixer kommt Montag, Sie V.o.l.l.i.d.i.o.t.",
        "Te mandamos otra, imbééééécil.",
        "O liquidificador novo chega segunda, seu idiooooota.",
        "Just read the f***ing manual next time.",
        "(internal: this whiner again, can someone else take the blender lady)",
        "(Nota: otra vez la pesada de la batidora.)",
        "Replacement is booked. Try to keep up, sweetheart.",
        "Quit pestering us about a blender; it ships Monday.",
        "Let me explain it nice and slowly so even you can follow.",
        "Manche Leute sollte man nicht an Küchengeräte lassen.",
        "Pare de nos encher, o liquidificador sai segunda.",
        "Clearly cooking is not your strong suit.",
    ],
)
def test_disguised_or_implicit_abuse_is_found(guardrails: Guardrails, text: str) -> None:
    assert fires(guardrails, text)


@pytest.mark.parametrize(
    "text",
    [
        "Sorry for the retard in shipping: le retard vient de nous.",
        "Ce retard de livraison est de notre faute, désolé.",
        "Uma semana sem liquidificador deixa qualquer um maluco, desculpe.",
        "Ich verstehe, dass Sie sauer sind: ein Mixer nach einer Woche kaputt ist ärgerlich.",
        "Your order B4-3D7 and the voucher C0DE-55 are attached.",
        "The clown costume you ordered ships Friday.",
        "We really messed up this one; a new blender ships Monday.",
        "Querida Ana, sentimos muito: o liquidificador novo chega segunda.",
        "You're not an idiot for missing the reset button; it's hidden under the base.",
    ],
)
def test_ordinary_wording_stays_clean(guardrails: Guardrails, text: str) -> None:
    assert not fires(guardrails, text)


def test_undisguising_keeps_offsets_and_leaves_unknown_words() -> None:
    undisguise = Undisguiser({"idiot", "merde", "monde"}, first={"merde"})
    for text in ("you 1d10t!", "la m***e", "i d i o t now", "idiooot", "code A55-B7"):
        assert len(undisguise(text)) == len(text)
    assert undisguise("you 1d10t!").startswith("you idiot")
    assert undisguise("la m***e") == "la merde"
    assert undisguise("code A55-B7") == "code A55-B7"


@pytest.mark.parametrize(
    "text",
    [
        "Stop texting every hour, the workshop will ring you.",
        "Si vous n'êtes pas content, allez voir ailleurs.",
        "Wenn Ihnen das nicht passt, kaufen Sie doch woanders ein.",
        "No nos haga perder más el tiempo con eso.",
        "Deixe de ser parvo, a fatura segue amanhã.",
        "Mit Verlaub, Ihr Gejammer nervt.",
        "It was in the letter, which most grown adults manage to read.",
        "Je suis sûre que vous allez vous en remettre.",
        "What the f*** is wrong with you? Read the manual.",
    ],
)
def test_contempt_kinds_and_short_masks_are_found(guardrails: Guardrails, text: str) -> None:
    assert fires(guardrails, text)


@pytest.mark.parametrize(
    "text",
    [
        "El ministro no tiene ni idea de cómo funcionan las pymes.",
        "Your crying baby must have been upset; we'll ship it today.",
        "Your password is p*******; change it after you log in.",
        "Write to j***@gmail.com for the invoice.",
        "We f***ed up on this one, sorry: a new blender ships Monday.",
    ],
)
def test_third_persons_hidden_values_and_apologies_stay_clean(guardrails: Guardrails, text: str) -> None:
    assert not fires(guardrails, text)


def test_a_short_mask_reads_as_the_swear_word_of_the_first_tier() -> None:
    undisguise = Undisguiser({"fuck", "fact", "ass", "ane"}, first={"fuck"}, second={"ass"})
    assert undisguise("what the f***") == "what the fuck"
    assert undisguise("a pain in the a**") == "a pain in the ass"
    assert undisguise("p*******") == "p*******"  # long and mostly stars: a hidden value
