"""prompt-leak checks every part of the prompt, and the prompt's own markup (issue 16, item 7)."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.config import REPO_ROOT
from service.drafting.pipeline import with_system_prompt
from service.drafting.prompts import PromptBuilder
from service.guardrails import CheckContext, Guardrails
from service.language.analysis import analyse_thread
from service.models import Agent, Customer, Message, Role, Thread

from .support import evidence

THREAD = Thread(
    subject="Charged twice",
    customer=Customer(name="Dana"),
    agent=Agent(name="Sam"),
    messages=[Message(role=Role.customer, body="I was charged twice for March. Please refund it.")],
)
GOOD = (
    "Hi Dana,\n\nI understand how frustrating a double charge is, and I'm sorry. I have started a refund "
    "for the second charge; you will see it within 3-5 business days.\n\nBest regards,\nSam"
)


@pytest.fixture(scope="module")
def prompts() -> PromptBuilder:
    return PromptBuilder(Path(REPO_ROOT / "prompts"), 6_000)


def context_for(prompts: PromptBuilder, *, reask: bool = False) -> CheckContext:
    analysis = analyse_thread(THREAD)
    base = CheckContext(thread=THREAD, analysis=analysis)
    if not reask:
        return with_system_prompt(base, prompts.render(THREAD, analysis))
    instructions = ["Acknowledge the customer's frustration first."]
    messages = prompts.render_reask(THREAD, analysis, GOOD, instructions)
    return with_system_prompt(base, messages, scaffolding=(prompts.reask_message("", instructions),))


@pytest.mark.parametrize(
    "leak",
    [
        "⟦previous draft⟧",
        "[end of previous draft]",
        "Fix these points:",
        "Ticket details:",
        "What our analysis noticed (hints; check them against the messages):",
        "[3 earlier messages omitted]",
    ],
)
def test_scaffolding_in_a_reply_blocks(guardrails: Guardrails, prompts: PromptBuilder, leak: str) -> None:
    text = GOOD.replace("Best regards", f"{leak}\nBest regards")
    report = guardrails.check(text, context_for(prompts, reask=True))
    assert leak.split("(")[0].strip() in " ".join(evidence(text, report, "prompt-leak"))


def test_a_clean_reply_is_not_a_leak(guardrails: Guardrails, prompts: PromptBuilder) -> None:
    for reask in (False, True):
        report = guardrails.check(GOOD, context_for(prompts, reask=reask))
        assert not evidence(GOOD, report, "prompt-leak")


def test_words_of_the_user_prompt_count_not_only_the_system_prompt(
    guardrails: Guardrails, prompts: PromptBuilder
) -> None:
    # A sentence of the user message's wording, which the system prompt does not contain.
    leaked = "Write the reply to the customer's latest message now, in the options for this reply."
    context = context_for(prompts)
    assert leaked.split(",")[0] not in (context.system_prompt or "")
    text = GOOD.replace("Best regards", f"{leaked}\n\nBest regards")
    assert evidence(text, guardrails.check(text, context), "prompt-leak")


def test_the_previous_draft_may_be_repeated_in_a_reask(
    guardrails: Guardrails, prompts: PromptBuilder
) -> None:
    # The new draft keeps what was good: the previous draft's words are not the prompt's.
    report = guardrails.check(GOOD + "\n", context_for(prompts, reask=True))
    assert not evidence(GOOD, report, "prompt-leak")
