"""Register and disappointment after the spent set O (decision 160): the German possessive of
"ihr", a Portuguese tu verb after a clitic, expectations let down with an intensifier, loyalty
told as a lifetime, and mild understatement. New example text written for these tests; none is
copied from a development set."""

from __future__ import annotations

import pytest

from service.language.feelings import Feeling, read_feelings
from service.language.register import Register, read_register


@pytest.mark.parametrize(
    ("text", "language", "register"),
    [
        # "eurer" is the ihr paradigm like "euer"/"eure": informal (LABELLING.md).
        ("Die Hotline eurer Firma ist nie erreichbar.", "de", Register.informal),
        # A second-person singular verb after the clitic: European "tu".
        ("Quando me mandas a fatura?", "pt", Register.informal),
        ("Se não me respondes hoje, cancelo.", "pt", Register.informal),
        # "mais" after "me" is no verb; "nos" is also "in the", so it is left out.
        ("Isso não me interessa mais, quero só o reembolso.", "pt", Register.unknown),
        ("Nos dias de chuva a entrega atrasa?", "pt", Register.unknown),
    ],
)
def test_register_after_set_o(text: str, language: str, register: Register) -> None:
    assert read_register(text, language).register is register


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("honestly I expected so much more from a premium plan", "en"),
        ("esperaba bastante más de una marca así", "es"),
        ("ich hätte ehrlich gesagt viel mehr erwartet", "de"),
        ("je m'attendais à bien mieux pour ce prix", "fr"),
        ("esperava muito mais do plano novo", "pt"),
        ("sou cliente de longa data e agora isto", "pt"),
        ("client de longue date, et voilà comment on me traite", "fr"),
        ("la housse est arrivée tachée, pas génial", "fr"),
        ("die Verarbeitung ist nicht so optimal", "de"),
    ],
)
def test_disappointment_after_set_o(text: str, language: str) -> None:
    assert Feeling.disappointment in {r.feeling for r in read_feelings(text, language)}


def test_understatement_of_an_ideal_stays_frustration_only() -> None:
    # The writers split "not ideal" between frustration and disappointment; it stays frustration.
    kinds = {r.feeling for r in read_feelings("the delay is not ideal", "en")}
    assert Feeling.disappointment not in kinds


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # A leaving decided in the present, apostrophe-less chat included.
        ("sort it out today or im cancelling", "en"),
        ("si rien ne bouge demain je résilie", "fr"),
        ("encore une panne, je passe chez un autre opérateur", "fr"),
        ("si no lo arreglan, cancelo mi suscripción", "es"),
        ("wenn das so bleibt, ich kündige", "de"),
        ("se não resolverem, mudo para outra rede", "pt"),
    ],
)
def test_a_leaving_decided_in_the_present_is_a_threat(text: str, language: str) -> None:
    assert Feeling.threat in {r.feeling for r in read_feelings(text, language)}
