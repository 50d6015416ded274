"""Feelings read by structure (issue 13, decision 141): French elision, negation scope for
complaint words and spoken French, urgency that names a service, scare-quoted fixes, thanks for
a failure by congratulation, a named member of staff thanked, the time since a death. New example
text, written for these tests; none is copied from a development set."""

from __future__ import annotations

import pytest

from service.language.cues import CueSet
from service.language.feelings import Feeling
from tests.unit.drafting.kinds import feelings_of


def test_cue_set_reads_a_word_behind_an_elided_clitic() -> None:
    cues = CueSet([("incompétent*", "x"), ("ailleurs", "y")], elided=["d'", "l'"], whole=["d'ailleurs"])
    assert [p for _, _, p in cues.find([(0, 15, "d'incompétents")])] == ["x"]
    assert cues.find([(0, 10, "d'ailleurs")]) == []  # "besides", a word of its own
    assert [p for _, _, p in CueSet([("ailleurs", "y")]).find([(0, 8, "ailleurs")])] == ["y"]


@pytest.mark.parametrize(
    ("text", "feeling"),
    [
        ("Bande d'incompétents, vous avez encore perdu mon dossier.", Feeling.anger),
        ("J'appréhende la livraison, c'est pour l'anniversaire de ma fille demain.", Feeling.worry),
    ],
)
def test_french_feeling_words_are_read_after_an_elision(text: str, feeling: Feeling) -> None:
    assert feeling in feelings_of(text, "fr")


def test_d_ailleurs_is_not_going_elsewhere() -> None:
    assert Feeling.threat not in feelings_of("D'ailleurs, pouvez-vous me dire le prix du forfait ?", "fr")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("This is not a complaint, I only want to know why the price changed.", "en"),
        ("No es una queja, solo quiero saber por qué cambió el precio.", "es"),
        ("Ce n'est pas une plainte, je voudrais juste comprendre le tarif.", "fr"),
        ("Não é uma queixa, só quero perceber porque mudou o preço.", "pt"),
    ],
)
def test_a_negated_complaint_word_is_no_threat(text: str, language: str) -> None:
    assert Feeling.threat not in feelings_of(text, language)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("If this is not fixed by Friday I will file a complaint with the ombudsman.", "en"),
        ("Si no me devuelven el dinero, presentaré una reclamación en consumo.", "es"),
        ("Si ce n'est pas réglé, je saisirai le médiateur.", "fr"),
        ("Se não resolverem, apresentarei queixa no Livro de Reclamações.", "pt"),
        ("Wenn das nicht geklärt wird, werde ich mich beschweren.", "de"),
    ],
)
def test_a_conditional_threat_survives_the_negation_inside_its_condition(text: str, language: str) -> None:
    assert Feeling.threat in feelings_of(text, language)


def test_spoken_french_negation_after_the_verb() -> None:
    assert Feeling.worry not in feelings_of("t'inquiète pas, je voulais juste savoir le prix", "fr")
    assert Feeling.worry in feelings_of("je m'inquiète pour ma commande", "fr")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("How much is the urgent delivery option to Cardiff?", "en"),
        ("¿Cuánto cuesta el envío urgente a Sevilla?", "es"),
        ("Combien coûte la livraison urgente vers Lyon ?", "fr"),
        ("Quanto custa a entrega urgente para o Porto?", "pt"),
    ],
)
def test_urgent_as_the_name_of_a_service_is_no_urgency(text: str, language: str) -> None:
    assert Feeling.urgency not in feelings_of(text, language)


def test_urgent_about_the_customer_is_still_urgency() -> None:
    assert Feeling.urgency in feelings_of(
        "It's urgent, my delivery address is wrong and it ships today.", "en"
    )


def test_a_fix_in_scare_quotes_is_no_fix() -> None:
    text = "The 'repaired' boiler broke down again overnight. Lovely."
    assert Feeling.sarcasm in feelings_of(text, "en")


def test_a_fix_reported_keeps_praise_sincere() -> None:
    assert Feeling.sarcasm not in feelings_of("The engineer repaired the boiler in an hour. Lovely.", "en")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Congrats on the new app, it logs me out every two minutes.", "en"),
        ("Enhorabuena por la nueva app, me echa cada dos minutos sin avisar.", "es"),
        ("Bravo pour la nouvelle appli, elle plante sans arrêt depuis hier.", "fr"),
        ("Parabéns pela nova aplicação, que falha sempre que a abro.", "pt"),
        ("Glückwunsch zum neuen Update, seitdem stürzt alles ständig ab.", "de"),
    ],
)
def test_congratulations_for_a_failure_are_sarcasm(text: str, language: str) -> None:
    kinds = feelings_of(text, language)
    assert Feeling.sarcasm in kinds
    assert Feeling.gratitude not in kinds


def test_thanks_with_the_handle_as_a_vocative_reach_their_object() -> None:
    text = "Vielen herzlichen Dank, @NetzNord, für die 'kurze Wartung' von drei Tagen."
    kinds = feelings_of(text, "de")
    assert Feeling.sarcasm in kinds
    assert Feeling.gratitude not in kinds


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Quería agradecer a Marta, del chat, que me resolvió en cinco minutos lo que llevaba meses.", "es"),
        ("Je voulais remercier Karim du service client, après des semaines de galère il a tout réglé.", "fr"),
        ("Queria agradecer à Beatriz do atendimento, resolveu num dia o que se arrastava há meses.", "pt"),
        ("Ich möchte mich bei Frau Lehmann aus der Hotline bedanken, nach Wochen endlich gelöst.", "de"),
    ],
)
def test_a_named_helper_thanked_is_gratitude_not_irony(text: str, language: str) -> None:
    kinds = feelings_of(text, language)
    assert Feeling.gratitude in kinds
    assert Feeling.sarcasm not in kinds


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # A company thanked by name is no member of staff: the irony stays.
        ("Thanks Ryanair team for losing my bag twice in a month.", "en"),
        # A signature after "Thanks," is the writer, not a helper.
        ("The export still fails every night.\nThanks,\nPriya\nData team", "en"),
    ],
)
def test_no_named_helper_without_a_person_thanked(text: str, language: str) -> None:
    assert Feeling.gratitude not in feelings_of(text, language)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Mi padre falleció hace tres semanas y necesito dar de baja su línea.", "es"),
        ("O meu pai faleceu há duas semanas e preciso de cancelar o contrato dele.", "pt"),
    ],
)
def test_the_time_since_a_death_is_no_wait(text: str, language: str) -> None:
    kinds = feelings_of(text, language)
    assert Feeling.grief in kinds
    assert Feeling.frustration not in kinds


def test_the_customer_apologising_for_the_bother_is_no_anger() -> None:
    text = "Mi madre falleció y necesito cerrar su cuenta. Disculpen las molestias."
    assert Feeling.anger not in feelings_of(text, "es")


def test_an_occasion_against_the_clock_with_a_stake_is_the_deadline() -> None:
    text = "Le colis est bloqué depuis jeudi. C'est le cadeau d'anniversaire de mon fils, samedi 12."
    kinds = feelings_of(text, "fr")
    assert Feeling.excitement not in kinds
    assert Feeling.worry in kinds
    assert Feeling.excitement in feelings_of("It's my birthday on Friday and I ordered a cake!", "en")
