"""The agent page in real headless Chromium, against the real app and a loopback LLM."""

from __future__ import annotations

import json
import os
import statistics
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SEEDS
from tests.e2e.conftest import API_KEY, Tactful, enter_key
from tests.streaming_llm import ScriptedLLM

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the screenshots and timings go: docs/screenshots with `make screenshots`
    (TACTFUL_UPDATE_SCREENSHOTS=1), else a temporary folder, so that an ordinary test run takes
    them all the same without rewriting tracked files in every checkout."""
    if os.environ.get("TACTFUL_UPDATE_SCREENSHOTS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return DOCS_SCREENSHOTS
    return tmp_path_factory.mktemp("screenshots")


# A reply that acknowledges the customer (sendable) but frames a limit negatively: one `warn`
# finding, so the page shows "Needs review" and a highlighted span.
REVIEW_REPLY = (
    "Hi Dana,\n\nI understand how frustrating it is to be charged twice, and I am sorry for the trouble "
    "this caused. Unfortunately, we cannot reverse the charge instantly. I "  # a refusal with no alternative
    "have started a refund for the second payment, which usually reaches your card within 3-5 business "
    "days. I will update you as soon as it is processed.\n\nBest regards,\nSam"
)
BLAMING_REPLY = "Hi Dana, you should have read the billing page first. This is your fault."
FINAL_BADGE = "#draft-status.approved, #draft-status.needs_review, #draft-status.blocked"


def pick_sample(page: Any, name: str = "billing_double_charge") -> dict[str, Any]:
    page.select_option("#sample", name)
    page.locator("#conversation .bubble.customer").first.wait_for()
    thread: dict[str, Any] = json.loads((SEEDS / "threads" / f"{name}.json").read_text(encoding="utf-8"))
    return thread


def stored_result(tactful: Tactful, thread: dict[str, Any]) -> dict[str, Any]:
    """The DraftResult the page was given: the same request again is a cache hit of that result."""
    with tactful.client() as client:
        response = client.post("/v1/drafts", json=thread)
    assert response.headers["x-cache"] == "HIT"
    result: dict[str, Any] = response.json()
    return result


def marked_text(page: Any, container: str, index: int) -> str:
    """The text of every highlight in ``container`` that belongs to finding ``index``, joined."""
    text: str = page.eval_on_selector_all(
        f"{container} mark.finding",
        "(marks, i) => marks.filter(m => m.dataset.findings.split(' ').includes(String(i)))"
        ".map(m => m.textContent).join('')",
        index,
    )
    return text


def test_draft_streams_then_shows_the_verdict_with_highlights(
    page: Any, tactful: Tactful, llm: ScriptedLLM, screenshots: Path
) -> None:
    llm.replies.append(REVIEW_REPLY)
    llm.token_ms = 25  # slow enough to watch it stream
    thread = pick_sample(page)
    page.click("#draft-button")

    # Streamed text appears while the draft is still being written.
    page.wait_for_function(
        "() => { const box = document.querySelector('#draft-text');"
        " return box.classList.contains('streaming') && box.textContent.length > 0; }"
    )
    assert page.locator("#draft-status").inner_text() == "Drafting…"
    page.wait_for_selector(FINAL_BADGE, timeout=15_000)

    result = stored_result(tactful, thread)
    assert result["status"] == "needs_review"
    assert page.locator("#draft-status").inner_text() == "Needs review"
    assert page.locator("#draft-text").inner_text() == result["reply"] == REVIEW_REPLY
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=tactful.url)
    page.click("#copy-button")
    page.locator("#copy-button").filter(has_text="Copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == REVIEW_REPLY

    # How the customer was read shows under the draft, as the API returned it.
    analysis = result["analysis"]
    assert analysis is not None
    page.locator("#analysis").wait_for(state="visible")
    shown = page.locator("#analysis-list").inner_text()
    assert analysis["register"] in shown
    assert (analysis["variant"] or analysis["language"]) in shown
    for feeling in analysis["feelings"]:
        assert page.locator(f"#analysis-list [data-feeling='{feeling['name']}']").count() == 1
    if analysis["request"]:
        assert analysis["request"]["text"] in shown

    spanned = [(i, f) for i, f in enumerate(result["guardrails"]["findings"]) if f.get("start") is not None]
    assert spanned, "the reply was chosen to produce a finding with a span"
    points = list(result["reply"])  # offsets are code points, like Python's str
    for index, finding in spanned:
        assert marked_text(page, "#draft-text", index) == "".join(points[finding["start"] : finding["end"]])
        assert page.locator(f"#findings li[data-rule='{finding['rule']}']").count() >= 1

    # Hover and keyboard focus both explain the finding.
    index, finding = spanned[0]
    mark = page.locator(f"#draft-text mark[data-findings~='{index}']").first
    mark.hover()
    tooltip = page.locator("#tooltip")
    tooltip.wait_for(state="visible")
    assert finding["message"] in tooltip.inner_text()
    if finding.get("suggestion"):
        assert finding["suggestion"] in tooltip.inner_text()
    page.mouse.move(0, 0)
    page.keyboard.press("Escape")
    tooltip.wait_for(state="hidden")
    mark.focus()
    tooltip.wait_for(state="visible")
    assert mark.get_attribute("aria-describedby") == "tooltip"

    save_screenshots(page, screenshots)


def save_screenshots(page: Any, folder: Path) -> None:
    """The README's screenshots: a real draft with its highlighted finding, wide and narrow."""
    page.fill("#own-reply", BLAMING_REPLY)
    page.click("#check-button")
    page.wait_for_selector("#check-status.block")
    page.locator("#draft-text mark.finding").first.focus()
    page.locator("#tooltip").wait_for(state="visible")
    page.screenshot(path=folder / "agent-page-1280.png", full_page=True)
    page.set_viewport_size({"width": 360, "height": 780})
    page.evaluate("window.scrollTo(0, 0)")
    page.locator("#draft-text mark.finding").first.focus()
    page.screenshot(path=folder / "agent-page-360.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    # Narrow means no sideways scrolling.
    page.set_viewport_size({"width": 360, "height": 780})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.set_viewport_size({"width": 1280, "height": 900})


def test_regenerate_calls_the_llm_again_and_a_repeat_is_cached(
    page: Any, tactful: Tactful, llm: ScriptedLLM
) -> None:
    pick_sample(page, "shipping_late_parcel")
    page.click("#draft-button")
    page.wait_for_selector(FINAL_BADGE)
    calls = llm.calls
    first_text = page.locator("#draft-text").inner_text()

    llm.replies.append(REVIEW_REPLY.replace("charged twice", "waiting for your parcel"))
    page.click("#regenerate-button")
    page.wait_for_function(
        "(before) => document.querySelector('#draft-text').innerText !== before", arg=first_text
    )
    page.wait_for_selector(FINAL_BADGE)
    assert llm.calls == calls + 1
    assert llm.requests[-1]["stream"] is True
    assert "from cache" not in page.locator("#draft-meta").inner_text()

    # The keyboard shortcut drafts too; the same thread again is served from the cache.
    page.locator("#sample").focus()
    page.keyboard.press("Control+Enter")
    page.wait_for_function("() => document.querySelector('#draft-meta').innerText.includes('from cache')")
    assert llm.calls == calls + 1


def test_check_my_reply_flags_blame(page: Any, llm: ScriptedLLM) -> None:
    pick_sample(page)
    calls = llm.calls
    page.fill("#own-reply", BLAMING_REPLY)
    page.click("#check-button")
    page.wait_for_selector("#check-status.block")
    assert page.locator("#check-status").inner_text() == "Blocked"
    item = page.locator("#check-findings li[data-rule='no-blame']").first
    item.wait_for()
    assert "blame" in item.inner_text().lower()
    marks = page.locator("#check-text mark[data-rule='no-blame']")
    assert marks.count() >= 1
    assert marks.first.inner_text() in BLAMING_REPLY
    assert llm.calls == calls  # checking a reply never calls the LLM


def test_api_key_is_asked_once_per_session_and_a_wrong_key_is_asked_again(
    browser_context: Any, tactful: Tactful, llm: ScriptedLLM
) -> None:
    page = browser_context.new_page()
    try:
        page.goto(tactful.url + "/")
        enter_key(page, "not-the-key")
        pick_sample(page)
        page.click("#draft-button")
        page.locator("#key-error").wait_for(state="visible")  # 401: asked again, with a reason
        page.fill("#api-key", API_KEY)
        page.keyboard.press("Enter")
        page.wait_for_selector(FINAL_BADGE)  # the draft went ahead with the new key
        page.reload()
        page.locator("#sample option[value='billing_double_charge']").wait_for(state="attached")
        assert not page.locator("#key-dialog").is_visible()  # same session: not asked again
    finally:
        page.close()


CHATWOOT_HOST = """<!doctype html>
<html><head><title>Chatwoot (test host)</title></head>
<body>
<iframe id="app" src="{app_url}/" title="Tactful" style="width:420px;height:900px;border:0"></iframe>
<script>
  // What Chatwoot does for a Dashboard App: answer fetch-info with the conversation context.
  const context = {context};
  window.addEventListener("message", (event) => {{
    if (event.data === "chatwoot-dashboard-app:fetch-info") {{
      document.getElementById("app").contentWindow.postMessage(
        JSON.stringify({{ event: "appContext", data: context }}), "*");
    }}
  }});
</script>
</body></html>
"""

CHATWOOT_CONTEXT = {
    "conversation": {
        "id": 4242,
        "channel": "Channel::WebWidget",
        "messages": [
            {
                "id": 1,
                "content": "My parcel tracking has said 'in transit' for nine days and I needed it for a "
                "birthday on Saturday. I'm really upset.",
                "message_type": 0,
                "private": False,
                "created_at": 1_700_000_000,
            },
            {"id": 2, "content": "Internal: carrier ticket #88 opened", "message_type": 1, "private": True},
            {"id": 3, "content": "Conversation was assigned to Sam", "message_type": 2, "private": False},
        ],
    },
    "contact": {"id": 7, "name": "Priya Natarajan", "email": "priya@example.com"},
    "currentAgent": {"id": 3, "name": "Sam Ortiz", "email": "sam@example.com"},
}


def test_chatwoot_dashboard_app_reads_the_conversation_from_app_context(
    browser_context: Any, tactful: Tactful, llm: ScriptedLLM
) -> None:
    host = CHATWOOT_HOST.format(app_url=tactful.url, context=json.dumps(CHATWOOT_CONTEXT))
    llm.pages["/chatwoot-host.html"] = ("text/html; charset=utf-8", host.encode())
    page = browser_context.new_page()
    try:
        # Served by the mock LLM's server: another origin, allowed by TACTFUL_FRAME_ANCESTORS.
        page.goto(f"{tactful.llm_url}/chatwoot-host.html")
        frame = page.frame_locator("#app")
        enter_key_in(frame, page)
        frame.locator("#thread-source").filter(has_text="Chatwoot conversation 4242").wait_for()
        bubbles = frame.locator("#conversation .bubble")
        assert bubbles.count() == 2  # the customer's message and the private note; activity dropped
        assert "Priya Natarajan" in frame.locator("#conversation .bubble.customer").inner_text().title()
        frame.locator("#draft-button").click()
        frame.locator(FINAL_BADGE).wait_for(timeout=15_000)
        prompt = json.dumps(llm.requests[-1]["messages"])
        assert "nine days" in prompt  # the conversation from appContext reached the LLM
        # Private notes reach the model only in their own section, never as the conversation.
        user = llm.requests[-1]["messages"][1]["content"]
        assert "carrier ticket" not in user[user.index("Conversation") : user.index("Our internal notes")]
        assert "carrier ticket" in user[user.index("Our internal notes") :]
    finally:
        page.close()


def enter_key_in(frame: Any, page: Any) -> None:
    frame.locator("#key-dialog").wait_for(state="visible")
    frame.locator("#api-key").fill(API_KEY)
    frame.locator("#api-key").press("Enter")
    frame.locator("#key-dialog").wait_for(state="hidden")


def test_first_delta_reaches_the_browser_soon_after_the_first_token(
    page: Any, tactful: Tactful, llm: ScriptedLLM, screenshots: Path
) -> None:
    """Measured, not asserted against the 50 ms target (`make screenshots` puts the figures in docs/)."""
    llm.first_token_ms = 100  # the stream is open and idle when the first token comes
    llm.token_ms = 1
    pick_sample(page, "it_vpn_keeps_disconnecting")
    page.click("#draft-button")  # warm-up: connections, JIT, first render
    page.wait_for_selector(FINAL_BADGE)
    gaps = []
    for _ in range(10):
        before = len(llm.first_token_at)
        page.click("#regenerate-button")
        page.wait_for_selector("#draft-status.working")
        page.wait_for_selector(FINAL_BADGE)
        assert len(llm.first_token_at) == before + 1
        browser_ms = page.evaluate("window.tactfulTimings.drafts.at(-1).firstDelta")
        gaps.append(browser_ms - llm.first_token_at[-1] * 1000)
    figures = {
        "what": "mock LLM's first token sent -> first delta handled by the page (ms, wall clock)",
        "runs": len(gaps),
        "median_ms": round(statistics.median(gaps), 1),
        "max_ms": round(max(gaps), 1),
        "min_ms": round(min(gaps), 1),
        "target_ms": 50,
    }
    (screenshots / "timings.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"\nfirst delta after first token: {figures}")
    assert all(gap > -5 for gap in gaps), gaps  # same clock: a delta cannot precede its token
    assert figures["median_ms"] < 1_000, figures  # sanity only; the figure itself is the result
