"""pii: cards (Luhn), IBANs (mod-97), e-mail addresses and phone numbers; the customer's own allowed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.guardrails import CheckContext, Guardrails
from service.guardrails.rules.pii import iban_ok, luhn_ok
from service.models import Severity, Thread

from .support import evidence, findings

RULE = "pii"
THREAD = Thread.model_validate(
    {
        "customer": {"name": "Ana", "email": "ana.lopez@correo.es"},
        "agent": {"name": "Sam", "signature": "Sam Lee\nAcme Support\n+44 20 7946 0000"},
        "messages": [
            {
                "role": "customer",
                "body": "Call me on +34 612 345 678 or write to ana.work@empresa.es. "
                "My IBAN is ES91 2100 0418 4502 0005 1332.",
            }
        ],
    }
)
OWN = CheckContext(thread=THREAD)


def test_checksums() -> None:
    assert luhn_ok("4111111111111111")
    assert not luhn_ok("4111111111111112")
    assert iban_ok("DE89370400440532013000")
    assert not iban_ok("DE89370400440532013001")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Your card 4111 1111 1111 1111 was charged.", ["4111 1111 1111 1111"]),
        ("Card 5500-0000-0000-0004 is on file.", ["5500-0000-0000-0004"]),
        ("Paid from DE89 3704 0044 0532 0130 00 yesterday.", ["DE89 3704 0044 0532 0130 00"]),
        ("Paid from DE89370400440532013000.", ["DE89370400440532013000"]),
        ("I cc'd bob.smith@gmail.com on this.", ["bob.smith@gmail.com"]),
        ("Ring him on +1 415 555 0199 today.", ["+1 415 555 0199"]),
        ("His number is (020) 7946 0018.", ["(020) 7946 0018"]),
        ("Her mobile: 0612 345 678.", ["0612 345 678"]),
    ],
)
def test_personal_data_is_found_with_exact_spans(
    guardrails: Guardrails, text: str, expected: list[str]
) -> None:
    report = guardrails.check(text, OWN)
    assert evidence(text, report, RULE) == expected
    for finding in findings(report, RULE):
        assert finding.severity is Severity.warn  # issue 12: ships as warn (README)
        assert expected[0] not in finding.message
        assert expected[0] not in (finding.suggestion or "")


@pytest.mark.parametrize(
    "text",
    [
        "Order 4111111111111112 ships today.",  # fails Luhn: a reference, not a card
        "Your order number is 123456789012.",
        "Invoice 2024-11-03, ticket #88213, total 1,234.56 EUR.",
        "Opening hours 09.00-17.00, server 192.168.100.200.",
        "The card ending in 4242 was refunded.",
        "Card **** **** **** 4242 was refunded.",
        "Write to support@acme.com or billing@acme.com.",
        "See user@example.com in the docs.",
        "We sent it to ana.lopez@correo.es and ana.work@empresa.es.",  # the customer's own
        "We will call you on +34 612 345 678.",  # the customer's own
        "The refund went to ES91 2100 0418 4502 0005 1332.",  # the customer's own
        "Or call us on +44 20 7946 0999 any time.",  # our own line
        "Sam Lee\nAcme Support\n+44 20 7946 0000",  # the agent's signature
    ],
)
def test_not_personal_data_or_the_customers_own(guardrails: Guardrails, text: str) -> None:
    assert findings(guardrails.check(text, OWN), RULE) == []


def test_without_a_thread_nothing_is_the_customers_own(guardrails: Guardrails) -> None:
    text = "We will call you on +34 612 345 678."
    assert evidence(text, guardrails.check(text), RULE) == ["+34 612 345 678"]


def test_the_customers_own_card_is_never_repeated(guardrails: Guardrails) -> None:
    card = "4111 1111 1111 1111"
    thread = THREAD.model_copy(
        update={"messages": [THREAD.messages[0].model_copy(update={"body": f"My card {card} failed."})]}
    )
    text = f"We retried {card}."
    assert evidence(text, guardrails.check(text, CheckContext(thread=thread)), RULE) == [card]


@pytest.mark.parametrize(
    "text",
    [
        "If the app still refuses, our evening desk picks up on 0800 612 4410.",
        "Questions about the boiler? 030 5550 7712, weekdays until six.",
        "Para cualquier duda, la oficina atiende en el 915 550 123.",
        "Qualquer dúvida: (21) 3555-0198, de segunda a sexta.",
        "La boutique répond au 04 72 55 01 90 du lundi au samedi.",
        "Our courier partner's desk is on 0345 555 0166.",  # a landline shape, no person named
    ],
)
def test_a_company_line_with_no_person_is_not_personal_data(guardrails: Guardrails, text: str) -> None:
    assert findings(guardrails.check(text, OWN), RULE) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The parcel went to Mr Okoye; you can reach him on 0161 555 0734.", ["0161 555 0734"]),
        ("Der Nachbar hat unterschrieben, Tel. 0176 5550 9921.", ["0176 5550 9921"]),
        ("Lo firmó la vecina del segundo, 655 210 904.", ["655 210 904"]),
        ("Le livreur a laissé le colis chez Mme Roche, 07 55 01 22 98.", ["07 55 01 22 98"]),
        ("O pacote ficou com o vizinho, (31) 99555-0123.", ["(31) 99555-0123"]),
    ],
)
def test_someone_elses_line_is_personal_data(guardrails: Guardrails, text: str, expected: list[str]) -> None:
    assert evidence(text, guardrails.check(text, OWN), RULE) == expected


def test_addresses_on_documentation_domains_are_judged_by_their_local_part(guardrails: Guardrails) -> None:
    thread = THREAD.model_copy(update={"customer": THREAD.customer.model_copy(update={"name": "Ana Lopez"})})
    own = CheckContext(thread=thread)
    mixed = "Your parcels were swapped with priya.nair@example.com's at the depot."
    assert evidence(mixed, guardrails.check(mixed, own), RULE) == ["priya.nair@example.com"]
    for clean in (
        "Just to check: is this the account for a.lopez@example.org?",  # her own name
        "Type your address as name@example.com in the form.",  # a stand-in
        "Connect with postgres://reader:s3cr3t@db.example.net:5432/shop.",  # URL user info
    ):
        assert findings(guardrails.check(clean, own), RULE) == [], clean


def _luhn_reference(digits: str) -> bool:
    """The textbook loop luhn_ok replaced (issue 12): the answers must not move."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


@given(st.text(alphabet="0123456789\u0660\u0661\u0667\uff10\uff19", max_size=30))
def test_luhn_ok_matches_the_textbook_loop(digits: str) -> None:
    assert luhn_ok(digits) == _luhn_reference(digits)


def test_luhn_ok_on_ascii_and_other_decimal_digits() -> None:
    assert luhn_ok("4111111111111111")
    assert luhn_ok("79927398713")
    assert not luhn_ok("79927398710")
    # The same card number in Arabic-Indic digits: int() reads them, and so does the check.
    arabic_digits = "".join(chr(0x0660 + d) for d in range(10))
    arabic = "4111111111111111".translate(str.maketrans("0123456789", arabic_digits))
    assert luhn_ok(arabic)
    assert not luhn_ok(arabic[:-1] + "\u0662")
