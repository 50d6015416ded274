"""`unsafe-content` (block; an unknown link host warns): markup, script links and hidden characters.

A reply goes into helpdesks that may render HTML and to agents who read it before sending: an HTML
element, an event-handler attribute, a `javascript:` or `data:` URL, a bidi control that reorders
what the agent sees, or an invisible character smuggled into a word must never reach either. All
of those are read on the ORIGINAL text, since normalisation removes invisible characters.
A link to a host that is neither in the thread nor an allowed domain (CheckContext) only warns: it
may be a legitimate page, but nobody vouched for it. Explaining HTML in words is fine, and inside a
`code span` only dangerous elements count.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import ClassVar, Self

from pydantic import Field

from service.guardrails.document import Document
from service.guardrails.lexicon import RuleData, Sources, load_rule_data
from service.guardrails.rules.base import Hit, Rule, RuleContext, at
from service.models import Finding, Severity, Thread

_TAG = re.compile(
    r"</?\s*([A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*)(?=[\s/>])(?:[^<>]{0,2000}?)>|<!--|<!doctype", re.I
)
_CODE_SPAN = re.compile(r"`[^`\n]{1,500}`")
_URL = re.compile(r"\b(?:https?|ftp)://([^\s/?#<>\"'()\[\]{}|\\^`]+)", re.I)
_WWW = re.compile(r"(?<![\w.@/-])(www\.[a-z0-9-]+(?:\.[a-z0-9-]+)+)", re.I)
_BARE = re.compile(
    r"(?<![\w.@/:-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z]{2,12}))(?=/|\b)(?![\w@-])", re.I
)
_DOT_LETTERS = re.compile(r"\.[^\W\d_]{2}")
_ZWJ = "\u200d"
_BLACK_FLAG = "\U0001f3f4"
_TAG_CHARS = range(0xE0000, 0xE0080)
_WORD_CHAR = re.compile(r"[^\W_]")


class UnsafeData(RuleData):
    html_elements: list[str]
    dangerous_elements: list[str]
    event_handler: str
    script_scheme: str
    data_url: str
    invisible: str
    void_elements: list[str] = Field(default_factory=list)
    bare_tlds: list[str] = Field(default_factory=list)
    second_level: list[str] = Field(default_factory=list)


def registrable(host: str, second_level: frozenset[str]) -> str:
    """acme.com for help.acme.com; acme.co.uk for shop.acme.co.uk (a short public-suffix rule)."""
    labels = host.strip(".").split(".")
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in second_level else 2
    return ".".join(labels[-keep:])


def clean_host(raw: str) -> str:
    host = raw.rsplit("@", 1)[-1].split(":", 1)[0].strip(".").casefold()
    return host[4:] if host.startswith("www.") else host


class UnsafeContent(Rule):
    id: ClassVar[str] = "unsafe-content"
    default_severity: ClassVar[Severity] = Severity.block
    lexicon_file: ClassVar[str | None] = "unsafe_content.yaml"

    def __init__(self, data: UnsafeData) -> None:
        self._elements = frozenset(e.casefold() for e in data.html_elements)
        self._dangerous = frozenset(e.casefold() for e in data.dangerous_elements)
        self._void = frozenset(e.casefold() for e in data.void_elements)
        self._handler = re.compile(rf"(?<![\w-]){data.event_handler}", re.I)
        self._script = re.compile(rf"(?<![\w-]){data.script_scheme}", re.I)
        self._data_url = re.compile(rf"(?<![\w-]){data.data_url}", re.I)
        self._invisible = re.compile(data.invisible)
        self._tlds = frozenset(t.casefold() for t in data.bare_tlds)
        # A dot right before a listed top-level domain: the cheap test for a bare domain (a literal
        # first character keeps the scan a fast search; most replies have none).
        self._tld_dot = re.compile(rf"\.(?:{'|'.join(sorted(self._tlds, key=len, reverse=True))})\b", re.I)
        self._second_level = frozenset(data.second_level)

    @classmethod
    def load(cls, data: bytes | None, sources: Sources) -> Self:
        return cls(load_rule_data(UnsafeData, cls.lexicon_file or "", data, sources, cls.id))

    def check(self, doc: Document, ctx: RuleContext) -> list[Hit]:
        text = doc.original
        # Each kind stops after _MAX_HITS: enough to fix the reply, and a text made of nothing but
        # tags or hidden characters costs a bounded number of findings.
        hits = [
            *itertools.islice(self._markup(text), _MAX_HITS),
            *itertools.islice(self._hidden(text), _MAX_HITS),
        ]
        if "." in text:
            hits += itertools.islice(self._links(text, ctx), _MAX_HITS)
        hits.sort(key=lambda h: (h.start or 0, h.end or 0))
        return hits

    def _markup(self, text: str) -> Iterator[Hit]:
        if "<" in text:
            code = [m.span() for m in _CODE_SPAN.finditer(text)] if "`" in text else []
            for match in _TAG.finditer(text):
                name = (match.group(1) or "!").casefold()
                if name != "!" and name not in self._elements and "-" not in name:
                    continue  # <INSERT DATE>, <customer name>: placeholders, not markup
                if name != "!" and self._capital_slot(text, match, name):
                    continue  # <DATA>, <Del>: a slot in capitals or a key name, not markup
                inside_code = any(a <= match.start() and match.end() <= b for a, b in code)
                if inside_code and name not in self._dangerous and not self._handler.search(match.group()):
                    continue  # `<b>` while explaining markup
                yield Hit(f"HTML markup {at(*match.span())}.", *match.span(), _REMOVE_MARKUP)
        if "=" in text and "on" in text.casefold():
            for match in self._handler.finditer(text):
                yield Hit(f"An event-handler attribute {at(*match.span())}.", *match.span(), _REMOVE_MARKUP)
        if ":" in text:
            folded = text.casefold()
            if "script" in folded:
                for match in self._script.finditer(text):
                    yield Hit(f"A script URL {at(*match.span())}.", *match.span(), _REMOVE_MARKUP)
            if "data" in folded:
                for match in self._data_url.finditer(text):
                    yield Hit(f"A data: URL {at(*match.span())}.", *match.span(), _REMOVE_MARKUP)

    def _capital_slot(self, text: str, match: re.Match[str], name: str) -> bool:
        """Is `<DATA>` (pt "data" is a date) or `<Del>` a template slot or a key name written in
        capitals rather than markup? Only a bare opening tag (no attribute, no "/"), not a void
        element (`<BR>` is markup with no closing tag), not a dangerous one, and with no closing
        tag of the same name anywhere in the text."""
        written = match.group(1)
        if written.islower() or name in self._dangerous or name in self._void:
            return False
        if match.group() != f"<{written}>":
            return False
        return re.search(rf"</\s*{re.escape(name)}\s*>", text, re.I) is None

    def _hidden(self, text: str) -> Iterator[Hit]:
        if text.isascii():
            return
        run: tuple[int, int, str] | None = None  # adjacent characters make one finding
        for match in self._invisible.finditer(text):
            i = match.start()
            char = text[i]
            if char == _ZWJ and not _between_letters(text, i):
                continue  # 👩‍💻: emoji sequences join with U+200D
            if ord(char) in _TAG_CHARS and _flag_tag(text, i):
                continue  # 🏴 + tag characters: a subdivision flag
            if char == "\ufeff" and i == 0:
                continue  # a byte-order mark at the very start hides nothing
            if run is not None and run[1] >= i - 1:
                run = (run[0], i + 1, run[2])
                continue
            if run is not None:
                yield _hidden_hit(*run)
            run = (i, i + 1, char)
        if run is not None:
            yield _hidden_hit(*run)

    def _links(self, text: str, ctx: RuleContext) -> Iterator[Hit]:
        known: frozenset[str] | None = None  # read from the thread only when a link needs it
        judged: dict[str, bool] = {}
        for start, end, host in self._hosts(text):
            if host not in judged:
                known = self._known_hosts(ctx) if known is None else known
                judged[host] = bool(host) and "." in host and not self._allowed(host, known)
            if judged[host]:
                yield Hit(
                    f"A link to a host that is neither in the thread nor an allowed domain {at(start, end)}.",
                    start,
                    end,
                    "Link only to the company's own pages or to pages the customer sent.",
                    cap=Severity.warn,
                )

    def _hosts(self, text: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, host) of every link, in text order: URLs and www. first, then bare domains
        that no URL covers."""
        spans = sorted(
            ([m.span(1) for m in _URL.finditer(text)] if "://" in text else [])
            + ([m.span(1) for m in _WWW.finditer(text)] if "www." in text.casefold() else [])
        )
        covered_end = -1
        for start, end in spans:
            if start < covered_end:
                continue
            covered_end = end
            yield start, end, clean_host(text[start:end])
        # A listed domain is a dot and two or more letters (under IGNORECASE, only letters match
        # the TLDs' letters): a text with no such pair skips the case-insensitive alternation,
        # which is tried at every dot ("a.b.c.d...": ~4 ms on 20,000 characters).
        if _DOT_LETTERS.search(text) is None or self._tld_dot.search(text) is None:
            return
        taken = spans
        index = 0
        for match in _BARE.finditer(text):
            start, end = match.span(1)
            while index < len(taken) and taken[index][1] <= start:
                index += 1
            if index < len(taken) and taken[index][0] <= start:
                continue  # part of a URL already judged
            if match.group(2).casefold() in self._tlds:
                yield start, end, clean_host(match.group(1))

    def _known_hosts(self, ctx: RuleContext) -> frozenset[str]:
        hosts = {d.casefold().strip(".") for d in ctx.allowed_domains if d.strip(".")}
        if ctx.thread is not None:
            for text in _thread_texts(ctx.thread):
                for pattern, group in ((_URL, 1), (_WWW, 1), (_BARE, 1)):
                    hosts.update(clean_host(m.group(group)) for m in pattern.finditer(text))
                hosts.update(clean_host(m) for m in re.findall(r"@([\w.-]+\.[a-z]{2,})", text, re.I))
        return frozenset(h for h in hosts if h)

    def _allowed(self, host: str, known: frozenset[str]) -> bool:
        if any(host == k or host.endswith("." + k) for k in known):
            return True
        own = registrable(host, self._second_level)
        return any(registrable(k, self._second_level) == own for k in known if "." in k)

    def instruction(self, finding: Finding) -> str:
        return (
            f"Remove the unsafe content {at(finding.start, finding.end)}: plain text only (no HTML, "
            "scripts, script or data links, or invisible characters); link only to the company's own "
            "pages or to pages the customer sent."
        )


_REMOVE_MARKUP = "Write plain text: no HTML elements, attributes, or script/data links."
_MAX_HITS = 20  # findings of one kind per reply


def _hidden_hit(start: int, end: int, first: str) -> Hit:
    return Hit(
        f"An invisible or direction-changing control character (U+{ord(first):04X}) {at(start, end)}.",
        start,
        end,
        "Remove invisible and bidi control characters: the agent must see exactly what is sent.",
    )


def _between_letters(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    return bool(_WORD_CHAR.match(before)) and bool(_WORD_CHAR.match(after))


def _flag_tag(text: str, i: int) -> bool:
    j = i
    while j > 0 and ord(text[j - 1]) in _TAG_CHARS:
        j -= 1
    return j > 0 and text[j - 1] == _BLACK_FLAG


def _thread_texts(thread: Thread) -> Iterator[str]:
    for message in thread.messages:
        yield message.body
    if thread.subject:
        yield thread.subject
    if thread.agent.signature:
        yield thread.agent.signature
    if thread.customer.email:
        yield thread.customer.email
