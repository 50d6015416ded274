"""The offline composer reads the customer and the notes (issue 13's rubric review, by kind).

Each test is one kind of failure the review found: notes that hold the answer, the wrong emotion,
restatements that quote non-requests, a DM asked of a customer already in DM, the wrong register
or variant, channel words, and deadlines. The texts are written here, not taken from the review.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from service.drafting.composer import compose_offline, compose_offline_with_gaps
from service.drafting.note_outcomes import read_note_outcomes
from service.drafting.prompts import PromptBuilder
from service.guardrails import CheckContext, load_guardrails
from service.language.analysis import analyse_thread
from service.language.data import read_data_files
from service.models import Thread
from tests.unit.drafting.conftest import PROMPTS, REPO, MakeThread

REVIEW_PATHS = sorted((REPO / "seeds" / "threads-review").glob("*.json"))


def draft(thread: Thread) -> str:
    return compose_offline(thread, analyse_thread(thread))


def note(body: str, when: str = "2026-04-02T10:00:00Z") -> dict[str, Any]:
    return {"role": "note", "body": body, "created_at": when}


def said(body: str, when: str, role: str = "customer") -> dict[str, Any]:
    return {"role": role, "body": body, "created_at": when}


# --- notes that hold the answer -------------------------------------------------------------------


def test_a_refund_note_is_told_with_reference_amount_date_and_timeline(make_thread: MakeThread) -> None:
    thread = make_thread(
        "Hola, me cobraron dos veces la cuota de abril. ¿Me pueden decir si me lo devuelven?",
        note(
            "Cobro doble verificado. Reembolso emitido el 02/04, ref. DV-20417, 19,90 € a la tarjeta. "
            "El banco tarda de 3 a 5 días hábiles."
        ),
    )
    reply = draft(thread)
    assert "DV-20417" in reply
    assert "19,90 €" in reply
    assert "02/04" in reply
    assert "3 a 5 días hábiles" in reply
    assert "revisando" not in reply  # no "still looking into it" when the note says it is done
    assert "Cobro doble verificado" not in reply  # the note's own sentence is never copied


def test_a_date_cut_off_by_the_sentence_splitter_still_belongs_to_its_action(make_thread: MakeThread) -> None:
    thread = make_thread(
        "Hallo, meine Kaution für die Buchung ist immer noch nicht zurück.",
        note("Kaution wurde am 03.04. freigegeben, Referenz FG-55021. Bank braucht 5–10 Werktage."),
    )
    reply = draft(thread)
    assert "Die Kaution (FG-55021) wurde am 03.04. freigegeben." in reply
    assert "innerhalb von 5–10 Werktagen" in reply


def test_an_abbreviation_does_not_cut_the_reference_off_and_today_is_the_notes_date(
    make_thread: MakeThread,
) -> None:
    thread = make_thread(
        "I was charged twice for April. When will I get my money back?",
        note(
            "Duplicate confirmed. Refund issued today, ref. RF-22019. Bank takes 3-5 business days.",
            when="2026-04-07T09:00:00Z",
        ),
    )
    reply = draft(thread)
    assert "The refund (RF-22019) was issued on 07/04." in reply
    assert "3-5 business days" in reply


def test_a_negated_outcome_is_not_an_outcome(make_thread: MakeThread) -> None:
    thread = make_thread(
        "Where is my refund for order 4471?",
        note("Refund not issued yet: waiting for the warehouse to scan the return."),
    )
    assert read_note_outcomes(thread, "en").outcomes == ()
    composed = compose_offline_with_gaps(thread, analyse_thread(thread))
    assert "was issued" not in composed.text
    assert composed.gaps
    assert "notes" in composed.gaps[0].message


def test_a_booking_confirmed_in_a_note_is_confirmed_to_the_customer(make_thread: MakeThread) -> None:
    thread = make_thread(
        "My booking shows as cancelled in the app and I fly out tomorrow morning. Is it still valid?",
        note("Booking HX-77120 confirmed with the hotel by phone; the app shows a stale status (known bug)."),
        channel="chat",
    )
    reply = draft(thread)
    assert "the booking (HX-77120) is confirmed and active" in reply
    assert "known problem on our side" in reply
    assert "known bug" not in reply  # our words, not the note's


def test_a_hold_that_needs_a_callback_is_never_unlocked_in_chat(make_thread: MakeThread) -> None:
    thread = make_thread(
        "Mein Konto ist gesperrt und ich muss heute die Miete überweisen. Kannst du das bitte entsperren?",
        note(
            "Konto unter Betrugsprüfung. Nicht entsperren ohne Rückruf. Sicherheitsteam ruft innerhalb "
            "von 2 Stunden zurück."
        ),
        channel="chat",
    )
    reply = draft(thread)
    assert "innerhalb von 2 Stunden" in reply
    assert "nicht hier aufheben" in reply
    assert "Betrug" not in reply
    assert re.search(r"\b(?:dir|dich|du)\b", reply)  # the customer wrote "du"
    assert not re.search(r"\b(?:Ihnen|Sie)\b", reply)


# --- the right emotion ----------------------------------------------------------------------------


def test_grief_gets_condolence_not_worry(make_thread: MakeThread) -> None:
    thread = make_thread(
        "My mother passed away last month and I need to close her account. What do I need to send?",
        subject="Closing my late mother's account",
    )
    reply = draft(thread)
    assert "sorry for your loss" in reply
    assert "worrying" not in reply
    assert "frustrating" not in reply


def test_excitement_is_shared_not_met_with_frustration(make_thread: MakeThread) -> None:
    reply = draft(
        make_thread(
            "We just got our very first customer order, so excited!! How do I print the shipping label?"
        )
    )
    assert "wonderful news" in reply
    assert "frustrat" not in reply
    assert "upset" not in reply


def test_a_calm_technical_question_is_not_called_upset(make_thread: MakeThread) -> None:
    reply = draft(make_thread("Quick question: does the export API paginate results above 1,000 rows?"))
    assert not re.search(r"upset|frustrat|worr", reply)


def test_a_customer_who_had_to_chase_us_gets_an_apology_for_the_wait(make_thread: MakeThread) -> None:
    thread = make_thread(
        said("My parcel never arrived, order 5512.", "2026-04-01T09:00:00Z"),
        said("Thanks, we're checking with the courier.", "2026-04-01T10:00:00Z", role="agent"),
        said("It has been four days and nobody has come back to me.", "2026-04-05T09:00:00Z"),
    )
    assert "sorry you've had to wait" in draft(thread)


# --- restatement ----------------------------------------------------------------------------------


def test_an_upset_customers_rebuke_is_not_quoted_back(make_thread: MakeThread) -> None:
    thread = make_thread(
        "Das ist wirklich eine Frechheit, seit Wochen nichts. Soll ich euch das per Brieftaube schicken?",
        subject="Kaution seit drei Wochen blockiert",
    )
    reply = draft(thread)
    assert "Brieftaube" not in reply
    # Nothing of theirs can be turned: nothing is said back, not even the subject (decision 138).
    assert "Kaution seit drei Wochen blockiert" not in reply


def test_a_short_chase_is_not_restated_as_the_issue(make_thread: MakeThread) -> None:
    reply = draft(make_thread("any update??", subject="Internet down since Wednesday"))
    assert "any update" not in reply
    assert "Internet down since Wednesday" not in reply  # nor the subject (decision 138)


def test_a_list_marker_is_not_part_of_the_question(make_thread: MakeThread) -> None:
    reply = draft(make_thread("1) How do I add a weight to each product in my shop?"))
    assert "1)" not in reply
    assert "You would like to know how to add a weight to each product in your shop." in reply


# --- social and channel ---------------------------------------------------------------------------


def test_no_private_message_is_asked_of_a_customer_already_in_one(make_thread: MakeThread) -> None:
    reply = draft(
        make_thread(
            "@Shop my parcel went to the wrong door. [DM] sent you the order number.", channel="social"
        )
    )
    assert "private message" not in reply


def test_a_web_form_ticket_is_not_told_to_reply_to_an_email(make_thread: MakeThread) -> None:
    reply = draft(make_thread("How can I export my invoices as one PDF?", channel="other"))
    assert "email" not in reply


# --- register and variant -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "extra", "expected", "absent"),
    [
        (
            "Hallo, kannst du mir sagen, wie ich den Zeitplan ändere? Du bist meine letzte Hoffnung.",
            {},
            " dir ",
            " Ihnen ",
        ),
        ("Salut, tu peux me dire comment changer mon forfait ? Merci à toi.", {}, " t'", " vous "),
        ("Hola, ¿me puedes decir cómo cambio mi plan? Tú sabrás.", {}, " te ", " le "),
        (
            "Che, ¿vos me podés decir cómo cambio el plan? Contame.",
            {"customer": {"name": "Dana", "locale": "es-AR"}},
            "podés",
            " puede ",
        ),
    ],
)
def test_informal_customers_are_answered_informally(
    make_thread: MakeThread, body: str, extra: dict[str, Any], expected: str, absent: str
) -> None:
    thread = make_thread(body, **extra)
    assert analyse_thread(thread).register.value == "informal"
    reply = draft(thread)
    assert expected in f" {reply} "
    assert absent not in f" {reply} "


def test_european_portuguese_never_gets_brazilian_forms(make_thread: MakeThread) -> None:
    thread = make_thread(
        "Bom dia, estou a tentar exportar o ficheiro para a contabilista e não consigo.",
        customer={"name": "Inês", "locale": "pt-PT"},
        channel="other",
    )
    reply = draft(thread)
    assert "Equipa" in reply or "equipa" in reply or "Irei" in reply
    for brazilian in ("você", "Equipe", "verificando", "estou cuidando"):
        assert brazilian not in reply


def test_the_salutation_of_our_earlier_turn_is_kept(make_thread: MakeThread) -> None:
    thread = make_thread(
        said("Sehr geehrte Damen und Herren, ich widerspreche der Abrechnung.", "2026-04-01T09:00:00Z"),
        said(
            "Sehr geehrter Herr Dr. Brandt,\n\nwir prüfen Ihren Widerspruch.", "2026-04-01T11:00:00Z", "agent"
        ),
        said("Ich erwarte eine schriftliche Bestätigung.", "2026-04-01T12:00:00Z"),
        customer={"name": "Dr. Paul Brandt"},
    )
    assert draft(thread).startswith("Sehr geehrter Herr Dr. Brandt,")


def test_a_title_goes_with_the_surname_in_a_formal_greeting(make_thread: MakeThread) -> None:
    thread = make_thread(
        "My parcel is late.", customer={"name": "Dr. Helen Carter"}, options={"tone": "formal"}
    )
    assert draft(thread).startswith("Dear Dr. Carter,")


# --- deadlines ------------------------------------------------------------------------------------


def test_a_deadline_is_acknowledged_when_we_have_the_facts(make_thread: MakeThread) -> None:
    thread = make_thread(
        "My flight is tomorrow morning and the deposit is still blocked on my card. "
        "Can you do anything tonight?",
        note("Deposit released on 16/06, ref. DR-55120. Banks take 5 to 10 working days."),
        channel="sms",
    )
    reply = draft(thread)
    assert "time is short" in reply
    assert "DR-55120" in reply


# --- the review threads: guardrails, notes never copied, data hashed --------------------------------


@pytest.mark.parametrize("path", REVIEW_PATHS, ids=lambda p: p.stem)
def test_review_thread_drafts_acknowledge_and_never_copy_notes(path: Path) -> None:
    thread = Thread.model_validate(json.loads(path.read_text(encoding="utf-8")))
    analysis = analyse_thread(thread)
    reply = compose_offline(thread, analysis)
    report = load_guardrails().check(reply, CheckContext(thread=thread, analysis=analysis))
    assert not report.failed("acknowledgement"), reply
    assert not report.has_blocking(), report.findings
    for message in thread.messages:
        if message.role.value == "note":
            words = message.body.split()
            runs = {" ".join(words[i : i + 6]) for i in range(len(words) - 5)}
            assert not any(run in reply for run in runs)


def test_the_composer_tables_are_hashed_into_the_prompt_version() -> None:
    files = read_data_files()
    assert {"composer_voice.yaml", "note_outcomes.yaml"} <= set(files)
    assert PromptBuilder(PROMPTS, token_budget=6000).version
