"""The streamed draft's own check: block-level content rules, sentence by sentence, as the text comes.

Deltas carry the model's text as it writes it, redacted (placeholders, never the customer's
values); only the final ``result`` holds the values, after the full check. What a model writes on
its own (a credential, someone's card number, its instructions, abuse) can still appear in a
delta, so every time a sentence is complete the text so far goes through the rules that block on
content: ``secret``, ``pii``, ``prompt-leak``, and ``abuse`` and ``unsafe-content`` where the
ruleset has them (picked by id, so rules added later are checked as soon as they exist). The first
blocking finding stops the stream; the client is told to throw away what it showed.

Taking a delta (:meth:`StreamGuard.add`) only looks for a sentence end in it; the rules run in
:meth:`StreamGuard.check`, which the pipeline calls off the event loop for a large thread
(``DraftPipeline._cpu``, decision 54): with the thread as context, ``pii`` and ``prompt-leak`` read
up to its newest 32,000 characters at every sentence.
"""

from __future__ import annotations

import re

from service.guardrails import CheckContext, Guardrails
from service.models import Finding, Severity

STREAM_RULES = ("secret", "pii", "prompt-leak", "abuse", "unsafe-content")
# Each check reads the new sentences and this much text before them: more than any value or phrase
# these rules match (a PEM key aside, which starts with a line of its own), so evidence across the
# last checked sentence end is still seen whole, and a long reply costs linear work, not quadratic.
OVERLAP = 1_024
# A sentence ends at ., !, ? or … followed by whitespace, or at a line break.
_SENTENCE_END = re.compile(r"[.!?…][\"')\]]*\s|\n")


class StreamGuard:
    """Feed it the deltas; it answers the first blocking finding once a sentence completes.

    ``feed`` does both steps at once; ``add`` then ``check`` let the caller run the check elsewhere
    (a worker thread). Not thread-safe: one step at a time.
    """

    def __init__(self, guardrails: Guardrails, context: CheckContext) -> None:
        self._guardrails = guardrails
        self._context = context
        self._rules = guardrails.present(STREAM_RULES)
        self._parts: list[str] = []
        self._size = 0
        self._checked = 0  # characters of the text checked so far (whole sentences)
        self._tail = ""  # text after the last sentence end seen
        self._ended = 0  # characters up to the last sentence end seen

    def feed(self, delta: str) -> Finding | None:
        return self.check() if self.add(delta) else None

    def add(self, delta: str) -> bool:
        """Take a delta; True when it completes a sentence (then :meth:`check` is due). Cheap: only
        the text after the last sentence end is searched."""
        self._parts.append(delta)
        self._size += len(delta)
        # A sentence end can only be in the new delta or just before it: look at the tail only.
        tail = self._tail + delta
        ends = [match.end() for match in _SENTENCE_END.finditer(tail)]
        if not ends:
            self._tail = tail
            return False
        self._tail = tail[ends[-1] :]
        self._ended = self._size - len(self._tail)
        return True

    def check(self) -> Finding | None:
        """The rules on the sentences completed since the last check (with OVERLAP before them)."""
        return self._check(self._ended)

    def finish(self) -> Finding | None:
        """The check of the whole text, once the writer is done."""
        return self._check(self._size)

    def _check(self, end: int) -> Finding | None:
        if end <= self._checked or not self._rules:
            return None
        base = max(0, self._checked - OVERLAP)
        self._checked = end
        text = "".join(self._parts)[base:end]
        findings = self._guardrails.check_rules(text, self._context, self._rules)
        stop = next((f for f in findings if f.severity is Severity.block), None)
        if stop is None or stop.start is None or stop.end is None:
            return stop
        return stop.model_copy(update={"start": stop.start + base, "end": stop.end + base})
