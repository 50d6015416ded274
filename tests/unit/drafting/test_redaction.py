"""PII redaction: what is found, what is left alone, and that restoring gives the text back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.drafting.redaction import Kind, Redaction, Redactor
from service.models import Thread

OPENAI_KEY = "sk-proj-QwErTyUiOpAsDfGhJkLzXcVbNm0123456789"
GITHUB_TOKEN = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    return Redactor.load()


def kinds(redactor: Redactor, text: str) -> list[tuple[str, Kind]]:
    return [(text[s.start : s.end], s.kind) for s in redactor.find(text)]


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("Write to me at dana.r+bill@example.co.uk please.", "dana.r+bill@example.co.uk", Kind.EMAIL),
        ("Call me on +1 (555) 123-4567 tomorrow", "+1 (555) 123-4567", Kind.PHONE),
        ("my mobile is 020 7946 0018.", "020 7946 0018", Kind.PHONE),
        ("WhatsApp +4915112345678", "+4915112345678", Kind.PHONE),
        ("Card 4111 1111 1111 1111 was charged", "4111 1111 1111 1111", Kind.CARD),
        ("card number 5500-0000-0000-0004, exp 12/27", "5500-0000-0000-0004", Kind.CARD),
        ("IBAN: DE89 3704 0044 0532 0130 00 THANKS", "DE89 3704 0044 0532 0130 00", Kind.IBAN),
        ("pay to GB29NWBK60161331926819.", "GB29NWBK60161331926819", Kind.IBAN),
        (f"my key {OPENAI_KEY} leaked", OPENAI_KEY, Kind.SECRET),
        (f"token {GITHUB_TOKEN}", GITHUB_TOKEN, Kind.SECRET),
        ("my password: Tr0ub4dor&3 and it fails", "Tr0ub4dor&3", Kind.PASSWORD),
        ("Mein Passwort ist Sommer2024! seit gestern", "Sommer2024!", Kind.PASSWORD),
    ],
)  # fmt: skip
def test_finds_each_kind(redactor: Redactor, text: str, value: str, kind: Kind) -> None:
    assert (value, kind) in kinds(redactor, text)


@pytest.mark.parametrize(
    "text",
    [
        "Order 12345678 arrived on 2024-03-15 at 10:30.",
        "The invoice total was 12 500 000 and the server is 192.168.10.20.",
        # Decision 159: after a card word a grouped 16-digit number is a card even when Luhn fails.
        "Ref 4111 1111 1111 1112 is not a valid number (Luhn).",
        "IBAN DE00 3704 0044 0532 0130 00 fails its check digits.",
        "I forgot my password: please reset it.",
        "Parcel 55127 and ticket #88231 are both late; version 2.3.10.",
    ],
)
def test_leaves_ordinary_text_alone(redactor: Redactor, text: str) -> None:
    assert redactor.find(text) == []


def test_same_value_same_placeholder_and_restore_round_trips(redactor: Redactor) -> None:
    redaction = redactor.session()
    first = redaction.redact("Mail dana@example.com or call +44 20 7946 0018.")
    second = redaction.redact("Again: dana@example.com, and also sam@example.org")
    assert first == "Mail [EMAIL_1] or call [PHONE_1]."
    assert second == "Again: [EMAIL_1], and also [EMAIL_2]"
    assert redaction.counts == {"EMAIL": 2, "PHONE": 1}
    draft = "We will write to [EMAIL_1] and call [PHONE_1]; [EMAIL_9] is not ours."
    assert redaction.restore(draft) == (
        "We will write to dana@example.com and call +44 20 7946 0018; [EMAIL_9] is not ours."
    )


def test_a_literal_placeholder_in_the_ticket_survives_the_round_trip(redactor: Redactor) -> None:
    redaction = redactor.session()
    text = "Your template printed [EMAIL_1] instead of my address, which is dana@example.com"
    redacted = redaction.redact(text)
    assert "dana@example.com" not in redacted
    assert redaction.restore(redacted) == text


def test_redact_thread_covers_every_free_text_field(redactor: Redactor) -> None:
    thread = Thread.model_validate(
        {
            "subject": "Card 4111111111111111 charged twice",
            "customer": {"name": "Dana Reyes", "email": "dana@example.com"},
            "agent": {"name": "Sam", "signature": "Sam, +1 555 010 9999"},
            "messages": [
                {"role": "customer", "body": "Hi, reach me at dana@example.com."},
                {"role": "agent", "body": "We called +1 555 010 9999."},
            ],
        }
    )
    redaction = redactor.session()
    redacted = redaction.redact_thread(thread)
    dumped = redacted.model_dump_json()
    for value in ("4111111111111111", "dana@example.com", "555 010 9999"):
        assert value not in dumped
    assert redacted.customer.name == "Dana Reyes"  # names stay: the reply greets the customer
    assert redacted.customer.email == "[EMAIL_1]"
    assert redacted.messages[0].body == "Hi, reach me at [EMAIL_1]."
    assert thread.customer.email == "dana@example.com"  # the original is untouched


_VALUES = st.sampled_from(
    ["dana@example.com", "+1 (555) 123-4567", "4111 1111 1111 1111", "GB29NWBK60161331926819", "[EMAIL_1]"]
)
_WORDS = st.text(alphabet=st.characters(categories=["L", "Zs"]), max_size=20)


@given(st.lists(st.tuples(_WORDS, _VALUES), max_size=5), _WORDS)
def test_restore_inverts_redact(parts: list[tuple[str, str]], tail: str) -> None:
    text = "".join(f"{words} {value} " for words, value in parts) + tail
    redaction: Redaction = _SHARED.session()
    redacted = redaction.redact(text)
    assert redaction.restore(redacted) == text
    for _, value in parts:
        if not value.startswith("["):
            assert value not in redacted


_SHARED = Redactor.load()


@given(st.lists(st.tuples(_WORDS, _VALUES), min_size=1, max_size=5), _WORDS, st.integers(min_value=0))
def test_a_part_holds_no_fragment_of_a_value(parts: list[tuple[str, str]], tail: str, cut: int) -> None:
    # The end of a long message is redacted on its own (the prompt keeps only that much): a value the
    # cut goes through is replaced whole, so the part is exactly the end of the full redaction.
    text = "".join(f"{words} {value} " for words, value in parts) + tail
    cut = cut % (len(text) + 1)
    redaction = _SHARED.session()
    whole = redaction.redact(text)
    part = redaction.redact_part(text, cut)  # same session: the same value has the same placeholder
    assert whole.endswith(part)
    assert redaction.restore(part).endswith(text[cut:])


@pytest.mark.parametrize(
    "text",
    [
        "2024-03-01 10:45:12 ERROR worker timeout",  # a timestamp
        "on 12/03/2024 14:05 it failed",
        "order 20240611-884 never came",  # an order id
        "invoice no. 4411 2290 88",
        "firmware 10.0.19045.3693",  # a version
    ],
)
def test_timestamps_versions_and_ids_are_facts_not_phone_numbers(redactor: Redactor, text: str) -> None:
    assert kinds(redactor, text) == []


def test_a_log_full_of_timestamps_keeps_them_and_still_finds_a_phone(redactor: Redactor) -> None:
    log = "".join(f"2026-03-14 09:12:{s:02d} POST /v2/orders -> 429\n" for s in range(60))
    found = kinds(redactor, log + "Call me on +44 20 7946 0958")
    assert found == [("+44 20 7946 0958", Kind.PHONE)]
