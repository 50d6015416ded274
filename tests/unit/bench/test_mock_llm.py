"""The benchmark's mock LLM speaks the protocol the real ``openai`` SDK understands."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import httpx
import pytest
from openai import AsyncOpenAI, BadRequestError
from openai.types.chat import ChatCompletionMessageParam

from bench.http1 import Pool
from bench.mock_llm import MockLLMServer
from bench.mock_reply import compose_reply

pytestmark = pytest.mark.slow  # starts the mock LLM server on a socket

PROMPT: list[ChatCompletionMessageParam] = [
    {"role": "system", "content": "You draft empathetic replies for a support agent."},
    {
        "role": "user",
        "content": "Customer: Ana Souza\nAgent: Priya\nSubject: Order #4821 still not delivered\n\n"
        "Customer: Hello, my order never arrived and I'm upset.",
    },
]


@pytest.fixture(scope="module")
async def client(mock_llm_server: MockLLMServer) -> AsyncIterator[AsyncOpenAI]:
    openai = AsyncOpenAI(base_url=mock_llm_server.base_url, api_key="x", max_retries=0)
    yield openai
    await openai.close()


@pytest.fixture(scope="module")
async def control(mock_llm_server: MockLLMServer) -> AsyncIterator[httpx.AsyncClient]:
    # Module-scoped clients: each new httpx client loads a TLS context (~50 ms) we never use.
    async with httpx.AsyncClient(base_url=mock_llm_server.url) as http:
        yield http


async def test_chat_completion_has_the_openai_shape(client: AsyncOpenAI) -> None:
    completion = await client.chat.completions.create(model="mock-1", messages=PROMPT)
    assert completion.id.startswith("chatcmpl-")
    assert completion.object == "chat.completion"
    assert completion.model == "mock-1"
    choice = completion.choices[0]
    assert choice.index == 0
    assert choice.finish_reason == "stop"
    assert choice.message.role == "assistant"
    content = choice.message.content or ""
    assert content.startswith("Hi Ana,\n\n")
    assert "I understand how frustrating" in content
    assert "I'm sorry" in content
    assert content.endswith("Best regards,\nPriya")
    assert not any(mark in content for mark in "[]{}<>")  # no placeholders
    usage = completion.usage
    assert usage is not None
    assert usage.prompt_tokens > 0
    assert usage.completion_tokens > 0
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


async def test_stream_with_usage_matches_the_plain_completion(client: AsyncOpenAI) -> None:
    plain = await client.chat.completions.create(model="mock-1", messages=PROMPT)
    stream = await client.chat.completions.create(
        model="mock-1",
        messages=PROMPT,
        stream=True,
        stream_options={"include_usage": True},
    )
    pieces: list[str] = []
    finish: list[str] = []
    usage_chunks = []
    async for chunk in stream:
        if chunk.usage is not None:
            usage_chunks.append(chunk.usage)
            assert chunk.choices == []  # the usage chunk comes last and carries no choice
        for choice in chunk.choices:
            pieces.append(choice.delta.content or "")
            if choice.finish_reason:
                finish.append(choice.finish_reason)
    assert len(pieces) > 10  # really streamed, not one blob
    assert "".join(pieces) == plain.choices[0].message.content
    assert finish == ["stop"]
    assert len(usage_chunks) == 1
    assert plain.usage is not None
    assert usage_chunks[0].total_tokens == plain.usage.total_tokens


async def test_stream_without_include_usage_has_no_usage(client: AsyncOpenAI) -> None:
    stream = await client.chat.completions.create(model="mock-1", messages=PROMPT, stream=True)
    chunks = [chunk async for chunk in stream]
    assert chunks
    assert all(chunk.usage is None for chunk in chunks)


async def test_counter_counts_chat_completions_and_resets(
    mock_llm: MockLLMServer, client: AsyncOpenAI, control: httpx.AsyncClient
) -> None:
    await client.chat.completions.create(model="mock-1", messages=PROMPT)
    stream = await client.chat.completions.create(model="mock-1", messages=PROMPT, stream=True)
    async for _ in stream:
        pass
    models = await client.models.list()
    assert [model.id for model in models.data] == ["mock-1"]
    stats = (await control.get("/_stats")).json()
    assert (stats["chat_completions"], stats["streamed"], stats["models"]) == (2, 1, 1)
    assert (await control.post("/_reset")).json()["chat_completions"] == 0
    assert (await control.get("/_last_request")).json()["messages"] == PROMPT
    assert (await control.get("/_stats")).json()["chat_completions"] == 0


async def test_latency_is_configurable_at_run_time(
    mock_llm: MockLLMServer, client: AsyncOpenAI, control: httpx.AsyncClient
) -> None:
    assert (await control.post("/_config", json={"latency_ms": 150})).json()["latency_ms"] == 150
    assert (await control.post("/_config", json={"latency_ms": -1})).status_code == 400
    started = time.perf_counter()
    await client.chat.completions.create(model="mock-1", messages=PROMPT)
    assert time.perf_counter() - started >= 0.15


async def test_invalid_request_is_an_openai_error(client: AsyncOpenAI) -> None:
    with pytest.raises(BadRequestError):
        await client.chat.completions.create(model="mock-1", messages=[])


async def test_raw_driver_client_speaks_to_the_mock(mock_llm: MockLLMServer) -> None:
    pool = Pool(mock_llm.url, size=2)
    try:
        await pool.warm("/_stats")
        response = await pool.request("GET", "/v1/models")
        assert response.status == 200
        assert b"mock-1" in response.body
        assert response.headers["content-type"] == "application/json"
        missing = await pool.request("GET", "/nowhere")
        assert missing.status == 404
    finally:
        pool.close()


@pytest.mark.parametrize(
    ("prompt", "greeting"),
    [
        ("- Customer name: Kenji Watanabe\n", "Hi Kenji,"),
        ("- Customer name: Dr. Helen Carter\n", "Hi Dr. Carter,"),
        ("- Customer name: (not given)\n", "Hi there,"),
        ("Customer: Hello, I was charged twice\n", "Hi there,"),  # a transcript line, not a name
        ("Customer: [NAME_1]\n", "Hi there,"),  # a redaction placeholder is never echoed
        ("no names here", "Hi there,"),
    ],
)
def test_reply_greets_only_real_names(prompt: str, greeting: str) -> None:
    reply = compose_reply([{"role": "user", "content": prompt}])
    assert reply.startswith(greeting + "\n\n")
    assert "[" not in reply
    assert "(not given)" not in reply


def test_reply_follows_channel_signature_and_subject() -> None:
    system = (
        "You are a customer support agent called Noah Kim drafting a reply.\n"
        "End with this signature, exactly as written:\n⟦signature⟧\nNoah Kim\nTechnical Support\n"
        "⟦end of signature⟧\n"
    )
    user = "- Channel: {channel}\n- Subject: {subject}\n- Customer name: Aisha Rahman\n"

    def reply(channel: str, subject: str = "File uploads fail") -> str:
        messages = [
            {"role": "system", "content": system},
            {"role": "user", "content": user.format(channel=channel, subject=subject)},
        ]
        return compose_reply(messages)

    email = reply("email")
    assert email.endswith("Best regards,\nNoah Kim\nTechnical Support")
    assert '"File uploads fail"' in email
    assert '"(none)"' not in reply("email", "(none)")
    sms = reply("sms")
    assert "\n" not in sms
    assert sms.endswith(" - Noah Kim")
    assert len(sms.split()) <= 40
    chat = reply("chat")
    assert chat.startswith("Hi Aisha, ")
    assert "Best regards" not in chat
    assert "private message" in reply("social")


def test_replies_to_the_real_prompts_pass_the_guardrails() -> None:
    # The benchmark relies on the mock's draft passing on the first attempt (no re-asks), for
    # Tactful's real prompt of every thread the benchmark sends.
    from bench.threads import load_threads
    from service.config import Settings
    from service.drafting.prompts import PromptBuilder
    from service.guardrails import CheckContext, load_guardrails
    from service.language.analysis import analyse_thread
    from service.models import Thread

    settings = Settings(_env_file=None)
    prompts = PromptBuilder(settings.drafting.prompts_dir, settings.drafting.prompt_token_budget)
    guardrails = load_guardrails()
    for data in load_threads():
        thread = Thread.model_validate(data)
        analysis = analyse_thread(thread)
        messages = [dict(message) for message in prompts.render(thread, analysis)]
        reply = compose_reply(messages)
        report = guardrails.check(reply, CheckContext(thread=thread, analysis=analysis))
        assert not report.failed("acknowledgement"), (data.get("id"), reply, report)
        assert not report.has_blocking(), (data.get("id"), reply, report)
