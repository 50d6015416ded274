"""One home for what was written twice (decision 151): the customer's name, titles, menu paths,
the negation scope and the casual words of address, each read the same way by every reader."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from service.drafting.names import customer_names, is_title_word
from service.drafting.note_outcomes import read_note_outcomes
from service.drafting.note_relay import read_relayed
from service.drafting.voice import salutation_table
from service.language.casual import address_words, read_casual
from service.language.cues import fold
from service.language.feelings import Feeling, read_feelings
from service.language.menu_path import has_menu_path, menu_paths, without_menu_paths
from service.language.negation import negated_before, words_before
from service.language.register import Register, read_register
from service.models import Thread
from tests.unit.drafting.kinds import note_thread


def _named(name: str) -> Thread:
    data: dict[str, Any] = {"customer": {"name": name}, "messages": [{"role": "customer", "body": "Hi"}]}
    return Thread.model_validate(data)


@pytest.mark.parametrize(
    ("name", "first"),
    [
        ("Dr. Ana Souza", "Ana"),
        ("Mr Dennis Harwood", "Dennis"),  # the note relay read "Mr" as the first name
        ("Don Johnson", "Don"),  # an English first name, not the Spanish title
        ("Señora Lucía Pérez", "Lucía"),
        ("Jean-Luc Martin", "Jean-Luc"),  # the note relay skipped a hyphenated first name
        ("LENA VOGEL", "Lena"),
        ("[Name]", ""),
        ("ana@example.com", ""),
    ],
)
def test_one_first_name_for_every_reader(name: str, first: str) -> None:
    assert customer_names(_named(name))[0] == first


def test_the_titles_are_the_salutation_tables_own() -> None:
    for table in salutation_table().titles.values():
        for key in table:
            assert is_title_word(key.capitalize() + ".")
    assert not is_title_word("Don")


def test_the_note_relay_reads_the_customers_name_without_its_title() -> None:
    thread = note_thread(
        "How do I get my deposit back?",
        "Dennis needs to send the signed form by post.",
        name="Mr Dennis Harwood",
    )
    relayed = read_relayed(thread, "en")
    assert relayed
    assert "send the signed form by post" in relayed[0].phrase


@pytest.mark.parametrize(
    "text",
    ["Settings > Security", "Minha Conta › Documentos", "Einstellungen → Konto", "Conta 😀 > Pagamentos"],
)
def test_a_menu_path_is_one_reading(text: str) -> None:
    assert has_menu_path(f"Go to {text}.")
    assert menu_paths(text) == [(0, len(text))]
    assert without_menu_paths(f"({text})", "#") == "(#)"


@pytest.mark.parametrize("text", ["> a quoted line", "Total\n> 3 items", "Plan 2 > 3", "no arrow at all"])
def test_a_quote_or_a_comparison_is_no_menu_path(text: str) -> None:
    assert not has_menu_path(text)
    assert without_menu_paths(text) == text


def test_a_negation_stops_at_its_clause() -> None:
    assert words_before(fold("no: refund"), 4, 3) == []
    assert words_before(fold("not yet refunded"), 8, 3) == ["not", "yet"]
    assert negated_before(fold("il n'a remboursé"), 8, frozenset(), 3)  # the elided French "n'"
    assert not negated_before(fold("ohne App.\nFix kommt"), 11, frozenset({"ohne"}), 3)


def test_a_colon_ends_the_negations_reach_for_a_feeling() -> None:
    assert Feeling.frustration in {r.feeling for r in read_feelings("No refund yet: so frustrating.", "en")}


def test_a_note_outcome_after_a_colon_is_not_negated() -> None:
    thread = note_thread(
        "Where is my refund?", "Not possible by card: refund issued by transfer, ref RF-2231."
    )
    assert "refund_issued" in [o.kind for o in read_note_outcomes(thread, "en").outcomes]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("thanks mate, still no parcel", "en"),
        ("oi mano, cadê meu pedido", "pt"),
        ("hallo leute, wo bleibt das", "de"),
    ],
)
def test_the_casual_words_of_address_count_with_the_pronouns(text: str, language: str) -> None:
    assert read_register(text, language).register is Register.informal


def test_no_casual_word_is_listed_twice() -> None:
    """A word the address counts (register.yaml's grammar or casual_voice.yaml's `address`) is
    never in a casual kind as well: the casual voice is read only when the address shows nothing."""
    data = Path(__file__).resolve().parents[3] / "service" / "language" / "data"
    register = yaml.safe_load((data / "register.yaml").read_text(encoding="utf-8"))["address"]
    casual = yaml.safe_load((data / "casual_voice.yaml").read_text(encoding="utf-8"))["languages"]
    for language, kinds in casual.items():
        counted = set(register[language]["informal"]) | set(address_words(language))
        assert set(kinds["address"]) == set(address_words(language))
        assert not counted & set(register[language]["formal"])
        for kind in ("vocatives", "interjections", "abbreviations", "slang"):
            assert not counted & set(kinds[kind]), (language, kind)
    assert not read_casual(fold("mate"), "en").informal  # counted by the address, not here
