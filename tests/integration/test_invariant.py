"""The product invariant, tested as a property over whatever an LLM might answer.

    reply is not None  =>  the acknowledgement rule passes on exactly that text
    reply is None      <=> status is blocked <=> rejected_draft is set

The real pipeline (prompts, guardrails, repair, re-asks, cache on the session's Redis) drafts with
an LLM whose HTTP answers respx makes up from Hypothesis strategies; the result is then checked
again from scratch with a freshly loaded guardrail engine.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from service.drafting.pipeline import AT_REST_MASK
from service.drafting.stream_guard import STREAM_RULES
from service.guardrails import CheckContext, Guardrails, load_guardrails
from service.models import DraftResult, DraftStatus, Severity, Thread, Verdict
from service.server.runtime import Runtime, build_runtime
from tests.conftest import SEEDS
from tests.integration.conftest import GOOD_REPLY, LLM_BASE_URL, llm_settings, make_settings, reply_response

SEED_FILES = sorted((SEEDS / "threads").glob("*.json"))
# Short threads in several languages and moods (calm, upset, urgent) for the property test.
PROPERTY_THREADS = [
    "billing_double_charge",
    "howto_export_reports_csv",
    "outage_dashboard_down_urgent",
    "es_cobro_duplicado_suscripcion",
    "de_paket_verspaetet",
    "printer_paper_jam_chat",
]


def load_thread(path: Path) -> Thread:
    return Thread.model_validate(json.loads(path.read_text(encoding="utf-8")))


THREADS = {name: load_thread(SEEDS / "threads" / f"{name}.json") for name in PROPERTY_THREADS}

ACKNOWLEDGEMENTS = [
    "I understand how frustrating this is.",
    "I'm so sorry for the trouble this has caused.",
    "That sounds really stressful, and I'm sorry you had to deal with it.",
    "Thank you for your patience.",
    "Thanks for reaching out.",
    "I can see why you're upset.",
    "Sorry for the delay.",
]
PSEUDO_APOLOGIES = [
    "I'm sorry you feel that way.",
    "We apologize for any inconvenience this may have caused.",
    "Sorry if you were confused.",
]
BLAME = [
    "This is your fault.",
    "You should have read the manual.",
    "As I already told you, the setting is in your profile.",
    "That was user error.",
    "Obviously you didn't follow the instructions.",
]
SUBSTANCE = [
    "I have refunded the second charge; it reaches your card within 3-5 business days.",
    "Here is what we can do: I have restarted the sync and will check on it tomorrow.",
    "Please try exporting again from Reports > Export; I will follow up by Friday.",
    "Unfortunately we cannot do that.",
    "Let me know if there is anything else.",
]
PLACEHOLDERS = ["[Customer Name]", "{{first_name}}", "<insert date>", "Hi [NAME],", "XXX"]
SECRETS = [
    "Your temporary key is sk-proj-abcdefghijklmnopqrstuvwxyz0123456789.",
    "Use AKIAIOSFODNN7EXAMPLE to log in.",
    "Connect with postgres://admin:hunter22@db.internal/app",
]
OTHER_LANGUAGES = [
    "Lamento mucho el retraso. Hemos reembolsado el cargo duplicado.",
    "Es tut mir leid, dass Ihr Paket verspätet ist.",
    "Je comprends votre frustration.",
    "Entendo perfeitamente a sua frustração.",
    "非常抱歉给您带来不便。",
    "Мы уже работаем над этим.",
]
EMPTYISH = ["", " ", "\n\n", "\u200b", "...", "Hi,", "Best regards,\nSam"]

sentence = st.one_of(
    st.sampled_from(ACKNOWLEDGEMENTS),
    st.sampled_from(PSEUDO_APOLOGIES),
    st.sampled_from(BLAME),
    st.sampled_from(SUBSTANCE),
    st.sampled_from(PLACEHOLDERS),
    st.sampled_from(SECRETS),
    st.sampled_from(OTHER_LANGUAGES),
    st.sampled_from(EMPTYISH),
    st.text(max_size=80),
)
llm_reply = st.one_of(
    st.lists(sentence, max_size=7).flatmap(
        lambda parts: st.sampled_from([" ", "\n", "\n\n"]).map(lambda sep: sep.join(parts))
    ),
    st.sampled_from([GOOD_REPLY, *EMPTYISH]),
    st.text(max_size=300),
)
# One answer per LLM call: the first draft and the re-asks (the last answer repeats if needed).
llm_answers = st.lists(llm_reply, min_size=1, max_size=3)


def assert_invariant(result: DraftResult, thread: Thread, engine: Guardrails) -> None:
    blocked = result.status is DraftStatus.blocked
    assert (result.reply is None) == blocked
    assert (result.rejected_draft is not None) == blocked
    text = result.reply if result.reply is not None else result.rejected_draft
    assert text is not None

    if result.reply is None:
        # A rejected draft is kept with the content rules' spans masked (never in clear at rest):
        # those spans are all mask, and the content rules find nothing left in it.
        for finding in result.guardrails.findings:
            if finding.rule in STREAM_RULES and finding.start is not None and finding.end is not None:
                assert set(text[finding.start : finding.end]) <= {AT_REST_MASK}
        masked = engine.check(text, CheckContext(thread=thread))
        assert not [f for f in masked.findings if f.rule in STREAM_RULES]
        report = result.guardrails
    else:
        # Checked again from scratch, the text gives exactly the report that came with it (but for
        # the offline composer's own info-level `agent-gap` notes, which no check of the text can give).
        report = engine.check(text, CheckContext(thread=thread))
        checked = [f for f in result.guardrails.findings if f.rule != "agent-gap"]
        assert report == result.guardrails.model_copy(update={"findings": checked})
    if result.reply is not None:
        assert not report.failed("acknowledgement"), report
        assert report.verdict is not Verdict.block
        assert not any(f.severity is Severity.block for f in report.findings)
    else:
        assert report.verdict is Verdict.block or report.failed("acknowledgement")
    if result.status is DraftStatus.approved:
        assert report.verdict is Verdict.pass_
        assert result.provider == "openai"
    for finding in report.findings:
        if finding.start is not None and finding.end is not None:
            assert 0 <= finding.start <= finding.end <= len(text)


@pytest.fixture(scope="module")
def engine() -> Guardrails:
    return load_guardrails()


@pytest.fixture(scope="module")
def llm_router() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=LLM_BASE_URL, assert_all_called=False) as router:
        yield router


@pytest.fixture(scope="module")
async def llm_runtime(redis_server: Any, llm_router: respx.MockRouter) -> AsyncIterator[Runtime]:
    # Empty answers count as LLM failures; a breaker opened by them would turn every later example
    # into an offline draft and leave the LLM path untested.
    settings = llm_settings(redis_server.url, llm_max_attempts=1, breaker_failure_threshold=1_000_000)
    runtime = build_runtime(settings)
    yield runtime
    await runtime.close()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(answers=llm_answers, thread_name=st.sampled_from(PROPERTY_THREADS))
async def test_a_reply_is_only_returned_when_it_acknowledges_the_customer(
    llm_runtime: Runtime,
    llm_router: respx.MockRouter,
    engine: Guardrails,
    answers: list[str],
    thread_name: str,
) -> None:
    calls: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return reply_response(answers[min(len(calls), len(answers)) - 1])

    llm_router.post("/chat/completions").mock(side_effect=answer)
    thread = THREADS[thread_name]
    result = (await llm_runtime.pipeline.draft(thread, refresh=True)).result

    assert 1 <= len(calls) <= 1 + llm_runtime.settings.guard.max_reasks
    event(f"{result.provider}/{result.status.value}/attempts={result.attempts}")
    last_answer = answers[min(len(calls), len(answers)) - 1]
    if result.provider == "offline":
        # Only an answer with no text makes the pipeline give up on the LLM and fall back.
        assert not last_answer.strip()
        assert result.status is not DraftStatus.approved
    else:
        assert result.attempts == len(calls)
    assert_invariant(result, thread, engine)


@pytest.fixture(scope="module")
async def offline_runtime(redis_server: Any) -> AsyncIterator[Runtime]:
    runtime = build_runtime(make_settings(redis_server.url))
    yield runtime
    await runtime.close()


@pytest.mark.parametrize("path", SEED_FILES, ids=[p.stem for p in SEED_FILES])
async def test_offline_drafts_of_every_seed_thread_hold_the_invariant(
    offline_runtime: Runtime, engine: Guardrails, path: Path
) -> None:
    thread = load_thread(path)
    result = (await offline_runtime.pipeline.draft(thread, refresh=True)).result
    assert result.provider == "offline"
    assert result.status is not DraftStatus.approved  # the composer is never sendable unreviewed
    assert result.reply is not None, result.guardrails  # a real composer: it acknowledges every seed
    assert_invariant(result, thread, engine)


def test_there_are_seed_threads() -> None:
    # The parametrised test above must not pass by having nothing to run.
    assert len(SEED_FILES) >= 10
