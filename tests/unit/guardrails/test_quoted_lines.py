"""quoted_lines: a "> ..." line is the thread's words only when most of its words are."""

from __future__ import annotations

from service.guardrails.document import MASK, Document
from service.guardrails.quoted_lines import unquote_foreign_lines
from tests.unit.guardrails.support import thread

THREAD = thread("The parcel never arrived and nobody answers the phone. This is ridiculous.")


def _read(text: str) -> tuple[Document, str]:
    doc = Document.of(text)
    return doc, unquote_foreign_lines(doc.folded.text, doc.masked, THREAD)


def test_a_line_quoting_the_customer_stays_masked() -> None:
    doc, out = _read("Hi,\n> the parcel never arrived and nobody answers\nSorry about that.")
    assert out == doc.masked
    assert MASK in out


def test_a_note_that_is_not_in_the_thread_is_put_back_in_place() -> None:
    doc, out = _read("Hi,\n>> internal note: refund approved, escalate to billing\nBest")
    assert len(out) == len(doc.masked)
    assert "internal note: refund approved, escalate to billing" in out
    assert out.startswith("hi,\n" + MASK * 2)  # the marker itself stays masked


def test_double_quotes_inside_a_restored_note_stay_masked() -> None:
    _, out = _read('Hi,\n> internal note: customer wrote "whatever" twice today\nBest')
    assert "whatever" not in out
    assert "internal note: customer wrote" in out


def test_short_lines_and_missing_threads_are_left_as_they_are() -> None:
    doc, out = _read("Hi,\n> ok thanks\nBest")
    assert out == doc.masked
    other = Document.of("Hi,\n> internal note: refund approved, escalate to billing\nBest")
    assert unquote_foreign_lines(other.folded.text, other.masked, None) == other.masked


def test_many_short_quoted_lines_around_a_note_leave_only_the_note_restored() -> None:
    """Lines too short to tell are skipped before the mask test (issue 12, decision 131); a
    foreign line among thousands of them is still put back, and only it."""
    note = ">> internal note: refund approved, escalate to billing\n"
    doc, out = _read(
        "\n> " * 3000 + "\n" + note + "> ok\n" * 500 + "> the parcel never arrived and nobody answers\n"
    )
    assert len(out) == len(doc.masked)
    assert out.count("internal note: refund approved, escalate to billing") == 1
    changed = [i for i, (a, b) in enumerate(zip(out, doc.masked, strict=True)) if a != b]
    start = doc.folded.text.index("internal note")
    assert changed[0] == start
    assert changed[-1] < start + len("internal note: refund approved, escalate to billing")


def test_a_line_partly_unmasked_is_not_a_quote_to_put_back() -> None:
    # A quoted line whose masked form keeps a character is not all quote: left as the document has it.
    folded = "hi\n> internal note: refund approved, escalate to billing\n"
    masked = folded.replace("internal note", MASK * len("internal note"))
    assert unquote_foreign_lines(folded, masked, THREAD) == masked
