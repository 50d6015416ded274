"""Sarcasm by structure, and the limits of negation and quoting it relies on (decision 103).

The sentences are written for these tests, not taken from any labelled set.
"""

from __future__ import annotations

import pytest

from service.language.feelings import Feeling, mask_quoted, read_feelings


def feelings(text: str, language: str) -> set[Feeling]:
    return {r.feeling for r in read_feelings(text, language)}


def test_short_scare_quotes_do_not_blank_the_words_between_them() -> None:
    text = 'The app says "paid", my bank says otherwise, and the fourth "paid" invoice is still open.'
    assert mask_quoted(text) == text
    quoted = 'She wrote "we will sort it out for you tomorrow" and then nothing.'
    assert "sort it out" not in mask_quoted(quoted)
    assert len(mask_quoted(quoted)) == len(quoted)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # A negation in the sentence before does not cancel praise that is irony.
        ("They hung up on me without a word. A service worthy of a medal, bravo 👏", "en"),
        ("Me colgaron sin decir nada. Un servicio de diez, de verdad 👏👏", "es"),
        ("Le livreur est reparti sans sonner. Bravo, vraiment 👏", "fr"),
        # Thanks for a failure, in the German "danke, dass ..." shape.
        ("Danke, dass ihr meine Bestellung zum dritten Mal storniert habt. Respekt.", "de"),
        ("Merci d'avoir perdu mon colis une deuxième fois.", "fr"),
    ],
)
def test_praise_aimed_at_a_failure_is_sarcasm(text: str, language: str) -> None:
    assert Feeling.sarcasm in feelings(text, language)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("It would be great if someone answered this time, it's the third e-mail.", "en"),
        ("Seria ótimo se desta vez alguém me respondesse.", "pt"),
        ("Es wäre super, wenn sich diesmal jemand meldet.", "de"),
        ("Ce serait génial si quelqu'un me rappelait enfin.", "fr"),
        ("Sería genial que esta vez alguien me contestara.", "es"),
    ],
)
def test_a_wish_is_not_sarcasm(text: str, language: str) -> None:
    assert Feeling.sarcasm not in feelings(text, language)


def test_an_eye_roll_is_exasperation_not_sarcasm() -> None:
    found = feelings("Still no refund... 🙄", "en")
    assert Feeling.frustration in found
    assert Feeling.sarcasm not in found


def test_bare_praise_stays_sincere_next_to_warm_thanks() -> None:
    text = "Mil gracias a Lucía, fue genial con la configuración. Desde esta mañana ya vendo online."
    assert Feeling.sarcasm not in feelings(text, "es")


def test_a_negation_stops_at_the_end_of_its_sentence() -> None:
    # "no" ends its sentence; the anger in the next one is not negated by it.
    assert Feeling.anger in feelings("Did anyone call me? No. This is outrageous.", "en")
    assert Feeling.anger not in feelings("I'm not angry, just confused about the bill.", "en")


@pytest.mark.parametrize(
    ("text", "language", "urgent"),
    [
        # How fast something went is not time left.
        ("Your team sorted the whole thing in 10 minutes, thank you!", "en", False),
        ("O técnico resolveu tudo em 15 minutos, obrigada!", "pt", False),
        # Time left with a stake in the sentence is.
        ("My flight leaves in 2 hours and the app rejects my boarding pass.", "en", True),
        # A deadline preposition before a date wins over "del" read as "since".
        ("Les pido que anulen el cargo antes del 30 de noviembre.", "es", True),
        # Naming a due date or running out of patience is not time pressure.
        ("When is the deadline for paying the deposit?", "en", False),
        ("I'm running out of patience with this invoice.", "en", False),
    ],
)
def test_urgency_needs_a_time_pressure_on_the_customer(text: str, language: str, urgent: bool) -> None:
    assert (Feeling.urgency in feelings(text, language)) is urgent
