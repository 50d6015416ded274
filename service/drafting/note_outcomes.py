"""What our internal notes say has already happened, said to the customer in our own words.

A note that reads "Refund issued today 09/03, ref RFD-44190-ES, 49,00 EUR; bank takes 5-10 working
days" settles the customer's question: "I'm looking into this" would misstate the status. This
module finds such outcomes deterministically: a note sentence naming a thing (refund, deposit,
booking, fee, direct debit...) and what was done to it (issued, released, confirmed...), not
negated. From that sentence, or the next one, it takes the reference, the amount, the date and the
timeline, and renders a template of ours (data/note_outcomes.yaml): the note's sentence itself is
never copied. It also reads whether a note admits a fault of ours (the reply then apologises) and
whether the problem is a known fault (the customer did nothing wrong; its id is never said).
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from dataclasses import dataclass
from datetime import date as calendar_date
from datetime import datetime
from functools import cache

from pydantic import BaseModel, ConfigDict

from service.language.cues import compile_cues, fold
from service.language.data import load_table
from service.language.negation import negated_before
from service.language.notes import NoteFacts
from service.models import Role, Thread

_NOTE_CHARS = 3_000  # per note, as in service/language/notes.py
_MAX_NOTES = 12
# A reference: letters and digits in dash-joined groups with at least three digits in one group
# ("RFD-44190-ES", "REE-PT-30917", "7004-2261-889"); plain numbers and dates are not references.
_REF = re.compile(r"(?<![\w/.])(?=[A-Z0-9-]*\d{3})(?!\d{4}-\d\d-\d\d)[A-Z0-9]+(?:-[A-Z0-9]+)+(?![\w/])")
_AMOUNT = re.compile(
    r"(?:(?:€|£|\$|R\$|US\$|ARS|EUR|GBP|USD|BRL|MXN|CAD|CHF)\s?\d[\d.,\u202f\u00a0 ]*\d"
    r"|\d[\d.,\u202f\u00a0 ]*\d\s?(?:€|£|\$|EUR|GBP|USD|BRL|ARS|MXN|CAD|CHF|euros?|reais))"
)
# Not a version number: "FW 3.8.2" is no 3 August; not "24/7", which means at any hour.
_DATE = re.compile(
    r"(?<![\d/.])(?!24/7(?![\d/]))(\d{1,2})([./])(\d{1,2})(?:\2(\d{2,4}))?\.?(?![\d/])(?!\.\d)"
)
_TIMELINE = re.compile(
    r"\b(?:\d{1,3}\s*(?:-|–|to|a|à|bis|e)\s*)?\d{1,3}\s*"
    r"(?:(?:business|working|biz)\s+)?(?:days?|hours?|weeks?|días?(?:\s+hábil(?:es)?)?|horas?|semanas?|"
    r"werktage[n]?|arbeitstage[n]?|tage[n]?|tag|stunden?|wochen?|jours?(?:\s+ouvrés?|\s+ouvrables?)?|"
    r"heures?|hs|semaines?|dias?(?:\s+úte(?:is|l))?)"
    r"(?:\s+(?:business|working|biz|hábiles|ouvrés|ouvrables|úteis))?\b",
    re.IGNORECASE,
)
_TODAY = compile_cues(["today", "hoy", "heute", "aujourd'hui", "hoje"])
# A day we cannot date from the note alone: times after it are not offered as the note's day.
_TOMORROW = compile_cues(["tomorrow", "mañana", "morgen", "demain", "amanhã"])
# A clock time: "9:00", "16h30", "13h", "02:00 UTC", "8:00 pm"; a bare number is never a time.
_TIME = re.compile(
    r"(?<![\d:.,/])(?:(?:[01]?\d|2[0-3])(?::[0-5]\d|h(?:[0-5]\d)?)(?!\d)"
    r"(?:\s?(?:UTC|GMT|CET|CEST|BST|hs|(?:[ap]m|[ap]\.m\.)(?![^\W\d_])))?"
    r"|(?:1[0-2]|0?[1-9])\s?(?:[ap]m|[ap]\.m\.)(?![^\W\d_])"
    # German full hours: "12 Uhr", and the bare first hour of a window "7–12 Uhr".
    r"|(?:[01]?\d|2[0-3])(?:\s?Uhr\b|(?=\s?[–-]\s?(?:[01]?\d|2[0-3])\s?Uhr\b)))"
)
# A time after "until" is when something stops ("callback team reachable until 18:00"), not the
# plan's moment: said as its time, a callback "at 18:00" contradicts the note (dev N #15).
_UNTIL_TIME = re.compile(
    r"(?:until|till|bis|hasta|jusqu'à|jusqu’à|até)\s+(?:(?:las|les|as|à|um)\s+)?$", re.IGNORECASE
)
# Kinds said only when the note's sentence shares a word or a reference with what the customer
# wrote: "application approved" or "account restored" in a note about another matter is not this
# customer's answer. (A visit, a deadline, a fix or a pick-up are specific enough on their own.)
# A credit is about money: the composer says it only to a customer who raised a charge or a refund.
_RELEVANT = frozenset({"request_approved", "service_restored", "cancellation_done", "document_issued"})
# Kinds whose date is when something will happen ("visit on 2/4 between 9:00 and 11:00")...
_WHEN = frozenset(
    {
        "visit_booked",
        "fix_scheduled",
        "ready_for_collection",
        "restoration_expected",
        "delivery_scheduled",
        "callback_arranged",
    }
)
# Plans for which "today" in the note is their day ("callback today 15h-16h"); a fix "deployed
# today" is no plan, and "approved today" is no limit.
_TODAY_PLANS = frozenset({"callback_arranged", "delivery_scheduled", "visit_booked"})
# A plan the customer must still choose between ("Thu 10.12. or Sat 12.12.") is not booked.
_ONE_DATE = frozenset({"delivery_scheduled"})
# Kinds with no time frame of their own: "valid 60 days" beside a coupon is not when it arrives.
_NO_TIMELINE = frozenset({"no_charge", "discount_applied", "cancellation_done", "delivery_scheduled"})
# Kinds that take no time frame either, but whose things (a card, an invoice, a fee) are named in a
# bank's time frame ("depending on the card's closing date") and so do not make it a validity.
_UNTIMED = _NO_TIMELINE | {
    "deadline_suspended",
    "fee_waived",
    "nothing_to_do",
    "card_blocked",
    "invoice_reissued",
    "invoice_cancelled",
    "document_issued",
}
# A refund sentence with a reference and a bank timeline states a refund made, even without a verb
# ("Refund €54.99 to same IBAN, ref RF-88412, 3-5 working days"); a condition ("if she wants")
# or a question keeps it an option.
_CONDITIONAL = re.compile(r"\b(?:if|unless|si|falls|wenn|se|caso)\b|\?")
_OTHER_REFUNDS = ("refund_requested", "refund_approved")
# Said only beside another outcome: "nothing to pay" alone leaves the customer's question open.
SUPPLEMENTARY = frozenset({"no_charge", "nothing_to_do"})
_PERCENT = re.compile(r"(?<![\d.,])\d{1,2}\s?%")
# ...or until when it holds ("deadline extended to 12/09 at 14:00", "approved until 31.10.").
_UNTIL = frozenset({"request_approved", "deadline_extended"})
# A plan with no date is no answer: the composer says it only with one.
_NEEDS_DATE = frozenset({"fix_scheduled", "delivery_scheduled"})
# An estimate is worth saying with a time alone ("back between 17:00 and 18:00"), and only with one.
_TIME_ENOUGH = frozenset({"restoration_expected"})
_SHARED_WORD = re.compile(r"[^\W\d_]{5,}")
_SHARED_PREFIX = 5  # "reembolso"/"reembolsos", "approved"/"approval" share their first letters
_CUSTOMER_CHARS = 4_000
# Kinds that pay money out: they share the bank's timeline in the next sentence.
_BANK = frozenset(
    {
        "refund_issued",
        "refund_approved",
        "refund_requested",
        "deposit_released",
        "payment_released",
        "credit_applied",
        "transfer_sent",
    }
)
# Kinds whose date is the day it happened; other dates in those sentences are not theirs.
_DATED = _BANK | {"fix_deployed", "cancellation_done", "service_restored", "card_blocked"}
# A payout said by its own kind (a refund, a deposit, a payment) is not said again as a transfer.
_PAYOUTS = ("refund_issued", "deposit_released", "payment_released")
# A German date ends in a dot ("31.10."): the sentence's own full stop is not doubled.
_DOUBLE_STOP = re.compile(r"\.\.$")
_DATE_REACH = 30  # characters between an action word and its date
_THING_REACH = 55  # characters between the thing and what was done to it
_REF_REACH = 120
_AMOUNT_REACH = 80


class _Outcome(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    things: tuple[str, ...]
    actions: tuple[str, ...]


class _OutcomesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: int
    outcomes: dict[str, _Outcome]
    known_issue: tuple[str, ...]
    our_fault: tuple[str, ...]
    negators: tuple[str, ...]
    months: tuple[str, ...]
    no_date: tuple[str, ...]
    no_mention: tuple[str, ...]
    bug_words: tuple[str, ...]
    thresholds: tuple[str, ...]
    customer_tasks: tuple[str, ...]
    pending: tuple[str, ...]
    future: tuple[str, ...]
    conditions: tuple[str, ...]
    rate_words: tuple[str, ...]
    templates: dict[str, dict[str, str | dict[str, str]]]


@dataclass(frozen=True)
class Outcome:
    kind: str
    ref: str | None = None
    amount: str | None = None
    date: str | None = None
    timeline: str | None = None
    times: tuple[str, ...] = ()  # one clock time, or the two ends of a window
    # Offered slots: (date, start time, end time), "" where the note gives none.
    options: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class NoteOutcomes:
    outcomes: tuple[Outcome, ...] = ()
    known_issue: bool = False
    our_fault: bool = False


@dataclass(frozen=True)
class _Compiled:
    things: dict[str, re.Pattern[str]]
    actions: dict[str, re.Pattern[str]]
    known: re.Pattern[str] | None
    fault: re.Pattern[str] | None
    negators: frozenset[str]
    named_date: re.Pattern[str] | None
    thresholds: re.Pattern[str] | None
    tasks: re.Pattern[str] | None
    pending: re.Pattern[str] | None
    future: re.Pattern[str] | None
    conditions: re.Pattern[str] | None
    rate: re.Pattern[str]


def _table() -> _OutcomesFile:
    return load_table("note_outcomes", _OutcomesFile)


@cache
def _compiled() -> _Compiled:
    table = _table()
    things: dict[str, re.Pattern[str]] = {}
    actions: dict[str, re.Pattern[str]] = {}
    for kind, outcome in table.outcomes.items():
        thing, action = compile_cues(outcome.things), compile_cues(outcome.actions)
        if thing is not None and action is not None:
            things[kind], actions[kind] = thing, action
    return _Compiled(
        things,
        actions,
        compile_cues(table.known_issue),
        compile_cues(table.our_fault),
        frozenset(table.negators),
        _named_date(table.months),
        compile_cues(table.thresholds),
        compile_cues(table.customer_tasks),
        compile_cues(table.pending),
        compile_cues(table.future),
        compile_cues(table.conditions),
        _rate_pattern(table.rate_words),
    )


def _rate_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """What follows an amount that makes it a rate per unit: "/m³", "/kWh", "per hour"."""
    alternation = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"\s?/\s?[^\W\d_]|\s+(?:{alternation})\s+\w", re.IGNORECASE)


def _named_date(months: tuple[str, ...]) -> re.Pattern[str] | None:
    """ "16 Apr", "2 de abril", "23. Januar": a day and a month name (matched on folded text)."""
    names = sorted({m.strip().lower() for m in months if m.strip()}, key=len, reverse=True)
    if not names:
        return None
    alternation = "|".join(re.escape(m) for m in names)
    return re.compile(rf"(?<![\d/.])\d{{1,2}}\.?\s+(?:de\s+)?(?:{alternation})[^\W\d_]*\.?(?!\w)")


# A negation reaches an outcome from the three words before it ("nicht erstattet", "not yet
# refunded"), inside its clause; for an outcome a comma ends the clause too: "sin costo, llega el
# 11/03" negates the cost, not the arrival.
_NEGATION_WORDS = 3


def _near(pattern: re.Pattern[str], text: str, at: int, reach: int) -> str | None:
    """The match of `pattern` in `text` closest to offset `at`, within `reach` characters."""
    best: tuple[int, str] | None = None
    for match in pattern.finditer(text):
        distance = max(match.start() - at, at - match.end(), 0)
        if distance <= reach and (best is None or distance < best[0]):
            best = (distance, match.group())
    return best[1] if best else None


def _ref_near(text: str, at: int) -> str | None:
    """The reference that follows the action ("issued, ref. RF-1"), else the nearest one before it
    ("Booking HX-1 confirmed"): a booking number before "deposit released, ref. REL-2" is not it."""
    for match in _REF.finditer(text, at):
        if match.start() - at <= _REF_REACH:
            return match.group()
    return _near(_REF, text[:at], at, _REF_REACH)


def _note_date(created: datetime | None, language: str) -> str | None:
    if created is None:
        return None
    return (
        f"{created.day:02d}.{created.month:02d}."
        if language == "de"
        else f"{created.day:02d}/{created.month:02d}"
    )


def _date_text(raw: str, language: str) -> str:
    match = _DATE.fullmatch(raw.strip())
    if match is None:
        return raw.strip()
    day, month = int(match.group(1)), int(match.group(3))
    return f"{day:02d}.{month:02d}." if language == "de" else f"{day:02d}/{month:02d}"


# Where a note sentence may end. pysbd would cost ~7 µs a character (20 ms for a long note, per
# draft); outcomes only need bounds for their searches, and false cuts are mended by _joined.
_BOUNDARY = re.compile(r"(?<=[.!?;])\s+|\n+")


# "ref.", "Nr.", "n.º", "Dr." at the end of a clause: an abbreviation, not the sentence's end.
# An acronym in capitals ("l'IBAN.", "SEPA.") is a word that ends its sentence.
# A clock time's "Uhr" ("Zeitfenster 7–12 Uhr.") ends its sentence: it abbreviates nothing.
_ABBREVIATION = re.compile(
    r"(?<![^\W\d_])(?!(?<=\d )Uhr\.$|(?<=\d)Uhr\.$)(?![A-Z]{2,4}\.$)[^\W\d_]{1,4}\.º?$|\bn\.º$"
)


_DATE_END = re.compile(r"\d\.$")


def _clauses(body: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(body):
        if match.start() > start:
            spans.append((start, match.start()))
        start = match.end()
    if start < len(body):
        spans.append((start, len(body)))
    return spans


def _joined(spans: list[tuple[int, int]], body: str) -> list[tuple[int, int]]:
    """Sentences with a cut mended: a "sentence" that starts in lower case continues the one before
    ("Kaution wurde am 12.03." + "freigegeben, Referenz ...") or after an abbreviation ("ref.")."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        head = body[start:end].lstrip()
        after_abbreviation = bool(out) and _ABBREVIATION.search(body, out[-1][0], out[-1][1]) is not None
        # "bis 20.03. 18:00 verlängert": a German date's dot before a time is not a sentence end.
        after_date = (
            bool(out) and head[:1].isdigit() and _DATE_END.search(body, out[-1][0], out[-1][1]) is not None
        )
        # A note's lines are separate sentences even when one starts in lower case: "refund
        # issued" and "coupon valid 30 days" on two lines are two matters, never one.
        new_line = bool(out) and "\n" in body[out[-1][1] : start]
        if out and not new_line and (head[:1].islower() or after_abbreviation or after_date):
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


@cache
def _limits() -> tuple[re.Pattern[str] | None, re.Pattern[str] | None, re.Pattern[str] | None]:
    table = _table()
    return compile_cues(table.no_date), compile_cues(table.no_mention), compile_cues(table.bug_words)


# Kinds whose date is a plan or an estimate: what "no exact date" in a note is about.
_PLANNED = frozenset({"fix_scheduled", "restoration_expected"})


def limit_outcomes(found: NoteOutcomes, thread: Thread, *, public: bool) -> NoteOutcomes:
    """The outcomes as the notes allow them to be told (issue 13, review D).

    - A note sentence saying not to commit to a date ("pas de date exacte", "nicht versprechen")
      takes the date off a planned fix or an estimate; a planned fix is then said without one.
    - A note sentence saying not to mention the bug keeps the known-problem line out.
    - A public social reply carries no reference or amount: those go to the private message.
    """
    no_date, no_mention, bugs = _limits()
    notes = [m.body[:_NOTE_CHARS] for m in thread.messages if m.role is Role.note][-_MAX_NOTES:]
    sentences = [fold(body[a:b]) for body in notes for a, b in _joined(_clauses(body), body)]
    undated = bool(no_date) and any(no_date.search(s) for s in sentences if no_date)
    unmentioned = any(no_mention.search(s) and bugs.search(s) for s in sentences if no_mention and bugs)
    outcomes: list[Outcome] = []
    for outcome in found.outcomes:
        if undated and outcome.kind in _PLANNED:
            kind = "fix_expected" if outcome.kind == "fix_scheduled" else outcome.kind
            outcome = dataclasses.replace(outcome, kind=kind, date=None, times=())
            if kind == "restoration_expected":
                continue  # an estimate with neither date nor time says nothing
        if public:
            outcome = dataclasses.replace(outcome, ref=None, amount=None)
        outcomes.append(outcome)
    return dataclasses.replace(
        found, outcomes=tuple(outcomes), known_issue=found.known_issue and not unmentioned
    )


def read_note_outcomes(thread: Thread, language: str) -> NoteOutcomes:
    """The outcomes our notes state, newest note first, at most one of each kind."""
    compiled = _compiled()
    notes = [m for m in thread.messages if m.role is Role.note and m.body.strip()][-_MAX_NOTES:]
    found: dict[str, Outcome] = {}
    known = fault = False
    tasked = False  # a note sentence asks the customer for something
    said = _customer_words(thread)
    for note in reversed(notes):
        body = note.body[:_NOTE_CHARS]
        folded_body = fold(body)
        known = known or bool(compiled.known and compiled.known.search(folded_body))
        fault = fault or bool(compiled.fault and compiled.fault.search(folded_body))
        spans = _joined(_clauses(body), body)
        for index, (start, end) in enumerate(spans):
            folded = folded_body[start:end]
            tasked = tasked or _asks_customer(folded, compiled)
            for kind, thing in compiled.things.items():
                if kind in found:
                    continue
                # "non remboursable", "no refund issued yet": a negated thing is not this outcome.
                things = [
                    m.span()
                    for m in thing.finditer(folded)
                    if not negated_before(
                        folded, m.start(), compiled.negators, _NEGATION_WORDS, comma_ends=True
                    )
                ]
                action = next(
                    (
                        m
                        for m in compiled.actions[kind].finditer(folded)
                        if not negated_before(
                            folded, m.start(), compiled.negators, _NEGATION_WORDS, comma_ends=True
                        )
                        and any(_gap(m.span(), t) <= _THING_REACH for t in things)
                    ),
                    None,
                )
                at: int | None = action.start() if action is not None else None
                if (
                    at is None
                    and kind == "refund_issued"
                    and things
                    and _stated_refund(body[start:end])
                    and not any(
                        compiled.actions[k].search(folded) for k in _OTHER_REFUNDS if k in compiled.actions
                    )
                ):
                    at = things[0][0]
                if at is None:
                    continue
                if kind not in _PLANS and _not_yet(kind, body, folded_body, (start, end), start + at):
                    continue
                if kind in _RELEVANT and not _shares(body[start:end], said):
                    continue
                following = spans[index + 1] if index + 1 < len(spans) else (end, end)
                outcome = _outcome(kind, body, (start, end), following, start + at, note.created_at, language)
                if kind in _UNTIMED:
                    outcome = dataclasses.replace(outcome, timeline=None)
                if kind == "discount_applied" and outcome.amount is None:
                    percent = _near(_PERCENT, body[start:end], at, _AMOUNT_REACH)
                    outcome = dataclasses.replace(outcome, amount=percent)
                if kind in _ONE_DATE and len(set(_DATE.findall(_without_amounts(body[start:end])))) > 1:
                    continue
                if kind == "slots_offered":
                    outcome = _offered(outcome, body[start:end], language, note.created_at)
                    options = tuple(o for o in outcome.options if not _before(o[0], note.created_at))
                    if not options:
                        continue
                    outcome = dataclasses.replace(outcome, options=options)
                if kind in _WHEN | _UNTIL:
                    outcome = _scheduled(outcome, body[start:end], at, compiled, language, note.created_at)
                if kind in _NEEDS_DATE and outcome.date is None:
                    continue
                if kind in _WHEN | _UNTIL and outcome.date and _before(outcome.date, note.created_at):
                    continue  # "the visit booked for 03/02 was a no-show": history, not a plan
                if kind in _TIME_ENOUGH:
                    if outcome.date is None and not outcome.times:
                        continue
                    # Its moment is the estimate; a duration nearby is about something else.
                    outcome = dataclasses.replace(outcome, timeline=None)
                found[kind] = outcome
    if "refund_issued" in found:  # issued supersedes approved
        found.pop("refund_approved", None)
    if any(kind in found for kind in _PAYOUTS):
        found.pop("transfer_sent", None)
    if "invoice_cancelled" in found:  # it already says there is nothing to pay: said once
        found.pop("no_charge", None)
    if tasked:  # "nothing to do" beside "we need her to choose" contradicts the note
        found.pop("nothing_to_do", None)
    kept = [o for o in found.values() if o.kind not in SUPPLEMENTARY]
    if kept:  # what settles the question first, what it costs after
        kept += [o for o in found.values() if o.kind in SUPPLEMENTARY]
    return NoteOutcomes(tuple(kept), known, fault)


# Kinds that are plans, offers or estimates by nature, or absences of cost: "expected" or "once
# she confirms" beside them is what they are, not a sign that they are not done yet.
_PLANS = _WHEN | {"fix_scheduled", "slots_offered", "restoration_expected", "no_charge", "nothing_to_do"}
# Kinds we say as under way ("is being reversed"): a note's "will be reversed" is what they say.
_UNDER_WAY = frozenset({"fee_reversed"})
_PENDING_REACH = 60  # characters before an action within which "pending", "will be" speak of it
_HEADING_CHARS = 40  # "Com o documento:" heads its line when its colon comes this early


def _not_yet(kind: str, body: str, folded_body: str, sentence: tuple[int, int], at: int) -> bool:
    """Whether a note gives the outcome whose action is at `at` as still to come: pending,
    expected or estimated before it in its sentence, on a condition in its sentence (up to a
    semicolon after it), or under a line heading that is a condition ("Com o documento: … taxa … anulada")."""
    compiled = _compiled()
    start, end = sentence
    before = folded_body[max(start, at - _PENDING_REACH) : at]
    if compiled.pending is not None and compiled.pending.search(before):
        return True
    if kind not in _UNDER_WAY and compiled.future is not None and compiled.future.search(before):
        return True
    if compiled.conditions is None:
        return False
    # A condition after a semicolon is another clause's ("refund approved; paid once the depot
    # scans it": the approval is done).
    stop = body.find(";", at, end)
    if compiled.conditions.search(folded_body, start, end if stop < 0 else stop):
        return True
    line_start = body.rfind("\n", 0, start) + 1
    colon = body.find(":", line_start, min(at, line_start + _HEADING_CHARS))
    return colon >= 0 and compiled.conditions.search(folded_body, line_start, colon + 1) is not None


def _asks_customer(folded: str, compiled: _Compiled) -> bool:
    """Whether a note sentence asks something of the customer; the sentence that says there is
    nothing to do ("muss nichts tun") is not one, whatever its verb."""
    if compiled.tasks is None or not compiled.tasks.search(folded):
        return False
    nothing = compiled.things.get("nothing_to_do")
    return nothing is None or nothing.search(folded) is None


_PAST_WINDOW_DAYS = 180  # further back than this, "14/01" written in December means next January


def _stated_refund(sentence: str) -> bool:
    """A refund with its reference and timeline, stated without a condition."""
    return (
        _REF.search(sentence) is not None
        and _TIMELINE.search(sentence) is not None
        and _CONDITIONAL.search(fold(sentence)) is None
    )


def _before(said: str, created: datetime | None) -> bool:
    """Whether a day-and-month date ("03/02", "03.02.") lies before the note was written."""
    match = _DATE.fullmatch(said.strip())
    if created is None or match is None:
        return False
    day, month = int(match.group(1)), int(match.group(3))
    try:
        when = calendar_date(created.year, month, day)
    except ValueError:
        return False
    behind = (created.date() - when).days
    return 0 < behind <= _PAST_WINDOW_DAYS


def _customer_words(thread: Thread) -> set[str]:
    """The customer's longer words (first letters, folded) and references, from the subject and
    their messages: what a relevant note sentence must share."""
    text = "\n".join(
        [thread.subject or "", *(m.body[:_CUSTOMER_CHARS] for m in thread.customer_messages()[-3:])]
    )
    words = {w[:_SHARED_PREFIX] for w in _SHARED_WORD.findall(fold(text))}
    return words | {r.lower() for r in _REF.findall(text)}


def _shares(sentence: str, said: set[str]) -> bool:
    refs = {r.lower() for r in _REF.findall(sentence)}
    words = {w[:_SHARED_PREFIX] for w in _SHARED_WORD.findall(fold(sentence))}
    return bool((refs | words) & said)


def _scheduled(
    outcome: Outcome, sentence: str, at: int, compiled: _Compiled, language: str, created: datetime | None
) -> Outcome:
    """The date and clock times of a plan or a limit, from anywhere in its sentence."""
    folded = fold(sentence)
    numeric = _near(_DATE, _without_amounts(sentence), at, len(sentence))
    named = _near(compiled.named_date, folded, at, len(sentence)) if compiled.named_date else None
    date: str | None = None
    today = _TODAY.search(folded) if _TODAY is not None else None
    if outcome.kind == "ready_for_collection" and today is not None:
        date = _note_date(created, language)  # ready "from today", not from the closing date
    elif numeric is not None:
        date = _date_text(numeric, language)
    elif named is not None:
        match = compiled.named_date.search(folded) if compiled.named_date else None
        date = sentence[match.start() : match.end()].strip() if match else None
    elif today is not None and outcome.kind in _TODAY_PLANS:
        date = _note_date(created, language)  # "callback today 15h-16h": the note's own day
    found = list(_TIME.finditer(sentence))
    # A window ("delivery window 4:00-8:00 pm") is the plan's moment, not the first time named
    # ("dispatched 13:12").
    windows = [
        (one.group(), two.group())
        for one, two in itertools.pairwise(found)
        if _WINDOW_JOIN.fullmatch(sentence[one.end() : two.start()]) is not None
    ]
    if outcome.kind in _WHEN:
        found = [m for m in found if _UNTIL_TIME.search(sentence[max(0, m.start() - 16) : m.start()]) is None]
    times = windows[0] if windows else tuple(m.group() for m in found)[:2]
    return Outcome(outcome.kind, outcome.ref, outcome.amount, date, outcome.timeline, times)


# Two times joined as one window: "8h-12h", "9:00 to 11:00", "von 9 bis 11"; "9h e às 16h30" are two.
_WINDOW_JOIN = re.compile(r"\s*(?:[–—-]|to|till|until|bis|a|à|as|às)\s*$", re.IGNORECASE)
_WINDOW_OPEN = re.compile(
    r"(?:between|entre|zwischen|from|de|das|von|du)\s+(?:las\s+|les\s+|as\s+)?$", re.IGNORECASE
)
_MAX_OPTIONS = 3


def _offered(outcome: Outcome, sentence: str, language: str, created: datetime | None = None) -> Outcome:
    """Each date in the sentence with the times that follow it, a window when two are joined.
    A date alone is not an offer (it is often a start date or a deadline), nor is an aside in
    brackets ("(confirm before Friday 12h)"). A date may be numeric, a day with a month name
    ("jeu 17 déc 13h30") or "today" (the note's own day)."""
    sentence = re.sub(r"\([^)]*\)", lambda m: " " * len(m.group()), sentence)
    folded = fold(sentence)
    named = _compiled().named_date
    marks = sorted(
        [(m.start(), m.end(), "date", m.group()) for m in _DATE.finditer(_without_amounts(sentence))]
        + [
            (m.start(), m.end(), "date", sentence[m.start() : m.end()].strip())
            for m in (named.finditer(folded) if named is not None else ())
        ]
        + [
            (m.start(), m.end(), "date", _note_date(created, language) or "")
            for m in (_TODAY.finditer(folded) if _TODAY is not None and created is not None else ())
        ]
        + [
            (m.start(), m.end(), "date", "")
            for m in (_TOMORROW.finditer(folded) if _TOMORROW is not None else ())
        ]
        + [(m.start(), m.end(), "time", m.group()) for m in _TIME.finditer(sentence)]
    )
    options: list[tuple[str, str, str]] = []
    date = ""
    index = 0
    while index < len(marks):
        start, end, kind, text = marks[index]
        if kind == "date":
            date = _date_text(text, language) if text else ""
            index += 1
            continue
        if not date:
            index += 1
            continue
        nxt = marks[index + 1] if index + 1 < len(marks) else None
        joined = (
            nxt is not None
            and nxt[2] == "time"
            and (
                _WINDOW_JOIN.fullmatch(sentence[end : nxt[0]]) is not None
                or (
                    _WINDOW_OPEN.search(sentence[max(0, start - 12) : start]) is not None
                    and re.fullmatch(
                        r"\s*(?:and|y|e|et|und)\s+(?:las\s+|les\s+|as\s+)?", sentence[end : nxt[0]]
                    )
                    is not None
                )
            )
        )
        if joined and nxt is not None:
            options.append((date, text, nxt[3]))
            index += 2
        else:
            options.append((date, text, ""))
            index += 1
    unique = tuple(dict.fromkeys(options))[:_MAX_OPTIONS]
    return Outcome(outcome.kind, outcome.ref, outcome.amount, outcome.date, outcome.timeline, (), unique)


def _options(templates: dict[str, str | dict[str, str]], outcome: Outcome) -> str:
    slots = templates.get("option_slots")
    if not isinstance(slots, dict):
        return ""
    said = [
        slots["option_window"].format(date=d, start=a, end=b)
        if b
        else slots["option_time"].format(date=d, time=a)
        for d, a, b in outcome.options
    ]
    return slots["or"].join(said)


def _gap(one: tuple[int, int], other: tuple[int, int]) -> int:
    return max(one[0] - other[1], other[0] - one[1], 0)


def _outcome(
    kind: str,
    body: str,
    sentence: tuple[int, int],
    following: tuple[int, int],
    at: int,
    created: datetime | None,
    language: str,
) -> Outcome:
    """The outcome whose action word is at `at` in `body`, with the details of its sentence (the
    reference or timeline may follow in the next one). When the action opens the sentence, pysbd
    may have cut its date off just before ("am 12.03. | freigegeben"): a few characters back count."""
    start, end = sentence
    text = body[start:end]
    ref = _ref_near(text, at - start) or _near(_REF, body[following[0] : following[1]], 0, 40)
    amount = _near(_AMOUNT, _without_limits(text), at - start, _AMOUNT_REACH)
    after = body[following[0] : following[1]]
    # The next sentence lends its time frame only when it is about nothing else: an amount, a
    # reference or another kind's thing ("coupon valid 30 days") makes it a matter of its own.
    own_matter = following[0] >= end and (
        _AMOUNT.search(after) or _REF.search(after) or _names_other_thing(kind, fold(after))
    )
    # A payout's details on a line of their own ("Relancé par virement." + "612,40 €, réf. VIR-1,
    # 2-3 jours ouvrés."): a sentence that opens with an amount or a reference and names no other
    # kind's thing continues the payout, so it lends its amount and time frame too.
    if (
        kind in _BANK
        and following[0] >= end
        and _DETAILS.match(after)
        and not _names_other_thing(kind, fold(after))
    ):
        own_matter = False
        if amount is None:
            amount = _near(_AMOUNT, _without_limits(after), 0, _AMOUNT_REACH)
    timeline = _TIMELINE.search(body, start, end if own_matter else following[1])
    date: str | None = None
    if kind in _DATED:
        reach_back = max(0, start - 16) if at - start < 3 else start
        window = body[reach_back:end]
        near = _near(_DATE, _without_amounts(window), at - reach_back, _DATE_REACH)
        if near is not None:
            date = _date_text(near, language)
        elif _TODAY is not None and _near(_TODAY, fold(window), at - reach_back, _DATE_REACH):
            date = _note_date(created, language)
    return Outcome(
        kind,
        ref=ref,
        amount=" ".join(amount.split()) if amount else None,
        date=date,
        timeline=_timeline_text(timeline.group(), language) if timeline else None,
    )


_DETAILS = re.compile(rf"\s*(?:{_AMOUNT.pattern}|{_REF.pattern})")


def _names_other_thing(kind: str, folded: str) -> bool:
    """Does the sentence name the thing of a kind that has no time frame of its own (a coupon, a
    discount, a cancellation, a delivery) and not this kind's own thing? Its days are a validity
    or a date of that thing ("coupon valid 30 days"). Payout kinds (a credit paid back by SEPA, a
    bank's "plazo") do share a time frame, so they are not counted."""
    things = _compiled().things
    own = things.get(kind)
    if own is not None and own.search(folded):
        return False
    return any(
        other in _NO_TIMELINE and other != kind and thing.search(folded) for other, thing in things.items()
    )


def _without_amounts(text: str) -> str:
    """`text` with its amounts blanked, offsets kept: "€54.99" is a price, never the date 54/99,
    so dates are looked for only after amounts are out of the way."""
    return _AMOUNT.sub(lambda m: " " * (m.end() - m.start()), text)


def _without_limits(text: str) -> str:
    """`text` with amounts that follow a threshold word ("under €100", "bis zu 50 €") blanked,
    offsets kept: a limit in a note is a rule, not this customer's amount."""
    compiled = _compiled()
    limits = compiled.thresholds
    out = text
    # A rate per unit ("0,52 €/m³") is a price of the unit, not the amount of anything done.
    for priced in _AMOUNT.finditer(text):
        if compiled.rate.match(text, priced.end()):
            out = out[: priced.start()] + " " * (priced.end() - priced.start()) + out[priced.end() :]
    if limits is None:
        return out
    folded = fold(text)
    for match in limits.finditer(folded):
        amount = _AMOUNT.match(text, match.end() + (1 if text[match.end() : match.end() + 1] == " " else 0))
        if amount is not None:
            out = out[: amount.start()] + " " * (amount.end() - amount.start()) + out[amount.end() :]
    return out


def _timeline_text(raw: str, language: str) -> str:
    text = " ".join(raw.split())
    # German templates put the timeline after "innerhalb von", which takes the dative plural.
    return re.sub(r"(tage)$", r"\1n", text) if language == "de" else text


def _templates(language: str, variant: str | None) -> dict[str, str | dict[str, str]]:
    table = _table().templates
    merged = dict(table.get(language, table["en"]))
    if variant and variant in table:
        merged.update(table[variant])
    return merged


def _moment(templates: dict[str, str | dict[str, str]], key: str, outcome: Outcome) -> str:
    """ " for 02/04 between 9:00 and 11:00", " until 12/09 at 14:00", or "" with no date."""
    slots = templates.get(key)
    if not isinstance(slots, dict) or (outcome.date is None and outcome.kind not in _TIME_ENOUGH):
        return ""
    text = slots["date"].format(date=outcome.date) if outcome.date else ""
    if len(outcome.times) == 2 and "window" in slots:
        text += slots["window"].format(start=outcome.times[0], end=outcome.times[1])
    elif outcome.times:
        text += slots["time"].format(time=outcome.times[0])
    return text


# Things on their way to the customer: their time frame is when they arrive.
_ARRIVING = frozenset({"card_replacement"})


def outcome_sentences(
    found: NoteOutcomes, notes: NoteFacts, language: str, variant: str | None, *, in_chat: bool
) -> list[str]:
    """What our notes settle, in the customer's language; [] when they settle nothing."""
    templates = _templates(language, variant)
    slots = templates["slots"]
    assert isinstance(slots, dict)
    out: list[str] = []
    for outcome in found.outcomes:
        if outcome.kind.startswith("refund") and "refund" in notes.forbidden:
            continue
        template = templates.get(outcome.kind)
        if outcome.kind == "slots_offered" and len(outcome.options) == 1:
            template = templates.get("slot_offered", template)  # "the next slot is", not "are"
        if not isinstance(template, str):
            continue
        out.append(
            _DOUBLE_STOP.sub(
                ".",
                template.format(
                    ref=slots["ref"].format(ref=outcome.ref) if outcome.ref else "",
                    amount=slots["amount"].format(amount=outcome.amount) if outcome.amount else "",
                    amount_paren=f" ({outcome.amount})" if outcome.amount else "",
                    date=slots["date"].format(date=outcome.date) if outcome.date else "",
                    when=_moment(
                        templates,
                        "from_slots" if outcome.kind == "ready_for_collection" else "when_slots",
                        outcome,
                    ),
                    until=_moment(templates, "until_slots", outcome),
                    options=_options(templates, outcome),
                    eta=_moment(templates, "eta_slots", outcome),
                    call=_moment(templates, "call_slots", outcome),
                ),
            )
        )
        if outcome.timeline:
            key = "bank_timeline" if outcome.kind in _BANK else "timeline"
            key = "callback_timeline" if outcome.kind == "callback_arranged" else key
            key = "arrival_timeline" if outcome.kind in _ARRIVING else key
            line = templates[key]
            assert isinstance(line, str)
            out.append(line.format(timeline=outcome.timeline))
        if outcome.kind == "callback_arranged" and in_chat and "password_reset" in notes.forbidden:
            line = templates["no_unlock_here"]
            assert isinstance(line, str)
            out.append(line)
    if found.known_issue:
        line = templates["known_issue"]
        assert isinstance(line, str)
        out.append(line)
    return out
