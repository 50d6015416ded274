"""Acknowledgements and restating the issue: the "you were heard" part of every reply."""

from __future__ import annotations

import re

import pytest

from service.language.analysis import Category, Emotion, ThreadAnalysis
from service.language.empathy import SUPPORTED_LANGUAGES, acknowledgement_for, restate_issue, to_second_person

# The core every acknowledgement carries, per language: understanding or an apology.
CORE = {
    "en": re.compile(r"\b(I understand|I'm sorry|I completely understand)\b", re.I),
    "es": re.compile(r"\b(entiendo|lamento)\b", re.I),
    "de": re.compile(r"\b(ich verstehe|tut mir leid)\b", re.I),
    "fr": re.compile(r"\b(je comprends|je regrette)\b", re.I),
    "pt": re.compile(r"\b(entendo|lamento)\b", re.I),
}
# Words other guardrail rules flag; an acknowledgement must never trip them.
FLAGGED = re.compile(r"\b(unfortunately|just|simply|calm down|obviously|your fault|you should have)\b", re.I)


def analysis(
    emotion: Emotion = Emotion.neutral,
    *,
    urgent: bool = False,
    language: str = "en",
    issue: str = "",
    category: Category = Category.general,
) -> ThreadAnalysis:
    return ThreadAnalysis(emotion, urgent, language, issue, None, category=category)


@pytest.mark.parametrize("language", sorted(SUPPORTED_LANGUAGES))
@pytest.mark.parametrize("emotion", list(Emotion))
@pytest.mark.parametrize("urgent", [False, True])
@pytest.mark.parametrize("category", [Category.howto, Category.billing])
def test_every_acknowledgement_has_the_core(
    language: str, emotion: Emotion, urgent: bool, category: Category
) -> None:
    text = acknowledgement_for(analysis(emotion, urgent=urgent, language=language, category=category))
    assert CORE[language].search(text), text
    assert not FLAGGED.search(text)
    assert text.endswith(".")
    assert not re.search(r"[\[\]{}<>]", text)


def test_acknowledgement_fits_the_situation() -> None:
    question = acknowledgement_for(analysis(category=Category.howto))
    problem = acknowledgement_for(analysis(category=Category.shipping))
    urgent = acknowledgement_for(analysis(urgent=True))
    assert len({question, problem, urgent}) == 3
    assert "happy to help" in question
    assert "run into this" in problem
    assert "urgent" in urgent
    assert "upset" in acknowledgement_for(analysis(Emotion.angry))


def test_unknown_languages_get_english() -> None:
    assert acknowledgement_for(analysis(language="ja")) == acknowledgement_for(analysis(language="en"))


@pytest.mark.parametrize(
    ("customer", "restated"),
    [
        ("I was charged twice for my March invoice", "you were charged twice for your March invoice"),
        ("My invoice was charged twice", "Your invoice was charged twice"),
        ("We can't connect to the VPN since this morning", "You can't connect to the VPN since this morning"),
        ("You charged me twice and I told you last week", "We charged you twice and you told us last week"),
        ("I’m locked out of my account", "you’re locked out of your account"),
        ("I am stuck and I wasn't able to log in", "you are stuck and you weren't able to log in"),
        ("Our team lost access to your dashboard", "Your team lost access to our dashboard"),
        ("The printer in our office shows error 50.4", "The printer in your office shows error 50.4"),
    ],
)
def test_to_second_person(customer: str, restated: str) -> None:
    assert to_second_person(customer) == restated


@pytest.mark.parametrize(
    ("issue", "expected"),
    [
        (
            "I was charged twice for my March invoice and I'm really frustrated.",
            "You mentioned that you were charged twice for your March invoice.",
        ),
        (
            "Locked out of my account after a reset.",
            "You mentioned that you're locked out of your account after a reset.",
        ),
        ("Charged twice for one order!", "You mentioned that you were charged twice for one order."),
        ("The app crashes when I open a file.", "You mentioned that the app crashes when you open a file."),
        ("Outlook keeps crashing since Monday.", "You mentioned that Outlook keeps crashing since Monday."),
        ("VPN drops every ten minutes.", "You mentioned that VPN drops every ten minutes."),
        ("How do I export my reports to CSV?", "You asked how to export your reports to CSV."),
        ("Can I change my billing date?", "You asked whether you can change your billing date."),
        ("Is there a way to merge two accounts?", "You asked whether there is a way to merge two accounts."),
        ("Can you refund the duplicate payment?", "You asked us to refund the duplicate payment."),
        ("Please cancel my subscription.", "You asked us to cancel your subscription."),
        ("Why was I charged twice?", 'You asked: "Why was I charged twice?"'),
    ],
)
def test_restate_issue_in_english(issue: str, expected: str) -> None:
    assert restate_issue(analysis(issue=issue)) == expected


@pytest.mark.parametrize(
    ("language", "issue", "expected"),
    [
        (
            "es",
            "Me han cobrado dos veces la factura.",
            "Según nos cuenta: «Me han cobrado dos veces la factura».",
        ),
        ("es", "¿Cómo exporto mis datos?", "Nos pregunta: «Cómo exporto mis datos?»"),
        ("de", "Mein Paket ist nicht angekommen.", "Sie schreiben: „Mein Paket ist nicht angekommen“."),
        ("fr", "Je ne peux plus me connecter.", "Vous nous indiquez : « Je ne peux plus me connecter »."),
        ("pt", "A impressora não imprime.", "Pelo que nos descreve: “A impressora não imprime”."),
        ("it", "Non riesco ad accedere.", 'You wrote: "Non riesco ad accedere".'),
    ],
)
def test_other_languages_quote_the_customer(language: str, issue: str, expected: str) -> None:
    assert restate_issue(analysis(language=language, issue=issue)) == expected


def test_long_issues_are_shortened_at_a_clause() -> None:
    issue = (
        "I was charged twice for my March invoice, and when I called your hotline to ask about it "
        "nobody picked up for forty minutes, which is really not what I expect from a paid plan."
    )
    restated = restate_issue(analysis(issue=issue))
    assert restated == (
        "You mentioned that you were charged twice for your March invoice, and when you called our "
        "hotline to ask about it nobody picked up for forty minutes."
    )


def test_no_issue_no_restatement() -> None:
    assert restate_issue(analysis(issue="")) == ""
    assert restate_issue(analysis(issue=" ?! ")) == ""
