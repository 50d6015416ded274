"""Register from the casual voice: slang vocatives and interjections alone, chat abbreviations
only beside a slang word; a formal frame wins; lower case, emoji and a plural "vous" show nothing."""

from __future__ import annotations

import pytest

from service.language.casual import read_casual
from service.language.cues import fold
from service.language.register import Register, read_register


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # Slang vocatives opening the line, after a greeting, or set off by punctuation.
        ("bro the order still hasn't shipped", "en"),
        ("thanks for checking, mate!", "en"),
        ("digga wo bleibt mein paket", "de"),
        ("parce, cómo hago para cambiar el pago", "es"),
        ("frérot si vous me remboursez pas je fais opposition", "fr"),
        ("oi, mano, o pedido não chegou", "pt"),
        # Slang interjections and laughter.
        ("omg the package finally came", "en"),
        ("boah, seit drei Wochen warte ich auf die Rückerstattung", "de"),
        ("jajaja no me lo puedo creer, llegó roto", "es"),
        ("wesh ma commande est où", "fr"),
        ("CARACA consegui o ingresso", "pt"),
        # Two weak kinds: a chat abbreviation and a slang word.
        ("mon pote dit que c'est nul mais je tente, tjrs rien reçu", "fr"),
        ("me llegaron las zapas porfa cambiádmelas", "es"),
    ],
)
def test_casual_voice_reads_informal(text: str, language: str) -> None:
    reading = read_register(text, language)
    assert reading.register is Register.informal
    assert reading.evidence is not None


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # A slang word that is not an address: "my bro", "la cara", "com a gente".
        ("my bro said the shop is closed today", "en"),
        ("a cara do aplicativo mudou e não acho o botão", "pt"),
        ("le mec du magasin m'a dit que le colis est perdu", "fr"),
        # One weak sign alone: an abbreviation, or a slang word.
        ("o desconto de estudante vale pro plano anual hj?", "pt"),
        ("mon pote m'a dit que le colis est bloqué", "fr"),
        # Lower case and emoji are the look of a text, not its address.
        ("someone logged into my account from brazil??? what do i do 😰", "en"),
        ("la commande est toujours pas arrivée 😤😤", "fr"),
        # A plural "vous"/"vocês" with nothing casual.
        ("vous pouvez vérifier ma commande ?", "fr"),
        ("vocês podem verificar meu pedido?", "pt"),
    ],
)
def test_one_weak_sign_or_none_stays_unknown(text: str, language: str) -> None:
    assert read_register(text, language).register is Register.unknown


def test_a_formal_frame_wins_over_casual_words() -> None:
    text = "Sehr geehrte Damen und Herren,\nboah, das Paket ist kaputt.\nMit freundlichen Grüßen"
    assert read_register(text, "de").register is Register.formal


def test_languages_without_a_table_read_nothing() -> None:
    assert not read_casual(fold("bro omg lol"), "it").informal
