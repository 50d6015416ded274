"""The feedback buttons on the agent page and the Insights page, in real headless Chromium."""

from __future__ import annotations

from typing import Any

import pytest
import redis

from service.feedback import records as rec
from tests.e2e.conftest import REDIS_DB, Tactful
from tests.e2e.test_agent_page import FINAL_BADGE, REVIEW_REPLY, pick_sample, stored_result
from tests.streaming_llm import ScriptedLLM


@pytest.fixture(scope="module")
def store(tactful: Tactful, redis_server: Any) -> Any:
    client = redis.Redis.from_url(redis_server.url.rsplit("/", 1)[0] + f"/{REDIS_DB}")
    yield client
    client.close()


def feedback_of(store: Any, draft_id: str) -> rec.FeedbackItem:
    raw = store.get(rec.item_key(draft_id))
    assert raw is not None, "no feedback recorded for the draft"
    return rec.decode_item(raw)


def draft_sample(page: Any, tactful: Tactful, llm: ScriptedLLM, sample: str) -> dict[str, Any]:
    llm.replies.append(REVIEW_REPLY)
    thread = pick_sample(page, sample)
    page.click("#draft-button")
    page.wait_for_selector(FINAL_BADGE, timeout=15_000)
    page.locator("#feedback-block").wait_for(state="visible")
    page.click("#feedback-heading")  # folded until the agent opens it
    page.locator("#final-text").wait_for(state="visible")
    return stored_result(tactful, thread)


def test_sent_as_is(page: Any, tactful: Tactful, llm: ScriptedLLM, store: Any) -> None:
    result = draft_sample(page, tactful, llm, "billing_double_charge")
    assert page.input_value("#final-text") == result["reply"]
    page.click("#feedback-sent")
    page.locator("#feedback-status").filter(has_text="sent as is").wait_for()
    item = feedback_of(store, result["id"])
    assert item.outcome == "sent"
    assert item.accepted
    assert item.char_distance == 0


def test_sent_after_editing_uses_the_edited_text(
    page: Any, tactful: Tactful, llm: ScriptedLLM, store: Any
) -> None:
    result = draft_sample(page, tactful, llm, "howto_export_reports_csv")
    edited = result["reply"].replace("Unfortunately, we cannot", "We are not able to") + "\nP.S. Thanks!"
    page.fill("#final-text", edited)
    page.click("#feedback-edited")
    page.locator("#feedback-status").filter(has_text="after editing").wait_for()
    item = feedback_of(store, result["id"])
    assert item.outcome == "edited"
    assert item.char_distance is not None
    assert 0 < item.char_distance < 0.2
    assert item.changed_sentences


def test_discarded(page: Any, tactful: Tactful, llm: ScriptedLLM, store: Any) -> None:
    result = draft_sample(page, tactful, llm, "it_vpn_keeps_disconnecting")
    page.click("#feedback-discarded")
    page.locator("#feedback-status").filter(has_text="discarded").wait_for()
    assert feedback_of(store, result["id"]).outcome == "discarded"
    assert not feedback_of(store, result["id"]).accepted


def test_insights_draws_the_charts(page: Any, tactful: Tactful, llm: ScriptedLLM, store: Any) -> None:
    result = draft_sample(page, tactful, llm, "account_lockout_sms")
    page.click("#feedback-sent")
    page.locator("#feedback-status").filter(has_text="sent as is").wait_for()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    # The same tab: the API key entered on the agent page is kept for the session.
    page.click("#insights-link")
    page.wait_for_selector("body[data-loaded='true']", timeout=10_000)
    total = int(page.locator("[data-kpi='Drafts with feedback']").inner_text())
    assert total >= 1
    version = page.locator(f"#acceptance-chart g[data-version='{result['prompt_version']}']")
    assert version.locator("circle").count() >= 1
    assert page.locator("#acceptance-legend li").count() >= 1
    rules = page.locator("#distance-chart g[data-rule]")
    assert rules.count() >= 1
    assert page.locator("#rules-table tbody tr").count() >= 1
    # Drawn here: inline SVG, and nothing fetched from anywhere but this server.
    assert page.locator("#acceptance-chart svg").count() == 1
    assert requested
    assert all(url.startswith(tactful.url) for url in requested), requested
    page.select_option("#since", "7d")
    page.wait_for_selector("body[data-loaded='true']")
