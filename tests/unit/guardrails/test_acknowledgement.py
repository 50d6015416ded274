"""acknowledgement: the reply must show the customer they were heard, in its own words."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

import service.language.analysis as analysis_module
from service.guardrails import CheckContext, Guardrails
from service.language.analysis import Emotion
from service.language.empathy import SUPPORTED_LANGUAGES, acknowledgement_for
from service.models import Severity

from .support import CALM, UPSET, analysis, context, findings, thread

RULE = "acknowledgement"


def acknowledged(g: Guardrails, text: str, ctx: CheckContext | None = CALM) -> bool:
    return not findings(g.check(text, ctx), RULE)


@pytest.mark.parametrize(
    "text",
    [
        # en: heard / feeling / sincere apology / thanks for raising it
        "Hi Ana,\n\nI understand how frustrating this must be. I've re-run the export.",
        "I'm sorry your payroll run failed. I've re-run it and the payslips are ready.",
        "That sounds really stressful, so I've prioritised your ticket.",
        "I can see why the new layout is confusing; here is where the button moved.",
        "We let you down here, and I've refunded the charge.",
        "You're absolutely right to be annoyed about the double charge.",
        # es
        "Hola Ana:\n\nEntiendo lo frustrante que es no poder cobrar la nómina.",
        "Lamento mucho que el pago haya fallado otra vez.",
        "Debe ser muy frustrante perder el trabajo de toda la tarde.",
        # de
        "Hallo Ana,\n\nich verstehe, wie ärgerlich das ist.",
        "Es tut mir sehr leid, dass die Zahlung fehlgeschlagen ist.",
        "Das muss wirklich frustrierend sein.",
        # fr
        "Bonjour Ana,\n\nJe comprends tout à fait votre inquiétude.",
        "Je suis vraiment désolée que le paiement ait échoué.",
        "Ça doit être vraiment frustrant.",
        # pt
        "Olá Ana,\n\nEntendo perfeitamente a sua frustração.",
        "Lamento muito o que aconteceu com o pagamento.",
        "Deve ser muito frustrante perder esses dados.",
    ],
)
def test_strong_acknowledgements_pass_even_for_an_upset_customer(guardrails: Guardrails, text: str) -> None:
    assert acknowledged(guardrails, text, UPSET)


@pytest.mark.parametrize(
    "text",
    [
        "Thanks for contacting us. Your export is ready.",
        "We apologize for any inconvenience. The export is ready.",
        "Thank you for letting us know; the typo is fixed.",
        "Gracias por contactarnos. La exportación está lista.",
        "Vielen Dank für Ihre Nachricht. Der Export ist fertig.",
        "Merci de nous avoir contactés. L'export est prêt.",
        "Obrigado por entrar em contato. A exportação está pronta.",
    ],
)
def test_a_generic_courtesy_is_never_enough(guardrails: Guardrails, text: str) -> None:
    # Issue 12 (RULE-DEFINITIONS.md): a form-letter line never counts, whatever the customer's mood.
    assert not acknowledged(guardrails, text, CALM)
    assert not acknowledged(guardrails, text, None)
    assert not acknowledged(guardrails, text, UPSET)


@pytest.mark.parametrize(
    "text",
    [
        "Happy to help you track that refund down: it left us on Monday.",
        "Con gusto te ayudo a descargar las facturas del año pasado.",
        "Gern helfe ich Ihnen, die Rechnungen für Ihren Steuerberater zu finden.",
        "Je vous aide volontiers à récupérer la facture pour votre assurance.",
        "Com prazer te ajudo a mudar o endereço de entrega.",
    ],
)
def test_a_warm_line_about_the_request_is_enough_for_a_calm_customer(
    guardrails: Guardrails, text: str
) -> None:
    assert acknowledged(guardrails, text, CALM)
    assert not acknowledged(
        guardrails, text, CheckContext(thread=thread("This is unacceptable, I'm furious."))
    )


@pytest.mark.parametrize(
    ("customer", "text"),
    [
        (
            "My laptop died the day before my presentation.",
            "A dead laptop the day before your presentation is the worst timing.",
        ),
        (
            "Waiting a month for my refund now.",
            "Waiting a month for a refund would wear anyone's patience thin.",
        ),
        ("We just opened our first shop!", "Congratulations on the new shop!"),
        ("You charged me twice, I'm annoyed.", "You're right to be annoyed: we charged you twice."),
        ("Me quedé sin wifi en pleno teletrabajo.", "Qué faena quedarse sin wifi en pleno teletrabajo."),
        (
            "Vier Tage steht die Sendungsverfolgung still.",
            "Vier Tage Stillstand, da würde ich auch die Wände hochgehen.",
        ),
        ("Je me suis cassé le poignet, la poisse.", "Oh non, un poignet cassé, quelle poisse !"),
        ("A entrega atrasou de novo.", "Esperar de novo pela entrega é chato demais."),
    ],
)
def test_acknowledgement_by_meaning(guardrails: Guardrails, customer: str, text: str) -> None:
    assert acknowledged(guardrails, text, CheckContext(thread=thread(customer)))


@pytest.mark.parametrize(
    ("customer", "text"),
    [
        ("The screen arrived cracked. Gutted.", "So sorry about the delay! DM us your order number."),
        ("Two days for an e-book, not impressed.", "Oh, how awful that you had to wait a whole two days."),
        ("I've been waiting a week.", "As per our empathy guidelines, I validate your frustration."),
        ("The pool was closed, we felt misled.", "Sorry if you were upset by the pool closure."),
    ],
)
def test_wrong_thing_sarcasm_obligation_and_non_apologies_do_not_count(
    guardrails: Guardrails, customer: str, text: str
) -> None:
    assert not acknowledged(guardrails, text, CheckContext(thread=thread(customer)))


def test_upset_finding_says_what_is_missing(guardrails: Guardrails) -> None:
    report = guardrails.check("Thanks for contacting us. Please retry.", context(Emotion.angry, urgent=True))
    [finding] = findings(report, RULE)
    assert finding.severity is Severity.block
    assert finding.start is None
    assert finding.end is None
    assert "angry" in finding.message
    assert "urgent" in finding.message
    assert "courtesy" in finding.message
    assert finding.suggestion == acknowledgement_for(analysis(Emotion.angry, urgent=True))


def test_upset_is_read_from_the_thread(guardrails: Guardrails) -> None:
    angry = CheckContext(thread=thread("This is unacceptable, the third time it fails! I'm furious."))
    calm = CheckContext(thread=thread("Could you tell me where to find the export button?"))
    text = "Happy to help you find the export: it is under Reports."
    assert not acknowledged(guardrails, text, angry)
    assert acknowledged(guardrails, text, calm)


@pytest.mark.parametrize(
    "text",
    [
        "I'm sorry you feel that way. The policy is clear.",
        "Sorry if you were confused by the email.",
        "I understand, but you should have read the docs.",
        "I hear you, but there is nothing to change.",
        "Entiendo, pero así funciona el sistema.",
        "Es tut mir leid, wenn Sie das so sehen.",
        "Je comprends, mais c'est la procédure.",
        "Lamento que você se sinta assim.",
    ],
)
def test_dismissive_pseudo_acknowledgements_do_not_count(guardrails: Guardrails, text: str) -> None:
    assert not acknowledged(guardrails, text, CALM)


def test_pseudo_acknowledgement_is_named_by_position(guardrails: Guardrails) -> None:
    text = "Hello,\n\nI'm sorry you feel that way."
    [finding] = findings(guardrails.check(text, CALM), RULE)
    start = text.index("sorry")
    assert f"at characters {start}-{len(text) - 1}" in finding.message
    assert "dismissive" in finding.message


def test_a_real_acknowledgement_next_to_a_pseudo_one_counts(guardrails: Guardrails) -> None:
    text = "I'm sorry you feel that way. I'm so sorry your order arrived broken."
    assert acknowledged(guardrails, text, UPSET)


@pytest.mark.parametrize(
    "text",
    [
        'You wrote "I understand how frustrating this is" in your last message.',
        "Hi,\n\n> I'm so sorry, I understand how frustrating this is\n\nThe export is fixed.",
        "Vous avez écrit \u00abje comprends votre frustration\u00bb hier.",
        "You said \u201cI understand how annoying this is\u201d.",
    ],
)
def test_quoted_acknowledgements_are_not_the_replys_own_words(guardrails: Guardrails, text: str) -> None:
    report = guardrails.check(text, CALM)
    [finding] = findings(report, RULE)
    assert "inside quotes" in finding.message


def test_a_bare_sorry_is_weak(guardrails: Guardrails) -> None:
    assert not acknowledged(guardrails, "I'm sorry. Please retry.", CALM)
    assert not acknowledged(guardrails, "I'm sorry. Please retry.", UPSET)
    assert acknowledged(guardrails, "I'm so sorry. Please retry.", UPSET)


def test_sorry_about_any_inconvenience_stays_generic(guardrails: Guardrails) -> None:
    # "sorry about" is a strong prefix, but inside the generic courtesy it is not.
    assert not acknowledged(guardrails, "Sorry about any inconvenience. Please retry.", UPSET)


def test_no_acknowledgement_at_all(guardrails: Guardrails) -> None:
    report = guardrails.check("Please clear your cache and retry.", None)
    [finding] = findings(report, RULE)
    assert "does not acknowledge" in finding.message
    assert finding.suggestion  # the sentence the repair would insert


# The analysis may carry more fields (a situation category, ...): cover every value it offers.
CATEGORIES: list[object] = list(getattr(analysis_module, "Category", [None]))


@pytest.mark.parametrize("language", sorted(SUPPORTED_LANGUAGES))
@pytest.mark.parametrize("emotion", list(Emotion))
@pytest.mark.parametrize("urgent", [False, True])
@pytest.mark.parametrize("category", CATEGORIES)
def test_every_phrasebook_sentence_satisfies_the_rule(
    guardrails: Guardrails, language: str, emotion: Emotion, urgent: bool, category: object
) -> None:
    # The repair inserts these: each must satisfy the rule it repairs, for the customer it was
    # chosen for (an upset customer gets, and needs, a strong one).
    a = analysis(emotion, urgent=urgent, language=language)
    if category is not None:
        extra: dict[str, Any] = {"category": category}
        a = dataclasses.replace(a, **extra)
    sentence = acknowledgement_for(a)
    assert acknowledged(guardrails, sentence, CheckContext(analysis=a)), sentence


def test_suggestion_follows_the_customer_language(guardrails: Guardrails) -> None:
    ctx = CheckContext(thread=thread("No puedo entrar a mi cuenta, estoy muy frustrada.", locale="es-MX"))
    [finding] = findings(guardrails.check("Revisamos su cuenta.", ctx), RULE)
    assert finding.suggestion == acknowledgement_for(analysis(Emotion.frustrated, language="es"))


def test_without_a_thread_the_suggestion_uses_the_reply_language(guardrails: Guardrails) -> None:
    [finding] = findings(guardrails.check("Wir haben das Konto geprüft und es ist in Ordnung.", None), RULE)
    assert finding.suggestion == acknowledgement_for(analysis(language="de"))


def test_an_upset_customer_raises_the_bar_and_the_finding_points_at_why(guardrails: Guardrails) -> None:
    body = "Hello. This is ridiculous, my invoice is wrong for the third time."
    upset = CheckContext(thread=thread(body))
    calm = CheckContext(thread=thread("Hello, could you send me a copy of my invoice?"))
    courtesy = "Thanks for contacting us. I'll send the corrected invoice today."
    warm = "Happy to help you get that invoice: I'll send a copy today."
    assert findings(guardrails.check(warm, calm), "acknowledgement") == []
    assert findings(guardrails.check(courtesy, calm), "acknowledgement")  # a form line never counts
    (finding,) = findings(guardrails.check(courtesy, upset), "acknowledgement")
    start = body.index("ridiculous")
    assert f"characters {start}-{start + len('ridiculous')}" in finding.message
    assert "ridiculous" not in finding.message
    sorry = "We apologize for any inconvenience. I'll send the corrected invoice today."
    assert findings(guardrails.check(sorry, upset), "acknowledgement")
    real = "I'm so sorry your invoice was wrong again. I'll send the corrected one today."
    assert findings(guardrails.check(real, upset), "acknowledgement") == []
