"""The opening acknowledgement of an offline draft, fitted to what this customer feels.

It reads the feelings of the customer's newest message and, for a loss, of their earlier turns
and the subject (both from the reading, service/language/analysis.py), and the thread's shape, in
this order: a loss gets condolence, not "how worrying"; a customer who had to
chase us, or whom our notes say we failed, gets ownership and an apology; good news or excitement
is shared, never answered with "how frustrating"; anger, frustration, worry and disappointment
are named; a calm customer is thanked for the details and never called upset. Time pressure
(a deadline, urgency) adds one line that says we see it. Sentences are data (composer_voice.yaml).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from functools import cache

from pydantic import BaseModel, ConfigDict

from service.drafting.voice import Voice
from service.language.analysis import Category, Emotion, ThreadAnalysis
from service.language.cues import compile_cues, fold
from service.language.data import load_table
from service.language.feelings import NEGATIVE, Evidence, Feeling, FeelingReading
from service.models import Channel, Role, Thread

# A customer whose newest message comes this long after our last reply, or who wrote twice this
# far apart without an answer in between, has been waiting on us.
_WAITED_AFTER_REPLY = timedelta(days=2)
_CHASED_WITHIN_TURN = timedelta(hours=1)
_POSITIVE = frozenset({Feeling.excitement, Feeling.gratitude})
_THANKFUL = 3  # gratitude intensity of a real thank-you ("muitíssimo obrigado", "you saved my day")
_HOSTILE = frozenset({Feeling.anger, Feeling.sarcasm, Feeling.threat})
# On a tie, fear for a person or an outcome comes before frustration: a parent whose child has had
# a fever "since yesterday" is worried, not fed up (review F #27).
_NAMED = (
    ({Feeling.anger, Feeling.threat}, "angry"),
    ({Feeling.worry}, "worried"),
    ({Feeling.frustration, Feeling.sarcasm}, "frustrated"),
    ({Feeling.disappointment}, "disappointed"),
)
# A feeling is named (with its apology) only when it is clear: a mild one ("not ideal", a word
# read at intensity 1) gets the calm opener, not "I'm sorry this has happened" (review F #12).
_CLEAR = 2
# Fewer words than this and "thank you for the clear details" praises what is not there ("??").
_BRIEF_WORDS = 12
_QUESTIONS = frozenset({Category.howto, Category.general})
# The guardrails' calibrated reading (analysis.emotion) raises the acknowledgement bar; when the
# feelings show nothing negative but that reading does, its feeling is named so the bar is met.
_CALIBRATED = {
    Emotion.angry: "angry",
    Emotion.frustrated: "frustrated",
    Emotion.anxious: "worried",
    Emotion.disappointed: "disappointed",
}
# A loss named earlier in the thread (or in the subject) still decides the opener; a mild "hard
# time" there does not.
_EARLIER_GRIEF = 2


class _Occasions(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    excitement_occasions: dict[str, tuple[str, ...]]


@cache
def _occasions(language: str) -> re.Pattern[str] | None:
    """The feelings' occasion words (a birthday, an opening, a move, Christmas), read again here."""
    return compile_cues(load_table("feelings", _Occasions).excitement_occasions.get(language, ()))


def _occasion_only(analysis: ThreadAnalysis, feelings: tuple[FeelingReading, ...]) -> bool:
    """Whether all the excitement read is an occasion named, not joy said ("Good news first")."""
    pattern = _occasions(analysis.language)
    evidence = [e for f in feelings if f.feeling is Feeling.excitement for e in f.evidence]
    return pattern is not None and bool(evidence) and all(pattern.search(fold(e.text)) for e in evidence)


# A newest message of fewer words than this, with a question mark, is a nudge ("??", "any news?").
_NUDGE_WORDS = 3
_LETTERS = re.compile(r"[^\W\d_]+")
_SENTENCE_END = re.compile(r"[.!?\n]")


def _beside_deadline(analysis: ThreadAnalysis, thread: Thread | None) -> bool:
    """Whether every excitement cue shares its sentence with the customer's deadline ("para la
    inauguración del local nuevo el 19 de diciembre"): the event is the date's reason."""
    if thread is None or analysis.message_index is None:
        return False
    body = thread.messages[analysis.message_index].body
    deadlines = [f for f in analysis.facts if f.kind == "deadline"]
    evidence = [e for f in analysis.feelings if f.feeling is Feeling.excitement for e in f.evidence]

    def together(start: int, end: int) -> bool:
        return not _SENTENCE_END.search(body, min(start, end), max(start, end))

    return bool(evidence and deadlines) and all(
        any(together(e.end, d.start) if e.end <= d.start else together(d.end, e.start) for d in deadlines)
        for e in evidence
    )


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
    if (
        len(turn) == 1
        and len(_LETTERS.findall(last_body := turn[0].body)) < _NUDGE_WORDS
        and "?" in last_body
    ):
        # "??", "any news?" after our promise to come back: they chased us, however soon.
        # Minutes after our reply in a chat is not a wait to apologise for (review H #08, #26).
        return bool(
            ours
            and ours.role is Role.agent
            and ours.created_at
            and last
            and last - ours.created_at >= _CHASED_WITHIN_TURN
        )
    # Only a reply to the customer can leave them waiting: an appointment reminder we sent first
    # and answered days later is their timing, not our delay (review D #15).
    answered = any(m.role is Role.customer for m in messages[: -len(turn) - 1])
    return bool(
        answered and ours and ours.created_at and last and last - ours.created_at >= _WAITED_AFTER_REPLY
    )


def _strongest(feelings: tuple[FeelingReading, ...], kinds: frozenset[Feeling]) -> int:
    return max((f.intensity for f in feelings if f.feeling in kinds), default=0)


def time_pressed(analysis: ThreadAnalysis) -> bool:
    urgency = _strongest(analysis.feelings, frozenset({Feeling.urgency}))
    return analysis.urgent or urgency >= 2 or any(f.kind == "deadline" for f in analysis.facts)


def _felt(analysis: ThreadAnalysis) -> tuple[FeelingReading, ...]:
    """The feelings the opener answers. A nudge that shows none ("??", "any news?") carries the
    feelings of the customer's earlier turns and the subject, when those were clear: a customer
    who was furious yesterday and writes "??" today is still furious (review F #15, E #29)."""
    shown = tuple(f for f in analysis.feelings if f.feeling is not Feeling.urgency)
    if shown:
        return analysis.feelings
    # Only trouble carries: joy or thanks of yesterday ("her birthday present!") said back to a
    # "??" today answers a chase with "wonderful news" (review I #03).
    carried = tuple(
        f
        for f in analysis.earlier_feelings
        if f.intensity >= _CLEAR and f.feeling is not Feeling.grief and f.feeling not in _POSITIVE
    )
    return analysis.feelings + carried


def _public_irony(thread: Thread | None, excitement: int, gratitude: int) -> bool:
    """Excitement posted in public with no word of thanks reads as irony: a customer with good
    news thanks us for it, while "Ganz großes Kino, @brand. Endlich ein Update ..." under a brand's
    post is a complaint (review G #16 got "tolle Neuigkeiten", in public). A sincere public post
    thanks someone (review G #28: the delivery team), so it keeps its warm opener."""
    return thread is not None and thread.channel is Channel.social and excitement > 0 and not gratitude


def _words(analysis: ThreadAnalysis, thread: Thread | None) -> int:
    if thread is None:
        return _BRIEF_WORDS
    customer = thread.customer_messages()
    return len(customer[-1].body.split()) if customer else 0


def _praise_is_the_ask(analysis: ThreadAnalysis) -> bool:
    """Whether the sentence the reading takes for the customer's request is their clear thanks or
    praise ("Can't thank you all enough, Dr Nguyen was amazing"): a letter of thanks asks for
    nothing else, and "thank you for the clear details … I'm looking into this" answers a case it
    does not have (review H #03)."""
    request = analysis.request
    return request is not None and _clear_thanks(
        analysis, lambda e: request.start <= e.start and e.end <= request.end
    )


def _thanks_before_ask(analysis: ThreadAnalysis) -> bool:
    """Whether clear thanks come before the customer's request ("obrigada pela ajuda com a entrega
    ... Uma dúvida: ...", dev-n #27): thanks for what we did, then a question. A thank-you after the
    request ("... je vous remercie de votre retour rapide") is a courtesy that closes it."""
    request = analysis.request
    return request is not None and _clear_thanks(analysis, lambda e: e.end <= request.start)


def _clear_thanks(analysis: ThreadAnalysis, where: Callable[[Evidence], bool]) -> bool:
    """Whether clear gratitude shows in evidence that `where` accepts."""
    return any(
        f.feeling is Feeling.gratitude and f.intensity >= _CLEAR and any(where(e) for e in f.evidence)
        for f in analysis.feelings
    )


def acknowledgement_key(
    analysis: ThreadAnalysis, *, waited: bool, our_fault: bool, thread: Thread | None = None
) -> str:
    """The strongest feeling decides the opener: a loss first (in any customer turn or the
    subject), then joy or a warm thank-you, and only then a wait or a mistake (review D: "sorry
    for the wait" to a thank-you letter scores 1)."""
    feelings = _felt(analysis)
    negative = _strongest(feelings, NEGATIVE)
    # A loss said in the subject or an earlier turn still comes first: a student whose father
    # died, chasing a fee in her second e-mail, is still bereaved (review D). In the newest
    # message too, condolence needs a death or a loss stated (grief 2 or more): "a very difficult
    # time for our family" about a mother moving into a care home is not a bereavement (review F).
    earlier_grief = _strongest(analysis.earlier_feelings, frozenset({Feeling.grief}))
    grief = _strongest(feelings, frozenset({Feeling.grief}))
    if earlier_grief >= _EARLIER_GRIEF or grief >= _EARLIER_GRIEF:
        return "grief"
    hostile = _strongest(feelings, _HOSTILE)
    kinds = {f.feeling for f in feelings}
    gratitude = _strongest(feelings, frozenset({Feeling.gratitude}))
    # "Thank you so much for nothing" is sarcasm, not thanks: hostility vetoes the word check.
    # A closing "merci !" or "je vous remercie" is courtesy, not a thank-you letter: gratitude alone
    # takes the opener only when it is strong.
    excitement = _strongest(feelings, frozenset({Feeling.excitement}))
    earlier_thanks = _strongest(analysis.earlier_feelings, frozenset({Feeling.gratitude}))
    if (
        excitement <= _CLEAR
        and gratitude < _CLEAR
        and time_pressed(analysis)
        and (_occasion_only(analysis, feelings) or _beside_deadline(analysis, thread))
    ):
        # A birthday on Thursday, an opening on the 19th, a move before Christmas: beside a date
        # the occasion is what the date is for, not news to celebrate ("¡Qué buena noticia!" to a
        # parcel lost before a birthday, dev-n #07; to a quote for an opening, #11).
        excitement = 0
    glad = excitement or (gratitude if gratitude >= _THANKFUL else 0)
    # A strong thank-you ("thank you so much", "you made my day") takes the opener even beside
    # words the reading scores as trouble ("our guests still talk about it").
    thanks = gratitude >= _THANKFUL or (
        not negative and (_praise_is_the_ask(analysis) or _thanks_before_ask(analysis))
    )
    if gratitude >= _CLEAR and excitement >= _CLEAR and negative <= max(gratitude, excitement):
        # Thanks and good news in one letter ("thank you to Aaron ... our daughter was born") are
        # a thank-you: a word read as trouble beside both ("every single time he said he would")
        # is praise, not a complaint (review I #06).
        thanks = True
    if (
        hostile
        and gratitude >= _THANKFUL
        and excitement > hostile
        and not _strongest(feelings, frozenset({Feeling.sarcasm, Feeling.threat}))
    ):
        # "ES GEHT!!!! ENDLICH ... danke danke danke": capitals read as anger beside a clear thank-you
        # and stronger joy are the customer's volume, not blame (dev-n #14).
        hostile = 0
    if _public_irony(thread, excitement, max(gratitude, earlier_thanks)):
        # Never "great news" to it; frustration is what irony about a failure says.
        hostile = max(hostile, excitement)
        if not waited and not our_fault:
            return "frustrated"
    if not hostile and not negative and earlier_thanks >= _CLEAR and _occasion_only(analysis, feelings):
        # "Danke euch!", then "PS: ... noch vor Weihnachten?": the occasion is no news of its own,
        # the turn is a thank-you that asks (review I #16).
        return "thanks"
    if not hostile and (thanks or (glad and glad > negative)):
        return "joy" if Feeling.excitement in kinds and not thanks else "thanks"
    if waited:
        return "waited"
    # Thanks or joy said in the subject or an earlier message of the thread ("Gracias!!", then a
    # question) still set the tone of a newest message that shows no trouble of its own.
    if not negative and _strongest(analysis.earlier_feelings, _POSITIVE) >= _CLEAR:
        return "thanks"
    if our_fault and negative:
        return "our_fault"
    for named, key in _NAMED:
        if _strongest(feelings, frozenset(named)) >= max(negative, _CLEAR):
            return key
    if analysis.emotion in _CALIBRATED and not negative:
        # The calibrated reading sees feelings in volume ("!!!", capitals) and in words like
        # "urgent" that the feelings read as something else; when those show no trouble at all,
        # the situation decides: thanks said (dev-n #17, #22), or a deadline (#08's invoice for
        # Thursday's closing), never "I understand why you are upset" to a calm letter.
        if gratitude >= _CLEAR or (gratitude and not time_pressed(analysis)):
            return "thanks"
        if time_pressed(analysis):
            return "pressed"
    if analysis.emotion in _CALIBRATED and not (negative < _CLEAR and time_pressed(analysis)):
        return _CALIBRATED[analysis.emotion]
    if our_fault:
        return "our_fault"
    if grief:
        return "hard_time"  # a hard time said, with no loss: sympathy, not condolence
    if time_pressed(analysis):
        # "Thank you for the clear details" to someone whose bus leaves in an hour reads as a
        # courtesy, and "how worrying" to someone moving a dentist appointment overstates it:
        # the pressure is what they feel, so it is what we acknowledge.
        return "pressed"
    if _words(analysis, thread) < _BRIEF_WORDS:
        return "calm_brief"  # "??" or "see subject" gave no details to praise
    return "calm_question" if analysis.category in _QUESTIONS or analysis.request else "calm_problem"


# Openers whose "I understand what you need" the restatement says instead when it follows them.
# The calm openers keep theirs: without it the acknowledgement rule reads "Thanks for getting in
# touch" as a courtesy only, even for a calm customer, and puts its stock line in front.
_SAID_BY_RESTATEMENT = frozenset({"thanks_ask"})


def acknowledge(
    thread: Thread,
    analysis: ThreadAnalysis,
    voice: Voice,
    *,
    our_fault: bool,
    settled: bool,
    restated: bool = False,
) -> tuple[str, str]:
    """The acknowledgement, and when time is short and we have facts to give, a lead-in for them
    ("I know time is short, so here is where things stand."). The lead-in goes in front of the
    facts, not after the acknowledgement: followed by the restatement it would point at nothing."""
    key = acknowledgement_key(analysis, waited=waited_on_us(thread), our_fault=our_fault, thread=thread)
    # "Time is short" fits neither a loss nor a thank-you, and "pressed" has already said it.
    calm_keys = {"grief", "thanks", "joy", "pressed"}
    lead_in = voice.line("short_time") if settled and time_pressed(analysis) and key not in calm_keys else ""
    if key == "thanks" and _asks(thread):
        # Thanks that also ask ("and when do we pay?"): the question is seen too, so the opener
        # does not read as if the letter held nothing else (review D #18).
        key = "thanks_ask"
    if restated and key in _SAID_BY_RESTATEMENT and not analysis.upset:
        # (An upset reading needs the opener's own "I understand ...": the acknowledgement rule.)
        # "Thank you for your kind words; I understand what you'd like to know. I understand your
        # question is about ..." says it twice; the restatement is the understanding (A5).
        return voice.lines.get(f"{key}_restated") or voice.line(key), lead_in
    return voice.line(key), lead_in


def _asks(thread: Thread) -> bool:
    customer = thread.customer_messages()
    return bool(customer) and "?" in customer[-1].body


def thanks_only(thread: Thread, analysis: ThreadAnalysis, *, our_fault: bool) -> bool:
    """A customer who writes to thank us or share good news and asks nothing: their newest
    message holds no question and the opener is thanks or joy."""
    key = acknowledgement_key(analysis, waited=waited_on_us(thread), our_fault=our_fault, thread=thread)
    return key in ("thanks", "joy") and not _asks(thread)
