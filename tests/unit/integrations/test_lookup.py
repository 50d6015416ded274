"""How a retry recognises its own note in a helpdesk's listing (decision 35)."""

from __future__ import annotations

import httpx
import pytest
import respx
from pydantic import SecretStr

from service.config import Settings
from service.config.integrations import FreshdeskSettings, Integrations
from service.integrations.base import DeliveryError, Outbound
from service.integrations.freshdesk import Freshdesk
from service.integrations.html_text import text_to_html
from service.integrations.lookup import entries, same_text

NOTE = "[Tactful] draft reply (offline):\n\nHi Dana, sorry & thanks.\nLine two.\n\nBest, Sam"


def test_the_text_matches_as_sent_or_as_the_helpdesk_re_serialised_the_html() -> None:
    assert same_text(NOTE, NOTE)
    assert same_text(f"  {NOTE}\n", NOTE)
    assert same_text(text_to_html(NOTE), NOTE)
    restyled = text_to_html(NOTE).replace("<p>", "<div dir='auto'>").replace("</p>", "</div>\n")
    assert same_text(restyled.replace("<br>", "<br/>").replace("&amp;", "&#38;"), NOTE)


@pytest.mark.parametrize(
    "body", [None, "", 41, "[Tactful] draft reply (offline):", NOTE.replace("Dana", "Dan"), NOTE + " x"]
)
def test_any_other_text_does_not_match(body: object) -> None:
    assert not same_text(body, NOTE)


def test_a_listing_without_the_documented_list_fails_the_lookup() -> None:
    assert [e["id"] for e in entries({"a": {"b": [{"id": 1}, "junk"]}}, "x", "a", "b")] == [1]
    broken: list[object] = [{"a": {}}, {"a": {"b": {"id": 1}}}, [1], None]
    for data in broken:
        with pytest.raises(DeliveryError):
            entries(data, "x", "a", "b")


SETTINGS = Settings(
    _env_file=None,
    integrations=Integrations(
        freshdesk=FreshdeskSettings(base_url="https://acme.freshdesk.test", api_key=SecretStr("fd-key"))
    ),
)
PAGE = "https://acme.freshdesk.test/api/v2/tickets/7/conversations"


@respx.mock(assert_all_called=True)
async def test_freshdesk_follows_the_next_page_link_to_the_newest_conversations(
    respx_mock: respx.MockRouter,
) -> None:
    respx_mock.get(f"{PAGE}?per_page=100").respond(
        200,
        json=[{"id": 1, "private": True, "body": "<div>older note</div>"}],
        headers={"Link": f'<{PAGE}?page=2&per_page=100>; rel="next"'},
    )
    respx_mock.get(f"{PAGE}?page=2&per_page=100").respond(
        200, json=[{"id": 99, "private": True, "body": text_to_html(NOTE)}]
    )
    async with httpx.AsyncClient() as http:
        found = await Freshdesk().find_delivered(http, SETTINGS, {"ticket_id": "7"}, Outbound("note", NOTE))
    assert found is not None
    assert found.reference == "99"


@respx.mock
async def test_freshdesk_never_sends_its_key_to_another_host_named_in_a_link(
    respx_mock: respx.MockRouter,
) -> None:
    respx_mock.get(f"{PAGE}?per_page=100").respond(
        200, json=[], headers={"Link": '<https://elsewhere.test/steal?page=2>; rel="next"'}
    )
    async with httpx.AsyncClient() as http:
        with pytest.raises(DeliveryError, match="another host"):
            await Freshdesk().find_delivered(http, SETTINGS, {"ticket_id": "7"}, Outbound("note", NOTE))
