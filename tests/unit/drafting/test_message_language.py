"""read_message (what `tactful eval-messages` measures) picks its language as the thread analysis
does: one picker (analysis.choose_language), not lingua alone."""

from __future__ import annotations

import pytest

from service.language.analysis import analyse_thread
from service.language.understanding import message_language, read_message
from tests.unit.drafting.conftest import MakeThread


def test_lingua_cannot_pick_a_language_without_one_function_word_of_it() -> None:
    # lingua alone is over 0.9 sure this is French (decision 110).
    assert read_message("thx, it's the Cardilog KwikPen x5 + the pen needles").language == "en"


def test_a_message_too_short_for_lingua_falls_back_to_the_locale() -> None:
    assert message_language("ok", "pt-BR") == "pt"
    assert message_language("ok") == "en"


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("thx, it's the Cardilog KwikPen x5 + the pen needles", None),
        ("Obrigado pela ajuda, ficou tudo resolvido.", "pt-PT"),
        ("Hola, ¿me podéis decir cuándo llega el pedido?", None),
        ("Grüezi, mis Paket isch nöd acho.", "de-CH"),
        ("ok merci", "fr-FR"),
    ],
)
def test_one_message_and_a_one_message_thread_read_the_same_language(
    make_thread: MakeThread, text: str, locale: str | None
) -> None:
    thread = make_thread(text, customer={"name": "Dana Reyes", "locale": locale})
    assert message_language(text, locale) == analyse_thread(thread).language
