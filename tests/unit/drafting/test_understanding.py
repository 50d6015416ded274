"""Reading a customer message: sentences, language, feelings, register, variant, request, facts."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import pytest

from service.cli import main
from service.language.analysis import analyse_thread
from service.language.detect import detect
from service.language.feelings import Feeling, read_feelings
from service.language.register import Register, read_register, read_variant
from service.language.request import find_facts, find_request
from service.language.sentences import sentence_spans
from tests.unit.drafting.conftest import MakeThread

DEV = Path(__file__).resolve().parents[3] / "seeds" / "messages" / "dev"


def sentences(text: str, language: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text, language)]


@pytest.mark.parametrize(
    ("text", "language", "first"),
    [
        ("Auf unserer Rechnung vom 1. März 2024 steht ein Fehler. Bitte prüfen.", "de",
         "Auf unserer Rechnung vom 1. März 2024 steht ein Fehler."),
        ("On Jan. 3 Dr. Smith paid $49.99 for v2.3.1. It failed.", "en",
         "On Jan. 3 Dr. Smith paid $49.99 for v2.3.1."),
        ("O Sr. Silva pagou 49,90 € no dia 3. Não chegou nada.", "pt", "O Sr. Silva pagou 49,90 € no dia 3."),
    ],
)  # fmt: skip
def test_sentences_do_not_split_at_dates_or_abbreviations(text: str, language: str, first: str) -> None:
    assert sentences(text, language)[0] == first


def test_sentences_have_exact_offsets() -> None:
    text = "Hello!\n\nMy order 123 is late.  Where is it?\nThanks"
    for start, end in sentence_spans(text, "en"):
        assert text[start:end].strip() == text[start:end]
    assert sentences(text, "en") == ["Hello!", "My order 123 is late.", "Where is it?", "Thanks"]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hola, mi pedido no ha llegado todavía y necesito saber dónde está.", "es"),
        ("Olá, o meu telemóvel não liga desde ontem e preciso dele para trabalhar.", "pt"),
        ("Bonjour, ma commande n'est toujours pas arrivée, pouvez-vous vérifier ?", "fr"),
        ("Hallo, meine Bestellung ist noch nicht angekommen, können Sie nachsehen?", "de"),
        ("Hi, my parcel still hasn't arrived and I need it for the weekend.", "en"),
    ],
)
def test_language_is_one_of_our_five(text: str, language: str) -> None:
    found = detect(text)
    assert found is not None
    assert found[0] == language


@pytest.mark.parametrize(
    ("text", "language", "feelings"),
    [
        ("I'm not angry, just confused about the two charges.", "en", set()),
        ("Thanks in advance for checking my order status.", "en", set()),
        ("My husband passed away in March and I need to close his account.", "en", {Feeling.grief}),
        ("Great job losing my parcel, really. Third week waiting.", "en", {Feeling.sarcasm}),
        ("If this isn't fixed by Friday I'm filing a chargeback.", "en", {Feeling.threat, Feeling.urgency}),
        ("Muchísimas gracias, me habéis salvado el viaje.", "es", {Feeling.gratitude}),
        ("Ich bin wirklich enttäuscht, ich habe mehr erwartet.", "de", {Feeling.disappointment}),
        ("J'en ai marre, c'est la troisième fois !", "fr", {Feeling.anger, Feeling.frustration}),
        ("Estou muito preocupada, fiz um Pix e o dinheiro sumiu.", "pt", {Feeling.worry}),
    ],
)  # fmt: skip
def test_feelings(text: str, language: str, feelings: set[Feeling]) -> None:
    found = {r.feeling for r in read_feelings(text, language)}
    assert feelings <= found
    if not feelings:
        assert not found & {Feeling.anger, Feeling.gratitude}


def test_feelings_carry_intensity_and_exact_evidence() -> None:
    text = "This is absolutely unacceptable. I am really worried about my savings."
    readings = {r.feeling: r for r in read_feelings(text, "en")}
    assert readings[Feeling.anger].intensity == 3
    assert readings[Feeling.worry].intensity >= 2
    for reading in readings.values():
        for evidence in reading.evidence:
            assert text[evidence.start : evidence.end] == evidence.text


@pytest.mark.parametrize(
    ("text", "language", "register"),
    [
        ("Kannst du mir bitte sagen, wo mein Paket ist?", "de", Register.informal),
        ("Können Sie mir bitte sagen, wo mein Paket ist?", "de", Register.formal),
        ("Sehr geehrte Damen und Herren, mein Paket fehlt.", "de", Register.formal),
        ("Tu peux annuler ma réservation ?", "fr", Register.informal),
        ("Pourriez-vous annuler ma réservation ?", "fr", Register.unknown),
        ("Monsieur, pourriez-vous annuler ma réservation ?", "fr", Register.formal),
        ("¿Puede usted revisar mi factura?", "es", Register.formal),
        ("Oye, ¿puedes revisar mi factura?", "es", Register.informal),
        ("Dear Sir or Madam, my order is missing.", "en", Register.formal),
        ("Where is my order?", "en", Register.unknown),
    ],
)
def test_register(text: str, language: str, register: Register) -> None:
    assert read_register(text, language).register is register


@pytest.mark.parametrize(
    ("text", "language", "locale", "variant"),
    [
        ("O meu telemóvel está a reiniciar sozinho.", "pt", None, "pt-PT"),
        ("Meu celular está reiniciando sozinho.", "pt", None, "pt-BR"),
        ("Mi ordenador no arranca, ¿podéis ayudarme?", "es", None, "es-ES"),
        ("Mi computadora no prende, ¿ustedes me pueden ayudar?", "es", None, "es-419"),
        ("Hola, no funciona.", "es", "es-MX", "es-419"),
        ("Olá, não funciona.", "pt", None, None),
        ("Bonjour, rien ne marche.", "fr", None, "fr"),
    ],
)
def test_variant(text: str, language: str, locale: str | None, variant: str | None) -> None:
    assert read_variant(text, language, locale) == variant


def test_request_and_facts() -> None:
    text = (
        "Hi team, since 2026-03-14 09:12:33 every call to /v2/orders fails with "
        '"HTTP 429 Too Many Requests". '
        "I already rotated the API key. Order 20240611-884 for $1,200.00 is stuck. "
        "Can you raise our limit before Friday?"
    )
    request = find_request(text, "en")
    assert request is not None
    assert request.text == "Can you raise our limit before Friday?"
    kinds = {(f.kind, f.text) for f in find_facts(text, "en")}
    assert ("date", "2026-03-14 09:12:33") in kinds  # a timestamp is a fact, not a phone number
    assert ("amount", "$1,200.00") in kinds
    assert ("deadline", "before Friday") in kinds
    assert any(kind == "id" and "20240611" in value for kind, value in kinds)
    assert any(kind == "tried" for kind, _ in kinds)
    assert any(kind == "error" and "429" in value for kind, value in kinds)


def test_a_message_that_only_vents_has_no_request() -> None:
    assert find_request("Third time this month. Unbelievable.", "en") is None


def test_a_100000_character_message_is_analysed_in_bounded_time(make_thread: MakeThread) -> None:
    log = "".join(
        f"2026-03-14 09:{m:02d}:{s:02d} worker-3 ERROR export timeout after 30s\n"
        for m in range(60)
        for s in range(60)
    )
    body = ("How do I export last month's invoices? " + log)[:100_000]
    thread = make_thread(body)
    analysis = analyse_thread(thread)  # warm the caches (lingua, pysbd, cue tables)
    timings = []
    for _ in range(3):
        began = time.process_time()  # CPU time: other processes on a busy machine do not count
        analysis = analyse_thread(thread)
        timings.append(time.process_time() - began)
    # A few tens of milliseconds of CPU; the bound leaves room for a slow CI machine.
    assert statistics.median(timings) < 0.25
    assert analysis.request is not None
    assert analysis.request.text == "How do I export last month's invoices?"


def test_eval_messages_prints_the_figures(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval-messages", str(DEV), "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["cases"] >= 500
    for key in ("macro_f1_feelings", "any_negative_f1", "register_accuracy", "variant_accuracy"):
        assert 0.0 <= figures[key] <= 1.0
    assert set(figures["macro_f1_per_language"]) >= {"en", "es", "fr", "pt"}


def test_eval_messages_rejects_a_folder_without_cases(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(["eval-messages", str(tmp_path)])
    assert "no labelled messages" in capsys.readouterr().err


def test_lemma_forms_are_generated_from_the_feelings_table() -> None:
    pytest.importorskip("simplemma")
    import yaml

    from service.language.lemma_forms import DATA, build

    assert yaml.safe_load((DATA / "lemma_forms.yaml").read_text(encoding="utf-8")) == build()
