"""A loopback Chatwoot for worker tests and the durability benchmark: it takes private notes the way
Chatwoot's API does (``POST /api/v1/accounts/{a}/conversations/{c}/messages`` with an
``api_access_token`` header) and remembers every note, so duplicates and losses can be counted;
``GET`` on the same path lists a conversation's notes, as Chatwoot lists its messages.

It runs in a thread of the calling process (``with MockChatwoot(token) as helpdesk:``), so worker
processes talk to it over real HTTP while the test or driver reads ``helpdesk.notes`` directly.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

_MESSAGES = re.compile(
    r"^/api/v1/accounts/(?P<account>[^/]+)/conversations/(?P<conversation>[^/]+)/messages$"
)


@dataclass(frozen=True)
class Note:
    account: str
    conversation: str
    body: dict[str, Any]


class MockChatwoot:
    def __init__(self, token: str) -> None:
        self.token = token
        self.notes: list[Note] = []
        self.lookups = 0  # GETs of a conversation's messages (retries looking for their note)
        self._lock = threading.Lock()
        helpdesk = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                match = _MESSAGES.match(self.path)
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                if match is None:
                    return self._answer(404, {"error": "not found"})
                if self.headers.get("api_access_token") != helpdesk.token:
                    return self._answer(401, {"error": "Invalid Access Token"})
                note = Note(match["account"], match["conversation"], json.loads(raw))
                with helpdesk._lock:
                    helpdesk.notes.append(note)
                    ident = len(helpdesk.notes)
                return self._answer(200, {"id": ident, "private": note.body.get("private")})

            def do_GET(self) -> None:
                # The conversation's messages, newest page first as Chatwoot's API lists them
                # ({"payload": [...]}): what a retried job reads to see if its note is already in.
                match = _MESSAGES.match(self.path)
                if match is None:
                    return self._answer(404, {"error": "not found"})
                if self.headers.get("api_access_token") != helpdesk.token:
                    return self._answer(401, {"error": "Invalid Access Token"})
                with helpdesk._lock:
                    helpdesk.lookups += 1
                    payload = [
                        {
                            "id": ident,
                            "content": note.body.get("content"),
                            "private": note.body.get("private"),
                            "message_type": 1,
                        }
                        for ident, note in enumerate(helpdesk.notes, start=1)
                        if (note.account, note.conversation) == (match["account"], match["conversation"])
                    ]
                return self._answer(200, {"meta": {}, "payload": payload[-20:]})

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return  # quiet: the notes are the record

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="mock-chatwoot", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def per_conversation(self) -> Counter[str]:
        with self._lock:
            return Counter(f"{n.account}/{n.conversation}" for n in self.notes)

    def __enter__(self) -> MockChatwoot:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
