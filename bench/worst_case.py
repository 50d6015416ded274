"""Worst-case inputs for the guardrails: texts within the check limit (20,000 characters) built to
push each kind of matcher to its slowest (no spaces, all markup, all quotes, one endless sentence
of the words the rules look at...). `python -m bench --only guardrails` reports the slowest."""

from __future__ import annotations

from collections.abc import Callable

MAX_CHARS = 20_000  # the documented limit of /v1/guardrails/check and `tactful check`


def _fill(unit: str, size: int = MAX_CHARS) -> str:
    return (unit * (size // len(unit) + 1))[:size]


WORST_CASES: dict[str, Callable[[], str]] = {
    "one long word": lambda: _fill("a"),
    "digits and dashes": lambda: _fill("4111-1111 "),
    "open angle brackets": lambda: _fill("<a "),
    "unclosed tags": lambda: _fill("<script x="),
    "urls": lambda: _fill("https://a.b.example.xyz/p?q=1 www.x.co "),
    "dotted words": lambda: _fill("a.b.c.d.e.f."),
    "invisible characters": lambda: _fill("a\u200b\u202e"),
    "quotes": lambda: _fill("\"a 'b "),
    "insults in one sentence": lambda: _fill("you idiot you stupid fucking moron, "),
    "second person, no stop": lambda: _fill("you are your you you're "),
    "evaluative words": lambda: _fill("so frustrating and annoying your order delay "),
    "apologies": lambda: _fill("sorry sorry I'm so sorry we apologise "),
    "capitals": lambda: _fill("ERROR WARNING FAILED "),
    "placeholder brackets": lambda: _fill("[x {{y <z $X "),
    "password prose": lambda: _fill("your new password is "),
    "high-entropy tokens": lambda: _fill("aZ3kQ9xP2mL7vB4n "),
    "line breaks": lambda: _fill("\n> "),
    "mixed languages": lambda: _fill("lo siento mucho, es frustrante; das ist ärgerlich; c'est pénible "),
    # Short sentences, each an apology its sentence then spoils (a non-apology, sarcasm): every
    # one is judged on its own before acknowledgement reads the whole reply.
    "non-apologies": lambda: _fill("sorry you feel that way. "),
    "sarcastic apologies": lambda: _fill("I'm so sorry, a whole two days. "),
    "e-mail addresses": lambda: _fill("a@b.co "),
    "disguised insults": lambda: _fill("f*ck y0u 1d10t "),
    "brush-offs": lambda: _fill("I understand, but "),
}
