"""Thanks aimed at a failure is sarcasm, in the forms the thanks verb takes (issue 13, decision
134): an adverb between thanks and "for", an infinitive ("remercier pour"), a contracted
preposition ("obrigado pela"). New example text, written for these tests."""

from __future__ import annotations

import pytest

from service.language.feelings import Feeling
from tests.unit.drafting.kinds import feelings_of


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Many thanks for the third cancelled appointment in a row. When can someone come?", "en"),
        ("Je tiens à vous remercier sincèrement pour ce troisième colis perdu. Où est ma commande ?", "fr"),
        ("Obrigado pela terceira fatura errada este ano. Quando corrigem?", "pt"),
        ("Vielen herzlichen Dank, dass Sie die Lieferung zum dritten Mal verschoben haben.", "de"),
    ],
)
def test_thanks_for_a_failure_is_sarcasm(text: str, language: str) -> None:
    kinds = feelings_of(text, language)
    assert Feeling.sarcasm in kinds
    assert Feeling.gratitude not in kinds


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Many thanks for fixing the boiler so quickly, it works again.", "en"),
        ("Obrigado pela ajuda, o reembolso já chegou!", "pt"),
    ],
)
def test_thanks_for_a_fix_stays_gratitude(text: str, language: str) -> None:
    kinds = feelings_of(text, language)
    assert Feeling.gratitude in kinds
    assert Feeling.sarcasm not in kinds
