"""The reply the mock LLM writes: a realistic, empathetic support reply derived from the prompt.

The benchmark measures Tactful's own overhead, so the mock's draft must sail through the guardrails
on the first attempt: a reply that tripped a blocking rule would trigger re-asks (more LLM calls)
and the "exactly one LLM call" and overhead figures would measure the repair loop instead.

So it does what a good model does with Tactful's prompt (prompts/*.j2), reading plain "Label: value"
lines that any prompt is likely to have: it greets the customer by name ("Customer name: Dana
Reyes"), mentions the subject, fits the channel (email: paragraphs and a sign-off; chat and social:
short, no sign-off; sms: two sentences on one line) and signs with the signature block or the
agent's name. English only. Deterministic (same prompt, same reply); never a placeholder like
``[Name]``: values that look like placeholders or "(not given)" are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

_LINE = r"(?im)^[ \t>*-]*{label}[ \t]*:[ \t]*(?P<value>[^\n]+)$"
_CUSTOMER = re.compile(_LINE.format(label=r"customer(?:'s)?(?:[ \t]+name)?"))
_AGENT = re.compile(_LINE.format(label=r"(?:agent(?:'s)?(?:[ \t]+name)?|sign[ \t]+(?:off[ \t]+)?as)"))
_AGENT_PROSE = re.compile(
    r"(?i)\bagent (?:called|named) (?P<value>[^\n,;]+?)(?= drafting\b|[,;\n]|\.(?:\s|$))"
)
_SUBJECT = re.compile(_LINE.format(label="subject"))
_CHANNEL = re.compile(_LINE.format(label="channel"))
# A fenced block "<open>signature<close> ... <open>end of signature<close>", whatever the fences.
_SIGNATURE = re.compile(
    r"(?ms)^(?P<open>\S*?)signature(?P<close>\S*)\n(?P<value>.+?)\n(?P=open)end of signature(?P=close)$"
)
# A person's name: one to four words of letters. This rejects transcript lines such as
# "Customer: Hello, I was charged twice", "(not given)" and redaction placeholders like "[NAME_1]".
_PERSON = re.compile(r"^[^\W\d_][\w'’.-]*(?: [^\W\d_][\w'’.-]*){0,3}$")
_TITLES = frozenset({"dr", "mr", "mrs", "ms", "mx", "prof"})
_PLACEHOLDER_MARKS = frozenset("[]{}<>⟦⟧")
_SUBJECT_MAX = 80

DEFAULT_SIGN_OFF = "The support team"


@dataclass(frozen=True)
class PromptFacts:
    customer: str | None
    agent: str | None
    signature: str | None
    subject: str | None
    channel: str

    @property
    def greeting(self) -> str:
        if not self.customer:
            return "Hi there"
        words = self.customer.split()
        if len(words) > 1 and words[0].rstrip(".").lower() in _TITLES:
            return f"Hi {words[0]} {words[-1]}"  # "Dr. Helen Carter" -> "Hi Dr. Carter"
        return f"Hi {words[0]}"


def prompt_text(messages: Iterable[Mapping[str, Any]]) -> str:
    """All text of the chat messages, whether ``content`` is a string or a list of parts."""
    parts: list[str] = []
    for message in messages:
        content = message.get("content")
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):
            parts.extend(str(part.get("text", "")) for part in content if isinstance(part, Mapping))
    return "\n".join(parts)


def _person(text: str, *patterns: re.Pattern[str]) -> str | None:
    for pattern in patterns:
        for match in pattern.finditer(text):
            value = match.group("value").strip().strip("\"'")
            if _PERSON.match(value):
                return value
    return None


def _plain(value: str | None, limit: int) -> str | None:
    value = (value or "").strip().strip("\"'“”")
    if not value or value.startswith("(") or len(value) > limit or _PLACEHOLDER_MARKS & set(value):
        return None
    return value


def read_prompt(messages: Iterable[Mapping[str, Any]]) -> PromptFacts:
    text = prompt_text(messages)
    subject = _SUBJECT.search(text)
    channel = _CHANNEL.search(text)
    signature = _SIGNATURE.search(text)
    return PromptFacts(
        customer=_person(text, _CUSTOMER),
        agent=_person(text, _AGENT, _AGENT_PROSE),
        signature=_plain(signature.group("value"), 300) if signature else None,
        subject=_plain(subject.group("value"), _SUBJECT_MAX) if subject else None,
        channel=(channel.group("value").strip().lower() if channel else "email"),
    )


def compose_reply(messages: Iterable[Mapping[str, Any]]) -> str:
    """A reply that greets the customer, acknowledges the feeling, gives next steps and signs off."""
    facts = read_prompt(messages)
    about = f' about "{facts.subject}"' if facts.subject else ""
    if facts.channel == "sms":
        sign = f" - {facts.agent}" if facts.agent else ""
        return (
            f"{facts.greeting}, I understand how frustrating this is and I'm sorry for the trouble. "
            f"Here is what we can do: our team is on it now and I will text you an update today.{sign}"
        )
    if facts.channel in ("chat", "social"):
        follow_up = (
            "Please send us a private message so we can look into the details with you."
            if facts.channel == "social"
            else "I will keep this chat updated as soon as I hear back."
        )
        return (
            f"{facts.greeting}, thank you for your message{about}. I understand how frustrating this "
            "must be, and I'm sorry for the trouble.\n\n"
            f"Here is what we can do: I have passed the details to the right team today. {follow_up}"
        )
    sign_off = facts.signature or facts.agent or DEFAULT_SIGN_OFF
    return (
        f"{facts.greeting},\n\n"
        f"Thank you for your message{about}. I understand how frustrating this must be, and I'm sorry "
        "for the trouble it has caused you.\n\n"
        "Here is what we can do: I have passed the details to the right team and asked them to look "
        "into it today. I will follow up with you by email as soon as I hear back, and at the latest "
        "within one business day.\n\n"
        "If anything else comes up in the meantime, just reply to this message and I will pick it up.\n\n"
        f"Best regards,\n{sign_off}"
    )


def estimate_tokens(text: str) -> int:
    """About four characters a token, like OpenAI's rule of thumb; at least one for any text."""
    return max(1, (len(text) + 3) // 4) if text else 0
