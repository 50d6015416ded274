"""What the prompt says besides the conversation: the tenant, today's date, our internal notes, and
how the customer's message was read (feelings, request, facts, register, variant), as hints.

Every string that comes from a ticket or a note is sanitised (service.drafting.prompts.sanitise
rules: no fence characters) and bounded here; the templates only lay it out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Protocol

from service.language.analysis import ThreadAnalysis
from service.language.notes import NoteFacts, read_notes
from service.language.register import Register
from service.models import Role, Thread
from service.tenancy import TenantProfile

_DEFENCE = str.maketrans({"⟦": "[", "⟧": "]", "〚": "[", "〛": "]", "⟬": "(", "⟭": ")"})
NOTE_CHARS = 1_500
NOTES_TOTAL_CHARS = 4_000
MAX_FACTS = 12
MAX_CONSTRAINTS = 12  # distinct constraint sentences shown, the newest (notes often repeat one)

_VARIANT_NAMES = {
    "pt-PT": "European Portuguese (Portugal): 'telemóvel', 'ecrã', 'estou a fazer'; never Brazilian forms",
    "pt-BR": "Brazilian Portuguese: 'celular', 'tela', 'estou fazendo'; never European forms",
    "es-ES": "Spanish as written in Spain",
    "es-419": "Latin-American Spanish: 'ustedes' for plural you, never 'vosotros'",
}
_REGISTER_WORDS = {
    "de": ("'Sie' (formal)", "'du' (informal)"),
    "fr": ("'vous' (formal)", "'tu' (informal)"),
    "es": ("'usted' (formal)", "'tú' (informal)"),
    "pt": ("'o senhor / a senhora' or a formal 'você'", "'tu' in Portugal or a casual 'você' in Brazil"),
    "en": ("a formal, courteous register", "a relaxed, friendly register"),
}


class Redacts(Protocol):
    """What the prompt needs of a redaction session (service.drafting.redaction.Redaction)."""

    def redact(self, text: str) -> str: ...

    def redact_part(self, text: str, start: int, end: int | None = None) -> str: ...


def redacted_from(redaction: Redacts | None, text: str, sources: Sequence[str]) -> str:
    """``text`` redacted where it stands in one of ``sources`` (a value the piece cuts in two is
    still recognised there and replaced whole), else on its own."""
    if redaction is None or not text:
        return text
    for source in sources:
        start = source.find(text)
        if start >= 0:
            return redaction.redact_part(source, start, start + len(text))
    return redaction.redact(text)


def _clean(text: str, limit: int) -> str:
    flat = " ".join(text.translate(_DEFENCE).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def tenant_context(profile: TenantProfile, today: date) -> dict[str, Any]:
    return {
        "company": _clean(profile.company, 200),
        "products": [_clean(p, 120) for p in profile.products],
        "policies": [_clean(p, 300) for p in profile.policies],
        "offers": [_clean(o, 300) for o in profile.offers],
        "link_domains": list(profile.link_domains),
        "business_hours": profile.business_hours.describe(),
        "time_zone": profile.time_zone,
        "today": f"{today:%A} {today.day} {today:%B %Y} ({today.isoformat()})",
        "team_languages": list(profile.languages),
    }


def register_instruction(analysis: ThreadAnalysis) -> str:
    formal, informal = _REGISTER_WORDS.get(analysis.language, _REGISTER_WORDS["en"])
    if analysis.register is Register.formal:
        return f"The customer writes formally: address them with {formal}, as they address us."
    if analysis.register is Register.informal:
        return f"The customer writes informally: address them with {informal}, as they address us."
    return "The customer's register is not clear: stay courteous and neutral."


def reading_context(
    thread: Thread,
    analysis: ThreadAnalysis,
    redaction: Redacts | None = None,
    notes: NoteFacts | None = None,
) -> dict[str, Any]:
    """With ``redaction``, every piece of ticket or note text is redacted where it stands in its
    message, so only the pieces shown are read and no value is cut into a fragment. ``notes``: the
    notes as the draft read them once (read here when not given; see DraftPipeline)."""
    if notes is None:
        notes = read_notes(thread, analysis.language)
    note_bodies = [m.body for m in thread.messages if m.role is Role.note]
    customer_bodies = [m.body for m in reversed(thread.messages) if m.role is Role.customer]
    texts: list[str] = []
    budget = NOTES_TOTAL_CHARS
    for text in reversed(notes.texts):  # the newest notes matter most
        if budget <= 0:
            break
        piece = text.strip()[: min(NOTE_CHARS, budget)]
        cleaned = redacted_from(redaction, piece, note_bodies).translate(_DEFENCE)
        texts.append(cleaned)
        budget -= len(piece)
    texts.reverse()

    def customer(text: str, limit: int) -> str:
        return _clean(redacted_from(redaction, text, customer_bodies), limit)

    return {
        "notes": texts,
        "note_constraints": [
            _clean(redacted_from(redaction, c, note_bodies), 300)
            for c in list(dict.fromkeys(notes.constraints))[-MAX_CONSTRAINTS:]
        ],
        "feelings": [
            {
                "name": f.feeling.value,
                "intensity": ("mild", "clear", "strong")[f.intensity - 1],
                "evidence": [customer(e.text, 80) for e in f.evidence],
            }
            for f in analysis.feelings
        ],
        "request": customer(analysis.request.text, 300) if analysis.request else "",
        "facts": [{"kind": f.kind, "text": customer(f.text, 120)} for f in analysis.facts[:MAX_FACTS]],
        "register": analysis.register.value,
        "register_instruction": register_instruction(analysis),
        "variant": analysis.variant or "",
        "variant_instruction": _VARIANT_NAMES.get(analysis.variant or "", ""),
    }
