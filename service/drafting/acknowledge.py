"""The opening acknowledgement of an offline draft, fitted to what this customer feels.

It reads the feelings of the customer's newest message (service/language/feelings.py) and the
thread's shape, in this order: a loss gets condolence, not "how worrying"; a customer who had to
chase us, or whom our notes say we failed, gets ownership and an apology; good news or excitement
is shared, never answered with "how frustrating"; anger, frustration, worry and disappointment
are named; a calm customer is thanked for the details and never called upset. Time pressure
(a deadline, urgency) adds one line that says we see it. Sentences are data (composer_voice.yaml).
"""

from __future__ import annotations

from datetime import timedelta

from service.drafting.voice import Voice
from service.language.analysis import Category, Emotion, ThreadAnalysis
from service.language.feelings import NEGATIVE, Feeling, FeelingReading, read_feelings
from service.models import Role, Thread

# A customer whose newest message comes this long after our last reply, or who wrote twice this
# far apart without an answer in between, has been waiting on us.
_WAITED_AFTER_REPLY = timedelta(days=2)
_CHASED_WITHIN_TURN = timedelta(hours=1)
_POSITIVE = frozenset({Feeling.excitement, Feeling.gratitude})
_NAMED = (
    ({Feeling.anger, Feeling.threat}, "angry"),
    ({Feeling.frustration, Feeling.sarcasm}, "frustrated"),
    ({Feeling.disappointment}, "disappointed"),
    ({Feeling.worry}, "worried"),
)
_QUESTIONS = frozenset({Category.howto, Category.general})
# The guardrails' calibrated reading (analysis.emotion) raises the acknowledgement bar; when the
# feelings show nothing negative but that reading does, its feeling is named so the bar is met.
_CALIBRATED = {
    Emotion.angry: "angry",
    Emotion.frustrated: "frustrated",
    Emotion.anxious: "worried",
    Emotion.disappointed: "disappointed",
}
_SUBJECT_CHARS = 200


def waited_on_us(thread: Thread) -> bool:
    """Whether the customer had to wait for us: structure and timestamps, not words."""
    messages = [m for m in thread.messages if m.role is not Role.note]
    if not messages or messages[-1].role is not Role.customer:
        return False
    turn = []
    for message in reversed(messages):
        if message.role is not Role.customer:
            break
        turn.append(message)
    last = turn[0].created_at
    first = turn[-1].created_at
    if len(turn) >= 2 and last and first and last - first >= _CHASED_WITHIN_TURN:
        return True
    ours = messages[-len(turn) - 1] if len(messages) > len(turn) else None
    return bool(ours and ours.created_at and last and last - ours.created_at >= _WAITED_AFTER_REPLY)


def _strongest(feelings: tuple[FeelingReading, ...], kinds: frozenset[Feeling]) -> int:
    return max((f.intensity for f in feelings if f.feeling in kinds), default=0)


def time_pressed(analysis: ThreadAnalysis) -> bool:
    urgency = _strongest(analysis.feelings, frozenset({Feeling.urgency}))
    return analysis.urgent or urgency >= 2 or any(f.kind == "deadline" for f in analysis.facts)


def acknowledgement_key(analysis: ThreadAnalysis, *, waited: bool, our_fault: bool, subject: str = "") -> str:
    feelings = analysis.feelings
    # A loss is often named only in the subject ("Closing my late husband's account").
    subject_grief = any(
        f.feeling is Feeling.grief for f in read_feelings(subject[:_SUBJECT_CHARS], analysis.language)
    )
    if subject_grief or _strongest(feelings, frozenset({Feeling.grief})):
        return "grief"
    negative = _strongest(feelings, NEGATIVE)
    if waited:
        return "waited"
    if our_fault and negative:
        return "our_fault"
    positive = _strongest(feelings, _POSITIVE)
    if positive and positive > negative and Feeling.excitement in {f.feeling for f in feelings}:
        return "joy"
    for kinds, key in _NAMED:
        if _strongest(feelings, frozenset(kinds)) >= max(negative, 1):
            return key
    if analysis.emotion in _CALIBRATED:
        return _CALIBRATED[analysis.emotion]
    if our_fault:
        return "our_fault"
    if time_pressed(analysis):
        # "Thank you for the clear details" to someone whose bus leaves in an hour reads as a
        # courtesy; the pressure is what they feel, so it is what we acknowledge.
        return "worried"
    return "calm_question" if analysis.category in _QUESTIONS or analysis.request else "calm_problem"


def acknowledge(
    thread: Thread, analysis: ThreadAnalysis, voice: Voice, *, our_fault: bool, settled: bool
) -> tuple[str, str]:
    """The acknowledgement, and when time is short and we have facts to give, a lead-in for them
    ("I know time is short, so here is where things stand."). The lead-in goes in front of the
    facts, not after the acknowledgement: followed by the restatement it would point at nothing."""
    key = acknowledgement_key(
        analysis, waited=waited_on_us(thread), our_fault=our_fault, subject=thread.subject or ""
    )
    lead_in = voice.line("short_time") if settled and time_pressed(analysis) and key != "grief" else ""
    return voice.line(key), lead_in
