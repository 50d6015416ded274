"""Register from the shape of address: verb morphology, capitals, letter openings, decisive "tu"."""

from __future__ import annotations

import pytest

from service.language.register import Register, read_register


@pytest.mark.parametrize(
    ("text", "language", "register"),
    [
        ("Wisst ihr, wann das Wasser wieder trinkbar ist?", "de", Register.informal),
        ("Bitte kündigt das Abo zum Monatsende.", "de", Register.informal),
        ("Ihr Techniker war heute nicht da.", "de", Register.formal),
        # "ihr" before a second-person plural verb; "Ihr" after a colon before a noun.
        ("Letzte Warnung: entweder ihr erstattet mir das Geld oder ich gehe.", "de", Register.informal),
        ("Ich wollte mich bedanken: Ihr Techniker hat die Heizung repariert.", "de", Register.formal),
        ("Das Velo-Abo bitte pausieren.\n\nFreundliche Grüsse\nR. Keller", "de", Register.formal),
        # Singular usted imperatives; plural "díganme" is ustedes and shows nothing.
        ("Oiga, ¿a qué hora cierran hoy la sucursal?", "es", Register.formal),
        ("Por favor, indíqueme el plazo de entrega.", "es", Register.formal),
        ("Solo díganme si el sillón llega el jueves.", "es", Register.unknown),
        ("¿Me ayudas con la configuración?", "es", Register.informal),
        ("Lo único que hacéis es darme largas.", "es", Register.informal),
        ("Buenos días:\n\nEl pedido 123 no ha llegado.", "es", Register.formal),
        ("¿Me podría indicar el plazo?", "es", Register.formal),
        ("Salut l'équipe, vous êtes géniaux. Tu pourrais m'aider ?", "fr", Register.informal),
        # "vous" to a company may be plural: no register without a letter frame (LABELLING.md).
        ("Aidez-moi, ma carte est bloquée.", "fr", Register.unknown),
        ("Madame, Monsieur, aidez-moi : ma carte est bloquée.", "fr", Register.formal),
        ("Ma box ne s'allume plus, vous pouvez passer ?\n\nCordialement,\nLéa", "fr", Register.formal),
        ("Obrigada, Inês, foste impecável ontem.", "pt", Register.informal),
        ("Dear HearWell team, my mother passed away.", "en", Register.formal),
        ("This is the third time I'm asking, guys.", "en", Register.informal),
        ("Please find the invoice below.", "en", Register.unknown),
    ],
)
def test_register_reads_the_shape_of_address(text: str, language: str, register: Register) -> None:
    assert read_register(text, language).register is register
