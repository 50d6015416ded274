"""`unsafe-content`: markup, script and data URLs, hidden characters block; unknown link hosts warn."""

from __future__ import annotations

import pytest

from service.guardrails import CheckContext, Guardrails
from service.models import Severity
from tests.unit.guardrails.support import thread

CONTEXT = CheckContext(
    thread=thread("The link https://shop.example.org/item/42 is broken."), allowed_domains=("acme.com",)
)


def severity(guardrails: Guardrails, text: str) -> str:
    findings = [f for f in guardrails.check(text, CONTEXT).findings if f.rule == "unsafe-content"]
    if any(f.severity is Severity.block for f in findings):
        return "block"
    return "warn" if findings else "pass"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('Here is the fix <script src="https://evil.io/x.js"></script>', "block"),
        ("<img src=x onerror=alert(1)>", "block"),
        ('Click <a href="https://acme.com/reset">here</a>', "block"),
        ("Open javascript:alert(document.cookie) in the address bar", "block"),
        ("See data:text/html;base64,PHNjcmlwdD4=", "block"),
        ("Your refund \u202eis processed", "block"),
        ("Your ref\u200bund is processed", "block"),
        ("Wrap it in backticks or a code tag and it will show as text.", "pass"),
        ("Use `<code>` around it, and we will sort the rest.", "pass"),
        ("Great job 👩\u200d💻 team", "pass"),
        ("Dear <Customer Name>, thanks", "pass"),
        ("See report.pdf and the node.js docs; JavaScript: enable it in Settings.", "pass"),
        ("Reset it at https://help.acme.com/reset today.", "pass"),
        ("I checked https://shop.example.org/item/42, the page you sent.", "pass"),
        ("Email us at support@acme.com", "pass"),
        ("Reset it at https://acme-support-login.xyz/reset today.", "warn"),
        ("Visit acme-help.io/reset", "warn"),
    ],
)
def test_unsafe_content(guardrails: Guardrails, text: str, expected: str) -> None:
    assert severity(guardrails, text) == expected


def test_hidden_character_is_pointed_at_in_the_original_text(guardrails: Guardrails) -> None:
    text = "Your ref\u200bund is processed"
    (finding,) = [f for f in guardrails.check(text, CONTEXT).findings if f.rule == "unsafe-content"]
    assert (finding.start, finding.end) == (8, 9)
