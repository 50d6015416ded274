"""The latest request and the facts, by kind (issue 13): texts written for these tests only."""

from __future__ import annotations

import time

import pytest

from service.language.request import find_facts, find_request


@pytest.mark.parametrize(
    ("text", "language", "asked"),
    [
        # An order outweighs a rhetorical question before it.
        ("Who signed this off?? You billed me twice for one lamp. Undo the second charge today.", "en",
         "Undo the second charge today."),
        # A need without its subject.
        ("Need the spare key card before noon pls, checking out early", "en", "Need the spare key card"),
        # A question without its mark.
        ("hi team\nhow do i move my plan to the new flat", "en", "how do i move my plan"),
        # Imperatives by their shape: German "Sie", French "-ez", Spanish "vosotros", Portuguese clitic.
        ("Das Paket liegt seit Tagen im Depot. Stellen Sie es bitte morgen zu.", "de", "Stellen Sie es"),
        ("Le devis est faux depuis lundi. Corrigez-le avant vendredi.", "fr", "Corrigez-le"),
        ("Lleváis una semana sin contestar. Cambiadme la cita al jueves.", "es", "Cambiadme la cita"),
        ("A fatura veio em dobro. Explica-me o que aconteceu.", "pt", "Explica-me"),
        # Formal asks that the old cue list missed.
        ("Adjunto la factura del taller. Les ruego que revisen el importe.", "es", "Les ruego"),
        ("Notre abonnement a doublé. Merci de rétablir l'ancien tarif.\n\nMerci de votre aide,", "fr",
         "Merci de rétablir"),
        ("Exmos. Senhores,\n\nVenho por este meio solicitar a segunda via da fatura.\n\nCumprimentos", "pt",
         "solicitar a segunda via"),
        # An ultimatum is the request when nothing asks more plainly.
        ("Unless the boiler is repaired by Thursday I will hire my own plumber and bill you.", "en",
         "Unless the boiler"),
        ("Sollte die Gutschrift nicht bis Monatsende kommen, gehe ich zur Schlichtungsstelle.", "de",
         "Sollte die Gutschrift"),
        # A letter's closing formula asks for nothing; the ask before it is kept.
        ("Madame,\n\nJe souhaiterais transférer le contrat à mon fils.\n\n"
         "Veuillez agréer, Madame, mes salutations distinguées.", "fr", "Je souhaiterais transférer"),
    ],
)  # fmt: skip
def test_request_kinds(text: str, language: str, asked: str) -> None:
    found = find_request(text, language)
    assert found is not None
    assert asked in found.text


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("helloooo??", "en"),
        ("Ist da jemand?", "de"),
        ("Alguém aí??", "pt"),
        ("I just wanted to thank Priya for sorting out my router yesterday.", "en"),
        ("Queria agradecer ao Rui pela paciência de ontem.", "pt"),
        ("Please find attached the signed form and a copy of my ID.", "en"),
        ("Entrega perfeita, nota 10, viu?", "pt"),
    ],
)
def test_nudges_thanks_and_cover_notes_ask_for_nothing(text: str, language: str) -> None:
    assert find_request(text, language) is None


def kinds(text: str, language: str) -> set[tuple[str, str]]:
    return {(f.kind, f.text) for f in find_facts(text, language)}


@pytest.mark.parametrize(
    ("text", "language", "kind", "part"),
    [
        ("I've been waiting 35 minutes on the line.", "en", "date", "35 minutes"),
        ("Seit zwei Wochen kein Warmwasser.", "de", "date", "zwei Wochen"),
        ("Llevo cinco días sin luz.", "es", "date", "cinco días"),
        ("The engineer came on the 17th, nothing changed.", "en", "date", "the 17th"),
        ("A visita ficou marcada para dia 23.", "pt", "date", "dia 23"),
        ("Je l'ai commandé en octobre.", "fr", "date", "octobre"),
        ("It stopped working last Thursday.", "en", "date", "Thursday"),
        ("Ich brauche die Bescheinigung heute noch, sonst verfällt der Antrag.", "de", "deadline", "heute"),
        ("Can the technician come on Friday?", "en", "deadline", "Friday"),
        ("Il me faut le remboursement sous dix jours.", "fr", "deadline", "sous dix jours"),
        ("Peço a resposta no prazo de 5 dias úteis.", "pt", "deadline", "no prazo de 5 dias úteis"),
        ("Mi número de socio es 61-20457.", "es", "id", "61-20457"),
        ("Please block the card ending in 9031 right away.", "en", "id", "9031"),
        ("Rechnung zu Kundennr. 8830215 ist doppelt.", "de", "id", "8830215"),
        ("Abri três chamados (nº 5521, 5530 e 5544) sem resposta.", "pt", "id", "5544"),
        ("Paguei S/ 89.90 pelo plano.", "es", "amount", "S/ 89.90"),
        ("La app se cierra en mi celular cada vez que entro.", "es", "device", "celular"),
        ("O telemóvel não apanha rede.", "pt", "device", "telemóvel"),
        ("The shop sent me to the courier and the courier sent me back to you.", "en", "tried", "sent me to"),
        ("C'est la quatrième fois que je remplis ce formulaire.", "fr", "tried", "quatrième fois"),
    ],
)  # fmt: skip
def test_fact_kinds(text: str, language: str, kind: str, part: str) -> None:
    assert any(k == kind and part in found for k, found in kinds(text, language)), kinds(text, language)


def test_a_past_amount_of_time_is_not_a_deadline() -> None:
    found = kinds("I need help, it has been six weeks and nothing works.", "en")
    assert ("date", "six weeks") in found
    assert not any(kind == "deadline" for kind, _ in found)


def test_a_date_like_pair_is_not_an_id() -> None:
    assert not any(kind == "id" for kind, _ in kinds("Delivered 12-05, opened 14-05.", "en"))


def test_reading_a_long_hostile_message_stays_bounded() -> None:
    # Every new pattern at once, repeated: numbers, dashes, time words, conditions and orders.
    chunk = "Unless 12-345-6789 arrives on the 3rd within 4 days, send 5 times on Monday; ending in 1234 "
    text = chunk * (100_000 // len(chunk))
    started = time.perf_counter()
    find_request(text, "en")
    find_facts(text, "en")
    assert time.perf_counter() - started < 2.0
