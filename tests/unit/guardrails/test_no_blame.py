"""no-blame: wording that puts the fault on the customer; negation and quotes aware."""

from __future__ import annotations

import pytest

from service.guardrails import Guardrails
from service.models import Severity

from .support import evidence, findings

RULE = "no-blame"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("You should have read the docs before upgrading.", ["You should have read"]),
        ("Honestly, this is your fault.", ["your fault"]),
        ("You failed to confirm the address.", ["You failed to"]),
        ("As I already told you, the export is weekly.", ["As I already told you"]),
        ("You didn't read the release notes.", ["You didn't read"]),
        ("This looks like user error.", ["user error"]),
        ("You must have done something wrong.", ["You must have done something wrong"]),
        ("You should\u2019ve backed up first.", ["You should\u2019ve backed up"]),
        ("YOU SHOULD HAVE CHECKED the settings.", ["YOU SHOULD HAVE CHECKED"]),
        ("Usted debería haber leído el manual.", ["debería haber leído"]),
        ("Es su culpa, no la nuestra.", ["Es su culpa"]),
        ("Como ya le dije, el plazo es de 5 días.", ["Como ya le dije"]),
        ("Sie hätten die Anleitung lesen sollen.", ["Sie hätten die Anleitung lesen sollen"]),
        ("Das ist Ihre Schuld.", ["Ihre Schuld"]),
        ("Wie bereits gesagt, dauert das zwei Tage.", ["Wie bereits gesagt"]),
        ("Vous auriez dû vérifier vos paramètres.", ["Vous auriez dû vérifier"]),
        ("C'est votre faute.", ["votre faute"]),
        ("Comme je vous l'ai déjà dit, c'est hebdomadaire.", ["Comme je vous l'ai déjà dit"]),
        ("Você deveria ter lido o manual.", ["Você deveria ter lido"]),
        ("A culpa é sua.", ["A culpa é sua"]),
        ("Como eu já disse, o prazo é de 5 dias.", ["Como eu já disse"]),
    ],
)
def test_blame_is_found_with_exact_spans(guardrails: Guardrails, text: str, expected: list[str]) -> None:
    report = guardrails.check(text)
    assert evidence(text, report, RULE) == expected
    for finding in findings(report, RULE):
        assert finding.severity is Severity.warn  # issue 12: ships as warn (README)
        assert finding.suggestion  # a non-blaming rewrite hint


@pytest.mark.parametrize(
    "text",
    [
        "This is not your fault.",
        "It's not your fault at all.",
        "None of this is your fault.",
        "This isn't your fault, and we'll fix it.",
        "You did nothing wrong.",
        "You didn't do anything wrong.",
        "Through no fault of your own, the sync stopped.",
        "This was not user error: it was our bug.",
        "No es su culpa.",
        "Das ist nicht Ihre Schuld.",
        "Ce n'est pas votre faute.",
        "Ce n'est pas de votre faute.",
        "Não é culpa sua.",
        "I don't think you did something wrong.",
    ],
)
def test_negated_blame_is_not_blame(guardrails: Guardrails, text: str) -> None:
    assert findings(guardrails.check(text), RULE) == []


@pytest.mark.parametrize(
    "text",
    [
        "You should have received a confirmation e-mail.",
        "You should have access now.",
        "You should have read access to the folder.",
        "You should have been refunded by now.",
        "Did you check your spam folder?",
        "In case you forgot to save, the draft is kept for 7 days.",
        "Sie hätten eine E-Mail erhalten sollen.",
        "Debería haber recibido un correo.",
    ],
)
def test_ordinary_helpdesk_phrasing_is_not_blame(guardrails: Guardrails, text: str) -> None:
    assert findings(guardrails.check(text), RULE) == []


@pytest.mark.parametrize(
    "text",
    [
        'You wrote "it is your fault, you should have read the docs" about your colleague.',
        "> As I already told you, this is user error.\n\nWe're sorry for the trouble.",
        "Vous avez écrit \u00abc'est votre faute\u00bb.",
    ],
)
def test_quoted_words_are_not_ours(guardrails: Guardrails, text: str) -> None:
    assert findings(guardrails.check(text), RULE) == []


def test_negation_does_not_reach_across_a_clause(guardrails: Guardrails) -> None:
    text = "No. This is your fault."
    assert evidence(text, guardrails.check(text), RULE) == ["your fault"]


def test_message_and_instruction_point_by_position(guardrails: Guardrails) -> None:
    text = "Hi, you should have read the FAQ."
    report = guardrails.check(text)
    [finding] = findings(report, RULE)
    assert finding.message == "Blames the customer at characters 4-24 ('you should have read')."
    [instruction] = [i for i in guardrails.reask_instructions(report) if "4-24" in i]
    assert "blames the customer" in instruction


@pytest.mark.parametrize(
    "text",
    [
        # the reproach read by structure: verbs no phrase lists
        "You should have unplugged the heater before leaving.",
        "Tendría que haber desactivado la renovación automática antes del viaje.",
        "Sie hätten den Filter vor dem ersten Waschgang herausnehmen müssen.",
        "Vous auriez dû débrancher la batterie avant l'hiver.",
        "Você deveria ter desligado o aquecedor antes de sair.",
        # competence questioned without an insult word
        "Some people really shouldn't be allowed to configure routers.",
        "Type it correctly this time, please.",
    ],
)
def test_reproach_kinds_are_blame(guardrails: Guardrails, text: str) -> None:
    assert findings(guardrails.check(text), RULE)


@pytest.mark.parametrize(
    "text",
    [
        "You should have received a tracking e-mail this morning.",
        "That is longer than you should have had to wait, and I'm sorry.",
        "Yo debería haber avisado antes del cambio de horario.",
        "Es más de lo que debería haber esperado cualquiera.",
        "Vous auriez dû recevoir le colis hier.",
        "Você deveria ter recebido o código por SMS.",
        "Sie hätten die Gutschrift gestern bekommen sollen.",
    ],
)
def test_expectation_self_blame_and_comparisons_are_not_reproach(guardrails: Guardrails, text: str) -> None:
    assert findings(guardrails.check(text), RULE) == []
