"""placeholder: unfilled template slots, with exact evidence spans."""

from __future__ import annotations

import pytest

from service.guardrails import Guardrails
from service.models import Severity

from .support import evidence, findings

RULE = "placeholder"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi [Name], thanks for writing.", ["[Name]"]),
        ("Dear [customer name],", ["[customer name]"]),
        ("Hi {{first_name}}, your order ships today.", ["{{first_name}}"]),
        ("Hi {{ ticket.requester.first_name }},", ["{{ ticket.requester.first_name }}"]),
        ("Hello {name}, welcome.", ["{name}"]),
        ("Hello <NAME>, welcome.", ["<NAME>"]),
        ("Your code is <insert code here>.", ["<insert code here>"]),
        ("Your order XXX has shipped.", ["XXX"]),
        ("TODO: add the refund amount.", ["TODO"]),
        ("Best regards,\n[Your Name]", ["[Your Name]"]),
        ("Hi %NAME%, your plan renews.", ["%NAME%"]),
        ("Hi $FIRST_NAME, your plan renews.", ["$FIRST_NAME"]),
        ("Hi ${first_name}, your plan renews.", ["${first_name}"]),
        ("Your order number is ____.", ["____"]),
        ("Delivery date: TBD.", ["TBD"]),
        ("Lorem ipsum dolor sit amet.", ["Lorem ipsum"]),
        ("Estimado [nombre del cliente]:", ["[nombre del cliente]"]),
        ("Hallo [Vorname], danke.", ["[Vorname]"]),
        ("Bonjour [prénom],", ["[prénom]"]),
        ("Olá <nome do cliente>,", ["<nome do cliente>"]),
        ("Link: [link to article]", ["[link to article]"]),
        ("Hi [first_name] and [CUSTOMER]!", ["[first_name]", "[CUSTOMER]"]),
        ("Call us at [...] anytime.", ["[...]"]),
    ],
)
def test_placeholders_are_found_with_exact_spans(
    guardrails: Guardrails, text: str, expected: list[str]
) -> None:
    report = guardrails.check(text)
    assert evidence(text, report, RULE) == expected
    assert all(f.severity is Severity.block for f in findings(report, RULE))


@pytest.mark.parametrize(
    "text",
    [
        "See the release notes [1] and the FAQ [2].",
        "Read the [docs](https://example.com/docs) first.",
        "![screenshot](https://example.com/a.png)",
        "See [the guide][1].\n\n[1]: https://example.com/guide",
        "- [x] export fixed\n- [ ] invoice resent",
        "Use <b>bold</b> or <br> where needed.",
        "Press <ENTER> to continue.",
        "Write to <support@example.com> or <https://example.com>.",
        "Your card ending xxxx-xxxx-xxxx-4242 was charged.",
        "Todo está listo, gracias por tu paciencia.",  # Spanish "todo" is a word
        "Your order [#12345] has shipped.",
        "Prices went up 20% and then 10% again.",
        "It costs $100 or about $ 90.",
        "Paragraph one.\n___\nParagraph two.",  # a markdown rule, not a blank
        "The function is called my__var.",
        "Use the dictionary {'a': 1}.",
        "Check the [sic] wording.",
    ],
)
def test_ordinary_text_is_not_a_placeholder(guardrails: Guardrails, text: str) -> None:
    assert findings(guardrails.check(text), RULE) == []


@pytest.mark.parametrize(
    "text",
    [
        "¡Sí, Adrián! Lo siento mucho.\n\n¡¡¡YA ESTÁ TODO SOLUCIONADO!!!",
        "Lo siento, pero ES IMPOSIBLE, ESTAMOS COMPLETOS TODO AGOSTO.",
        "Desculpe a demora. ESTÁ TODO RESOLVIDO, pode usar o cartão.",
    ],
)
def test_a_shouted_spanish_or_portuguese_todo_is_a_word(guardrails: Guardrails, text: str) -> None:
    assert findings(guardrails.check(text), RULE) == []


@pytest.mark.parametrize(
    "text",
    [
        "Hi Sam, sorry about the wait.\n\nTODO ADD TRACKING LINK\n\nBest, Jo",
        "Hola Ana, siento la espera.\n\nTODO: enlace de seguimiento\n\nUn saludo",
        "Olá Rui, lamento a demora. TODO",
    ],
)
def test_a_todo_marker_still_counts_beside_lower_case_or_in_english(
    guardrails: Guardrails, text: str
) -> None:
    assert evidence(text, guardrails.check(text), RULE) == ["TODO"]


def test_nested_or_overlapping_forms_are_reported_once(guardrails: Guardrails) -> None:
    text = "Hi {{first_name}}, about [XXX]."
    assert evidence(text, guardrails.check(text), RULE) == ["{{first_name}}", "[XXX]"]


def test_placeholders_inside_quotes_still_count(guardrails: Guardrails) -> None:
    # A template slot in quotes is still sent to the customer unfilled.
    text = 'Your name shows as "[Name]".'
    assert evidence(text, guardrails.check(text), RULE) == ["[Name]"]


def test_spans_point_into_the_original_text(guardrails: Guardrails) -> None:
    text = "Hi\u00a0\u00a0Ana,\r\n\r\nYour\u200b code is <insert\u00a0code>."
    assert evidence(text, guardrails.check(text), RULE) == ["<insert\u00a0code>"]


def test_message_names_the_kind_and_position_not_the_text(guardrails: Guardrails) -> None:
    text = "Hi <insert jane.doe@example.com here>,"
    [finding] = findings(guardrails.check(text), RULE)
    assert "jane.doe" not in finding.message
    assert f"at characters {finding.start}-{finding.end}" in finding.message


@pytest.mark.parametrize(
    "text",
    [
        "No app, vá em Conta > Plano e toque em [Cancelar assinatura].",
        "Öffnen Sie [Konto] > [Sicherheit] und tippen Sie auf [2FA aktivieren].",
        "Unter Bestellungen auf [Adresse bearbeiten] klicken und speichern.",
        "Add it to your bag and click [Place order] before 9pm.",
        "Entra a Mi cuenta > Facturación y pulsa [Descargar todo].",
        "Passez à l'offre Essentielle dans [Mon compte].",
        "Allez dans Administration > Utilisateurs et cliquez sur [Inviter un utilisateur].",
    ],
)
def test_ui_labels_in_brackets_are_not_slots(guardrails: Guardrails, text: str) -> None:
    assert findings(guardrails.check(text), RULE) == []


@pytest.mark.parametrize(
    "text",
    [
        "Add this to the config:\n\n    storage:\n      access_key_id: <ACCESS_KEY_ID>\n\nThen retry.",
        'Send it like this:\n\n    curl -H "Authorization: Bearer $TEST_TOKEN" https://api.example.com\n',
        'Use this:\n```python\nhmac.new(b"YOUR_SECRET", req.headers["X-Sig"])\n```\nDone.',
        "Set `token: ${PEDIDIX_TOKEN}` in the connector and restart it.",
    ],
)
def test_slots_inside_code_samples_are_instructions(guardrails: Guardrails, text: str) -> None:
    assert findings(guardrails.check(text), RULE) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Please click [Link] to continue.", ["[Link]"]),  # one slot word, even after a verb
        ("Hallo Herr Vogt, Ihre Vorgangsnummer: [TICKETNUMMER].", ["[TICKETNUMMER]"]),
        ("O código de rastreio é [código de rastreio].", ["[código de rastreio]"]),
        ("Best regards,\n[My Name]", ["[My Name]"]),
        ("Hi [Customer Name], thanks. Click [Place order] now.", ["[Customer Name]"]),
    ],
)
def test_slots_beside_labels_and_compound_slot_words_still_count(
    guardrails: Guardrails, text: str, expected: list[str]
) -> None:
    assert evidence(text, guardrails.check(text), RULE) == expected
