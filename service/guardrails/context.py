"""What a check knows about the conversation, and its resolution before the rules run."""

from __future__ import annotations

from dataclasses import dataclass

from service.guardrails.rules.base import RuleContext
from service.language.analysis import ThreadAnalysis, analyse_thread
from service.models import Thread


@dataclass(frozen=True)
class CheckContext:
    thread: Thread | None = None  # the thread the reply answers (None: checking a macro)
    analysis: ThreadAnalysis | None = None  # computed from `thread` when not given
    system_prompt: str | None = None  # what the prompt-leak rule compares the reply with
    # The other parts of the prompt (user message, re-ask wording): never repeated in a reply either.
    prompt_parts: tuple[str, ...] = ()
    canary: str | None = None  # a token planted in the system prompt; never in a reply
    # Hosts a reply may link to besides those in the thread (TACTFUL_ALLOWED_LINK_DOMAINS; per
    # tenant once tenants have profiles). Subdomains included.
    allowed_domains: tuple[str, ...] = ()


def resolve(context: CheckContext | None) -> RuleContext:
    if context is None:
        return RuleContext()
    analysis = context.analysis
    if analysis is None and context.thread is not None:
        analysis = analyse_thread(context.thread)
    return RuleContext(
        analysis=analysis,
        system_prompt=context.system_prompt,
        prompt_parts=context.prompt_parts,
        thread=context.thread,
        canary=context.canary,
        allowed_domains=context.allowed_domains,
    )
