"""Notes that settle the matter are given to the customer instead of "I'm checking" (issue 13).

Every example is new text, written for these tests: a visit booked with its window, a request
approved with its validity, a deadline extended, a fix with its date, an item ready to collect, a
credit applied. A note about another matter is not volunteered, and the note's wording never
reaches the customer.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from service.drafting.composer import compose_offline_with_gaps
from service.drafting.note_outcomes import read_note_outcomes
from service.language.analysis import analyse_thread
from tests.unit.drafting.conftest import MakeThread

_WHEN = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)


def _note(body: str) -> dict[str, Any]:
    return {"role": "note", "body": body, "created_at": _WHEN.isoformat()}


CASES = [
    pytest.param(
        "en",
        "Our kitchen tap has been leaking for a week. When is the plumber visit going to happen?",
        "Plumber visit scheduled for 14/03, slot 8:00-10:00, tech will ring 30 min before.",
        "visit_booked",
        ["14/03", "8:00", "10:00"],
        id="en-visit",
    ),
    pytest.param(
        "es",
        "Envié la solicitud de beca hace dos semanas y sigo sin saber nada. ¿Está aprobada o no?",
        "Solicitud de beca BEC-2026-4471 aprobada por el comité, válida hasta el 30/06/2026.",
        "request_approved",
        ["BEC-2026-4471", "30/06"],
        id="es-approved",
    ),
    pytest.param(
        "de",
        "Die Überweisung für die Kursgebühr ist wegen eurer Störung nicht durchgegangen. "
        "Verliere ich meinen Platz?",
        "Zahlungsfrist für alle Betroffenen bis 20.03. 18:00 verlängert, Platz bleibt reserviert.",
        "deadline_extended",
        ["20.03.", "18:00"],
        id="de-deadline",
    ),
    pytest.param(
        "fr",
        "Depuis la mise à jour, l'application plante dès que j'ouvre mes relevés. "
        "Une correction est prévue ?",
        "Bug connu côté appli (ticket interne MOB-8812). Le correctif sort le 18/03 sur les stores.",
        "fix_scheduled",
        ["18/03"],
        id="fr-fix",
    ),
    pytest.param(
        "pt",
        "Fiz a encomenda dos óculos há dez dias. Já posso ir buscar na loja?",
        "Óculos prontos na loja do Chiado desde hoje às 15h, cliente paga o restante no balcão.",
        "ready_for_collection",
        ["15h"],
        id="pt-ready",
    ),
    pytest.param(
        "en",
        "You charged my card twice for the March subscription. I want the extra charge back.",
        "Duplicate charge confirmed. Credit of £24.00 applied to the customer's account today, ref CR-55120.",
        "credit_applied",
        ["£24.00", "CR-55120"],
        id="en-credit",
    ),
]


@pytest.mark.parametrize(("language", "asked", "note", "kind", "facts"), CASES)
def test_a_settling_note_is_given_to_the_customer_not_a_stall(
    make_thread: MakeThread, language: str, asked: str, note: str, kind: str, facts: list[str]
) -> None:
    thread = make_thread(asked, _note(note), channel="email")
    analysis = analyse_thread(thread)
    assert analysis.language == language
    found = read_note_outcomes(thread, analysis.language)
    assert kind in [o.kind for o in found.outcomes]
    composed = compose_offline_with_gaps(thread, analysis)
    for fact in facts:
        assert fact in composed.text
    assert not composed.gaps  # nothing left for the agent to fill in
    # Our words, not the note's: no sentence of the note reaches the customer.
    for sentence in note.split(". "):
        assert sentence.rstrip(".") not in composed.text
    assert "MOB-8812" not in composed.text  # an internal ticket is not a customer reference


def test_a_note_about_another_matter_is_not_volunteered(make_thread: MakeThread) -> None:
    thread = make_thread(
        "My online banking app stopped sending login codes this morning. How do I get in?",
        _note("Customer phoned last week about raising the overdraft limit. Application approved, done."),
        channel="email",
    )
    analysis = analyse_thread(thread)
    found = read_note_outcomes(thread, analysis.language)
    assert "request_approved" not in [o.kind for o in found.outcomes]
    composed = compose_offline_with_gaps(thread, analysis)
    assert "approved" not in composed.text
    assert composed.gaps  # the agent is told the draft cannot know


def test_a_plan_without_a_date_is_no_answer(make_thread: MakeThread) -> None:
    thread = make_thread(
        "The export button has been greyed out since Monday. Is a fix coming?",
        _note("Engineering says a fix is planned, no date yet. Do not promise one."),
        channel="email",
    )
    analysis = analyse_thread(thread)
    assert "fix_scheduled" not in [o.kind for o in read_note_outcomes(thread, analysis.language).outcomes]


@pytest.mark.parametrize(
    ("asked", "note", "said", "not_said"),
    [
        pytest.param(
            "The boiler service was missed again. When can someone come instead?",
            "Engineer slots free: Tue 17/03 8:00-12:00 or Thu 19/03 13:00-17:00 (book via dispatch).",
            ["17/03 from 8:00 to 12:00", "19/03 from 13:00 to 17:00"],
            ["dispatch"],
            id="en-two-windows",
        ),
        pytest.param(
            "Preciso remarcar a vacina do meu filho, hoje não consigo ir. Tem outro horário?",
            "Vagas na sexta 20/03 às 10h e às 15h30 com a enfermeira Rita (confirmar até quinta 18h).",
            ["20/03 às 10h", "15h30"],
            ["18h", "Rita"],
            id="pt-two-times-one-day",
        ),
    ],
)
def test_offered_slots_are_given_with_their_dates_and_times(
    make_thread: MakeThread, asked: str, note: str, said: list[str], not_said: list[str]
) -> None:
    thread = make_thread(asked, _note(note), channel="email")
    composed = compose_offline_with_gaps(thread, analyse_thread(thread))
    for fact in said:
        assert fact in composed.text
    for detail in not_said:
        assert detail not in composed.text
    assert not composed.gaps


def test_a_start_date_alone_is_not_an_offered_slot(make_thread: MakeThread) -> None:
    thread = make_thread(
        "Is my room still booked? The app says cancelled.",
        _note("Night shift at reception confirms the stay from 12/05, three nights, paid."),
        channel="email",
    )
    found = read_note_outcomes(thread, analyse_thread(thread).language)
    assert "slots_offered" not in [o.kind for o in found.outcomes]


def test_a_restoration_estimate_is_said_as_an_expectation(make_thread: MakeThread) -> None:
    thread = make_thread(
        "Nous n'avons plus de courant dans toute la rue depuis ce matin. Quand est-ce que ça revient ?",
        _note("Panne secteur Nord, câble endommagé. Rétablissement estimé entre 16h et 18h. Geste: 3 jours."),
        channel="email",
    )
    composed = compose_offline_with_gaps(thread, analyse_thread(thread))
    assert "entre 16h et 18h" in composed.text
    assert "3 jours" not in composed.text
    assert not composed.gaps


def test_a_past_visit_in_a_note_is_history_not_a_plan(make_thread: MakeThread) -> None:
    thread = make_thread(
        "Nobody came to fix the dishwasher. What now?",
        _note("Technician visit was scheduled for 02/03 8:00-10:00 but the tech was a no-show."),
        channel="email",
    )
    found = read_note_outcomes(thread, analyse_thread(thread).language)
    assert "visit_booked" not in [o.kind for o in found.outcomes]  # the note is from 09/03


def test_a_draft_that_tells_one_fact_from_a_long_note_says_so_to_the_agent(make_thread: MakeThread) -> None:
    thread = make_thread(
        "Our order of chairs arrived with two broken legs. Can you replace them before Friday's event?",
        _note(
            "Replacement legs approved by the warehouse, no charge. "
            "Courier pickup of the broken parts can be arranged on request. "
            "If the event date is fixed, express shipping is free for this order. "
            "Do not offer a full refund unless the customer asks twice. "
            "Technician visit scheduled for 20/03 between 9:00 and 11:00 to fit the legs."
        ),
        channel="email",
    )
    composed = compose_offline_with_gaps(thread, analyse_thread(thread))
    assert "20/03" in composed.text
    assert [g for g in composed.gaps if "only part" in g.message]
