"""The offline composer: a guideline-shaped reply built from the thread, without any model.

Used when no LLM is configured and as the fallback when the LLM is down. The reply follows our
empathy guidelines (prompts/guidelines.yaml) in a fixed order: greeting (our earlier salutation
when there is one), an acknowledgement fitted to what the customer feels (acknowledge.py; it opens
the reply, so the acknowledgement guardrail passes by construction), the issue said back
(restate.py), what happens next, a follow-up for the channel, and the agent's sign-off.

It never invents facts: what happens next is what our notes say already happened, in our own
templates (note_outcomes.py), what a note tells the customer to do or choose, said to them
(note_relay.py), or one honest step any thread supports, which the agent replaces (an
`agent-gap` gap). Output is deterministic. Phrases are data in the customer's language,
register and variant (composer_phrases.py, voice.py); other languages get English.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from service.drafting.acknowledge import acknowledge, thanks_only
from service.drafting.composer_phrases import Phrases
from service.drafting.names import PLACEHOLDER_CHARS, customer_names, is_title_word
from service.drafting.note_outcomes import (
    SUPPLEMENTARY,
    NoteOutcomes,
    limit_outcomes,
    outcome_sentences,
    read_note_outcomes,
)
from service.drafting.note_relay import notes_pending, read_relayed, relayed_sentences
from service.drafting.restate import restatement
from service.drafting.salutation import titled_name
from service.drafting.voice import (
    Voice,
    already_in_private,
    in_public,
    lower_after_salutation,
    moved_to_private,
    spelled_for,
    voice_for,
)
from service.language.analysis import Category, ThreadAnalysis
from service.language.notes import NoteFacts, mentions_refund, read_notes
from service.language.register import Register
from service.models import Channel, Role, Thread, Tone
from service.tenancy import DEFAULT_PROFILE, TenantProfile

# A signature that already closes ("Best regards,\nSam") needs no closing line of ours.
_CLOSING_WORDS = re.compile(
    r"^\s*(?:best|kind|warm|many|regards|cheers|thanks|thank you|sincerely|saludos|un saludo|"
    r"atentamente|cordialmente|viele grüße|freundliche grüße|mit freundlichen|beste grüße|grüße|"
    r"cordialement|bien à vous|bien cordialement|atenciosamente|abraços|um abraço|"
    r"com os melhores)\b",
    re.IGNORECASE,
)
# Pronouns that keep their capital inside a sentence: English "I", German formal "Sie".
_KEEP_CAPITAL = re.compile(r"^(?:I\b|I'|I’|Sie\b|Ihr\b|Ihnen\b)")
_LINE_START_SPACE = re.compile(r"\n[ \t]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_PUBLIC_CHARS = 280  # a public social post (X's limit; others are longer)
_STEPS_BY_CHANNEL = {Channel.email: 3, Channel.other: 3, Channel.chat: 2, Channel.social: 1, Channel.sms: 1}


def agent_sign_off(
    thread: Thread, phrases: Phrases, *, short: bool, profile: TenantProfile = DEFAULT_PROFILE
) -> str:
    """The signature (email), else the agent's name, else the tenant's defaults, else the team."""
    agent = thread.agent
    signature = (agent.signature or profile.signature or "").strip()
    if not short and signature:
        return signature
    name = agent_name(thread, profile)
    if name:
        return name
    if signature:
        return signature.splitlines()[0].strip()
    return phrases.team


# Helpdesks put a team or a mailbox where a person's name belongs; the prompt must not say
# "an agent called Support team" (issue 13).
_NOT_A_PERSON = re.compile(
    r"\b(?:support|team|helpdesk|help desk|service|customer|care|admin|system|bot|noreply|no-reply|"
    r"soporte|equipo|atención|kundenservice|kundendienst|équipe|suporte|equipe|atendimento)\b",
    re.IGNORECASE,
)


def agent_name(thread: Thread, profile: TenantProfile = DEFAULT_PROFILE) -> str:
    """A person's name for the agent: the thread's, else the tenant's default, else ""."""
    for raw in (thread.agent.name, profile.agent_name):
        name = " ".join((raw or "").split())
        if name and "@" not in name and not PLACEHOLDER_CHARS.search(name) and not _NOT_A_PERSON.search(name):
            return name
    return ""


# The salutation an earlier agent turn opened with ("Estimado Sr. Morales:", "Hi Jonas,").
_SALUTATION_END = re.compile(r"[,:!](?=\s|$)")
_SALUTATION_CHARS = 60
_SALUTATION_WORDS = 6


def earlier_salutation(thread: Thread) -> str:
    """How our last turn greeted this customer, when it named them: a thread keeps its address
    (title, surname, register), which a template cannot guess. "" when there is none."""
    _, full = customer_names(thread)
    names = {w.casefold() for w in full.split() if not is_title_word(w)}
    if not names:
        return ""
    for message in reversed(thread.messages):
        if message.role is not Role.agent or not message.body.strip():
            continue
        line = message.body.strip().splitlines()[0].strip()
        for end in _SALUTATION_END.finditer(line, 0, _SALUTATION_CHARS):
            candidate = line[: end.end()]
            words = {w.casefold().strip("¡!,:") for w in candidate.split()}
            # "Sehr geehrter Herr Dr. Brandt," is a salutation; "Hemos cerrado la cuenta de su
            # padre, el Sr. Ortega," is a sentence about someone else.
            if words & names and len(candidate.split()) <= _SALUTATION_WORDS:
                return candidate
        return ""
    return ""


def _greeting(thread: Thread, voice: Voice, tone: Tone) -> str:
    earlier = earlier_salutation(thread)
    if earlier:
        return earlier
    phrases = voice.phrases
    first, full = customer_names(thread)
    formal = tone is Tone.formal
    if not first:
        return phrases.greeting_anonymous_formal if formal else phrases.greeting_anonymous
    if not formal:
        return phrases.greeting.format(name=first)
    titled = titled_name(thread, full, voice.language)
    if titled:
        return phrases.greeting_formal.format(name=titled)
    # Never the first and last name together ("Dear Claire Whitmore"): the first name where the
    # language's formal address allows it, else its untitled greeting ("Guten Tag,", "Bonjour,").
    return voice.lines.get("greeting_formal_untitled") or phrases.greeting_formal.format(name=first)


def _inline_greeting(thread: Thread, voice: Voice) -> str:
    first, full = customer_names(thread)
    phrases = voice.phrases
    formal = voice.lines.get("inline_greeting_formal")
    if first and formal and voice.register is not Register.informal:
        # A language whose formal address needs a title ("Guten Tag Herr Weber"): no first name.
        titled = titled_name(thread, full, voice.language)
        if titled:
            return formal.format(name=titled)
        return voice.lines.get("inline_greeting_formal_untitled") or phrases.inline_greeting_anonymous
    return phrases.inline_greeting.format(name=first) if first else phrases.inline_greeting_anonymous


def ongoing_conversation(thread: Thread) -> bool:
    """A chat or private social conversation where we have already written: a second "Hi Martina!"
    in the middle of it reads like a new template, not the same person (review G #08, #20)."""
    return thread.channel in (Channel.chat, Channel.social) and any(
        m.role is Role.agent and m.body.strip() for m in thread.messages
    )


def _continue_sentence(text: str) -> str:
    """`text` following a comma: its first letter lower-cased unless it is a pronoun like "I"."""
    if not text or _KEEP_CAPITAL.match(text):
        return text
    return text[:1].lower() + text[1:]


def _words(text: str) -> int:
    return len(text.split())


@dataclass
class _Parts:
    """The pieces of a reply; optional ones are dropped when a word limit is set."""

    greeting: str
    acknowledgement: str
    restatement: str
    steps: list[str]
    follow_up: str
    sign_off: str


def _fit_words(parts: _Parts, max_words: int | None) -> _Parts:
    """Drop optional pieces (last steps first, then the restatement) until under `max_words`.

    The greeting, the acknowledgement, one step, the follow-up and the sign-off always stay:
    they are what makes the reply empathetic and actionable.
    """
    if max_words is None:
        return parts

    def total() -> int:
        return sum(
            _words(p)
            for p in (
                parts.greeting,
                parts.acknowledgement,
                parts.restatement,
                parts.follow_up,
                parts.sign_off,
            )
        ) + sum(_words(s) for s in parts.steps)

    while total() > max_words and len(parts.steps) > 1:
        parts.steps.pop()
    if total() > max_words:
        parts.restatement = ""
    return parts


@dataclass(frozen=True)
class Gap:
    """Something the composer could not know; the agent sees it as an ``agent-gap`` finding."""

    sentence: str  # the reply's sentence the agent should replace or complete
    message: str
    suggestion: str


@dataclass(frozen=True)
class Composed:
    text: str
    gaps: tuple[Gap, ...] = ()
    # The acknowledgement sentence the composer chose: when the guardrail's repair puts its own in
    # front, the pipeline drops this one so the reply does not open with two (pipeline.py).
    acknowledgement: str = ""


def compose_offline(
    thread: Thread, analysis: ThreadAnalysis, profile: TenantProfile = DEFAULT_PROFILE
) -> str:
    """A complete reply in the customer's language, shaped by our guidelines; deterministic."""
    return compose_offline_with_gaps(thread, analysis, profile).text


def _general_steps(phrases: Phrases, analysis: ThreadAnalysis) -> tuple[str, ...]:
    if analysis.variant and analysis.variant in phrases.variant_steps:
        return phrases.variant_steps[analysis.variant]
    return phrases.steps[Category.general]


def _note_steps(phrases: Phrases, notes: NoteFacts, thread: Thread) -> list[str]:
    """Steps our internal notes settle: a refund issued, with its timeline, when the customer asks
    about a refund. Never the note's text; in a public social reply, never its reference."""
    if notes.refund_ref is None or "refund" in notes.forbidden:
        return []
    if not mentions_refund(thread.last_customer_message().body[:4_000]):
        return []
    ref = "" if thread.channel is Channel.social else notes.refund_ref
    if notes.refund_timeline:
        line = phrases.refund_issued.format(ref=ref, timeline=notes.refund_timeline)
    else:
        line = phrases.refund_issued_no_timeline.format(ref=ref)
    return [" ".join(line.split())]  # no double space where the reference was


def _tone(thread: Thread, analysis: ThreadAnalysis, profile: TenantProfile) -> Tone:
    """The thread's option, else the customer's own register, else the tenant's default tone."""
    if thread.options and thread.options.tone:
        return thread.options.tone
    if analysis.register is Register.formal:
        return Tone.formal
    if analysis.register is Register.informal:
        return Tone.warm
    return profile.tone


def _about_money(thread: Thread, analysis: ThreadAnalysis) -> bool:
    """Whether the customer raised a refund or a charge (subject or their messages)."""
    if analysis.category is Category.billing:
        return True
    said = "\n".join([thread.subject or "", *(m.body[:4_000] for m in thread.customer_messages()[-3:])])
    return mentions_refund(said)


def _money_kind(kind: str) -> bool:
    return kind.startswith("refund") or kind == "credit_applied"


def compose_offline_with_gaps(
    thread: Thread,
    analysis: ThreadAnalysis,
    profile: TenantProfile = DEFAULT_PROFILE,
    notes: NoteFacts | None = None,
    outcomes: NoteOutcomes | None = None,
) -> Composed:
    """The reply and what it could not know.

    Honest by construction: it states what our notes say already happened (a refund issued, a
    deposit released, a booking confirmed; note_outcomes.py), in our words and the customer's
    register, and otherwise one step any thread supports. Nothing is guessed from a keyword
    category, the customer is never asked for anything, and a private message is only suggested
    on social media to a customer who has not already sent one. When the notes settle nothing,
    an `agent-gap` gap marks the step the agent must fill in.
    """
    voice = voice_for(thread, analysis)
    phrases = voice.phrases
    options = thread.options
    tone = _tone(thread, analysis, profile)
    if voice.register is Register.informal:
        tone = Tone.warm
    elif voice.register is Register.formal and not (options and options.tone):
        tone = Tone.formal  # the thread's established formal address, even over casual words
    channel = thread.channel
    short = channel in (Channel.chat, Channel.sms, Channel.social)
    if notes is None:  # the pipeline reads them once per draft and passes them
        notes = read_notes(thread, analysis.language)
    # The pipeline passes the notes and their outcomes as its one reading of the thread.
    found = outcomes if outcomes is not None else read_note_outcomes(thread, analysis.language)

    # What the notes allow us to tell: no date they say not to commit to, no bug they say not to
    # mention, and no reference or amount in a public social reply (those go by private message).
    found = limit_outcomes(found, thread, public=channel is Channel.social)

    restated = restatement(thread, analysis, voice)
    if channel is Channel.sms and len(restated) > 90:
        restated = ""  # a text message has room for the essentials only
    if not _about_money(thread, analysis):  # a refund note is not volunteered for a thermostat
        found = dataclasses.replace(
            found, outcomes=tuple(o for o in found.outcomes if not _money_kind(o.kind))
        )
    if all(o.kind in SUPPLEMENTARY for o in found.outcomes):
        # "Nothing to pay" alone leaves the customer's question open: no settled answer.
        found = dataclasses.replace(found, outcomes=())
    settled = outcome_sentences(
        found, notes, analysis.language, analysis.variant, in_chat=channel is not Channel.email
    )
    refund = (
        []
        if any(o.kind.startswith("refund") for o in found.outcomes)
        else _note_steps(phrases, notes, thread)
    )
    # The steps a note gives the customer (note_relay.py): the answer itself unless a note says
    # something is still open, when they go beside our "I'm checking". Never in a public post, and
    # in a text message only when no outcome already fills it.
    relay = (
        []
        if channel is Channel.social or (channel is Channel.sms and (found.outcomes or refund))
        else relayed_sentences(
            read_relayed(thread, analysis.language),
            analysis.language,
            voice.keys,
            lists=channel is not Channel.sms,  # a list of steps is no text message
        )
    )
    settled = [*refund, *settled, *relay]
    concrete = bool(found.outcomes or refund or (relay and not notes_pending(thread, analysis.language)))
    # With notes, the answer is likely there: say we will come back with it, not "looking into it".
    if notes.texts:
        unknown_step = voice.line("next_unknown")
    else:
        unknown_step = voice.lines.get("general_step") or _general_steps(phrases, analysis)[0]
    unknown_step = spelled_for(voice, unknown_step)  # found again in the text below
    # What we know and what happens next read as one paragraph, not a to-do list.
    # A thank-you letter asks nothing: "I'm looking into this" and "I'll keep you updated" answer
    # a problem it does not have (review G #05, #18); we pass the thanks on instead.
    thank_you = not concrete and thanks_only(thread, analysis, our_fault=found.our_fault)
    acknowledgement, lead_in = acknowledge(
        thread,
        analysis,
        voice,
        our_fault=found.our_fault,
        settled=concrete,
        restated=bool(restated) and not thank_you and not (options and options.max_words),
    )
    if thank_you:
        unknown_step = voice.line("thanks_step")
    steps = [" ".join([*([lead_in] if lead_in else []), *settled, *([] if concrete else [unknown_step])])]
    if channel is Channel.social and not already_in_private(thread):
        steps.append(phrases.social_private)
    elif not concrete and in_public(thread) and not moved_to_private(thread):
        # Our notes know the case, yet nothing settled can be said in public: the rest goes by
        # private message, which the customer has not been asked for (review G #04, #10).
        steps.append(phrases.social_private)
    if concrete:
        follow_up = voice.line("follow_up_settled_email" if channel is Channel.email else "follow_up_settled")
    elif analysis.urgent and not short:
        follow_up = phrases.follow_up_urgent
    elif thank_you or ((short or notes.texts) and unknown_step in " ".join(steps)):
        # "I'll come back to you with an answer" already promises the update; a second
        # "I'll keep you updated" after it reads machine-made (review G), in any channel.
        follow_up = ""
    elif channel is Channel.sms:
        follow_up = phrases.follow_up_sms
    elif short:
        follow_up = phrases.follow_up_chat
    elif channel is Channel.email:
        follow_up = phrases.follow_up_email
    else:
        follow_up = voice.line("follow_up_other")
    if concrete and channel is Channel.social and already_in_private(thread) and in_public(thread):
        # In public we own it briefly and take the settled details to a private message ourselves
        # (the customer is not asked to DM again).
        follow_up = voice.line("follow_up_dm")
    if channel is Channel.sms:
        greeting = _inline_greeting(thread, voice)
    elif ongoing_conversation(thread):
        greeting = ""
    else:
        greeting = _greeting(thread, voice, tone)
    if greeting.endswith(",") and voice.language in lower_after_salutation():
        # German goes on in lower case after "Guten Tag Herr Weber," ("ich verstehe ...").
        acknowledgement = _continue_sentence(acknowledgement)
    parts = _fit_words(
        _Parts(
            greeting=greeting,
            acknowledgement=acknowledgement,
            # A thank-you said back ("I understand that you can't thank us all enough") is an
            # echo, not a restatement of an issue: a thank-you letter has none (review H #03).
            restatement="" if thank_you else restated,
            steps=steps,
            follow_up=follow_up,
            sign_off=agent_sign_off(thread, phrases, short=short, profile=profile),
        ),
        options.max_words if options else None,
    )
    text = _layout(parts, phrases, tone, channel)
    if channel is Channel.social:
        # A public post has a hard length: drop the restatement, then the follow-up (the private
        # message carries it), then the last facts, keeping the first; details go by DM.
        kept = list(settled)
        lead = [lead_in] if lead_in else []
        while len(spelled_for(voice, text)) > _PUBLIC_CHARS:
            if parts.restatement:
                parts.restatement = ""
            elif parts.follow_up:
                parts.follow_up = ""
            elif lead:
                lead = []
            elif len(kept) > 1:
                kept.pop()
            else:
                break
            parts.steps[0] = " ".join([*lead, *kept, *([] if concrete else [unknown_step])])
            text = _layout(parts, phrases, tone, channel)
        settled = kept
    text = spelled_for(voice, text)
    text = _LINE_START_SPACE.sub("\n", text)  # a relayed list's last line, then the next sentence
    text = _BLANK_LINES.sub("\n\n", text)  # a list ending a paragraph: one blank line after it
    gaps: tuple[Gap, ...] = ()
    if not concrete and not thank_you and unknown_step in text:
        asked = analysis.request.text if analysis.request else analysis.issue
        where = (
            "our internal notes on this thread may hold the answer: use what they say, in your own words"
            if notes.texts
            else "the thread and its notes do not say"
        )
        gaps = (
            Gap(
                sentence=unknown_step,
                message="The offline draft cannot know what to do about the customer's request"
                + (f' ("{_clip(asked)}")' if asked else "")
                + f": {where}.",
                suggestion="Replace this sentence with the concrete next step you will take.",
            ),
        )
    elif concrete and settled and _notes_say_more(notes, len(settled)):
        said = spelled_for(voice, settled[-1])
        if said in text:
            gaps = (
                Gap(
                    sentence=said,
                    message="The offline draft gives only part of what our internal notes on this "
                    "thread say; the customer's question may need more of it (options, instructions, "
                    "what happens next).",
                    suggestion="Check the notes and add, in your own words, what else the customer needs.",
                ),
            )
    return Composed(text, gaps, spelled_for(voice, parts.acknowledgement))


# A note sentence with at least this many words is content, not a label ("Done.", "Ref: X").
_NOTE_SENTENCE_WORDS = 4
# Note sentences beyond what the draft said, at which the agent is told the notes hold more.
_UNSAID_SENTENCES = 3
_NOTE_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")


def _notes_say_more(notes: NoteFacts, said: int) -> bool:
    """Whether the notes hold clearly more than the sentences the draft gave from them: a draft
    that tells one fact from a long note must not look finished to the agent."""
    sentences = sum(
        1
        for text in notes.texts
        for sentence in _NOTE_SPLIT.split(text[:3_000])
        if len(sentence.split()) >= _NOTE_SENTENCE_WORDS
    )
    return sentences - said >= _UNSAID_SENTENCES


def _clip(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _join(*sentences: str) -> str:
    return " ".join(s for s in sentences if s)


def _layout(parts: _Parts, phrases: Phrases, tone: Tone, channel: Channel) -> str:
    if channel is Channel.sms:
        return _layout_sms(parts)
    if channel in (Channel.chat, Channel.social):
        return _layout_chat(parts)
    return _layout_email(parts, phrases, tone)


def _layout_email(parts: _Parts, phrases: Phrases, tone: Tone) -> str:
    steps = "\n".join(f"- {step}" for step in parts.steps)
    signature = parts.sign_off
    closing = "" if _CLOSING_WORDS.match(signature) else phrases.closing[tone]
    blocks = [
        parts.greeting,
        _join(parts.acknowledgement, parts.restatement),
        f"{phrases.steps_intro}\n{steps}" if len(parts.steps) > 1 else parts.steps[0],
        parts.follow_up,
        f"{closing}\n{signature}" if closing else signature,
    ]
    return "\n\n".join(block for block in blocks if block)


def _layout_chat(parts: _Parts) -> str:
    # No "Here is what I'm doing next:" in a chat line: run on, the steps read as one person's
    # sentences, while the colon introduced an invitation to DM as a step (review G #28).
    blocks = [
        parts.greeting,
        _join(parts.acknowledgement, parts.restatement),
        _join(*parts.steps, parts.follow_up),
        f"– {parts.sign_off}",
    ]
    return "\n".join(block for block in blocks if block)


def _layout_sms(parts: _Parts) -> str:
    opening = f"{parts.greeting}, {_continue_sentence(parts.acknowledgement)}"
    return _join(opening, parts.restatement, *parts.steps, parts.follow_up, f"– {parts.sign_off}")
