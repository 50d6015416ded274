"""The real `tactful` command, run as a subprocess with a clean environment.

Every run happens in a temporary directory (so no `.env` is picked up) with TACTFUL_* and
OPENAI_API_KEY removed and the offline provider selected; seed paths are absolute.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.models import DraftResult, DraftStatus, GuardrailReport, Verdict
from service.server.embedded_redis import free_port
from tests.conftest import SEEDS
from tests.integration.conftest import GOOD_REPLY
from tests.support.serving import COMMAND, START_TIMEOUT_S, start_serve

SEED = SEEDS / "threads" / "billing_double_charge.json"
EX_USAGE = 64
SECRET = "Periwinkle octopus 7731 ate my invoice"


def clean_env(**extra: str) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("TACTFUL_") and name != "OPENAI_API_KEY"
    }
    env["TACTFUL_LLM_PROVIDER"] = "offline"
    env["TACTFUL_API_WORKERS"] = "1"  # one process: these tests are about the CLI (workers: test_api_workers)
    env.update(extra)
    return env


def tactful(
    *args: str, cwd: Path, stdin: str | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, *args],
        cwd=cwd,
        env=clean_env(),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# --- tactful draft ------------------------------------------------------------------------------


def test_draft_file_prints_a_draft_result(tmp_path: Path) -> None:
    run = tactful("draft", str(SEED), "--json", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    result = DraftResult.model_validate_json(run.stdout)
    assert result.provider == "offline"
    assert result.status is DraftStatus.needs_review
    assert result.reply
    assert "Dana" in result.reply
    assert result.cached is False
    assert not list(tmp_path.iterdir())  # no Redis, no data directory: nothing left behind


def test_draft_reads_stdin_and_prints_for_people(tmp_path: Path) -> None:
    thread = {
        "customer": {"name": "Ari"},
        "messages": [{"role": "customer", "body": "My parcel is two weeks late and nobody answers."}],
    }
    run = tactful("draft", "-", cwd=tmp_path, stdin=json.dumps(thread))
    assert run.returncode == 0, run.stderr
    first_line, _, rest = run.stdout.partition("\n")
    assert "status: needs_review" in first_line
    assert "provider: offline" in first_line
    assert "Ari" in rest
    assert "parcel" in rest  # the composer restates the issue


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (f'{{"messages": [{{"role": "agent", "body": "{SECRET}"}}]}}', "customer message"),
        (f'{{"subject": "{SECRET}"}}', "messages: Field required"),
        (f"{SECRET} is not JSON", "Invalid JSON"),
        (f'{{"messages": [{{"role": "boss", "body": "{SECRET}"}}]}}', "messages.0.role"),
    ],
    ids=["no-customer-text", "no-messages", "not-json", "bad-role"],
)
def test_bad_thread_file_is_a_usage_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "thread.json"
    path.write_text(content, encoding="utf-8")
    run = tactful("draft", str(path), cwd=tmp_path)
    assert run.returncode == EX_USAGE
    assert run.stdout == ""
    assert message in run.stderr
    assert "Periwinkle" not in run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize(
    "args", [["draft", "missing.json"], ["check", "missing.txt"], ["draft", "binary.bin"]]
)
def test_unreadable_files_are_usage_errors(tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "binary.bin").write_bytes(b"\xff\xfe\x00" + SECRET.encode())
    run = tactful(*args, cwd=tmp_path)
    assert run.returncode == EX_USAGE  # never 1 or 2, which `check` uses for its verdicts
    assert f"cannot read {args[1]}" in run.stderr
    assert "Traceback" not in run.stderr
    assert "Periwinkle" not in run.stderr


def test_unknown_option_is_a_usage_error_not_a_verdict(tmp_path: Path) -> None:
    run = tactful("check", "-", "--strict", cwd=tmp_path, stdin="Thanks!")
    assert run.returncode == EX_USAGE
    assert "unrecognized arguments" in run.stderr


# --- tactful check ------------------------------------------------------------------------------


def test_check_blaming_reply_blocks(tmp_path: Path) -> None:
    reply = tmp_path / "reply.txt"
    reply.write_text(
        "Hi Dana,\n\nI'm sorry for the trouble, but this is your fault.\n\nSam", encoding="utf-8"
    )
    run = tactful("check", str(reply), cwd=tmp_path)
    assert run.returncode == 2, run.stdout + run.stderr
    assert run.stdout.startswith("verdict: block")
    assert "no-blame" in run.stdout


def test_check_good_reply_with_thread(tmp_path: Path) -> None:
    run = tactful("check", "-", "--thread", str(SEED), "--json", cwd=tmp_path, stdin=GOOD_REPLY)
    report = GuardrailReport.model_validate_json(run.stdout)
    assert run.returncode == {Verdict.pass_: 0, Verdict.warn: 1}[report.verdict]
    assert report.ruleset_version
    assert not report.has_blocking()
    assert set(json.loads(run.stdout)) == {"verdict", "ruleset_version", "findings"}


def test_check_json_report_for_a_blocked_reply(tmp_path: Path) -> None:
    run = tactful("check", "-", "--json", cwd=tmp_path, stdin="Dear [Customer Name], user error.")
    assert run.returncode == 2
    report = GuardrailReport.model_validate_json(run.stdout)
    assert report.verdict is Verdict.block
    rules = {finding.rule for finding in report.findings}
    assert {"placeholder", "no-blame"} <= rules
    for finding in report.findings:
        assert finding.start is None or finding.end is not None


def test_check_warn_exits_1(tmp_path: Path) -> None:
    reply = (
        "Hi Dana,\n\nI understand how frustrating it is to be charged twice, and I'm sorry for the worry. "
        "Unfortunately we cannot refund it.\n\nSam"
    )
    run = tactful("check", "-", "--thread", str(SEED), "--json", cwd=tmp_path, stdin=reply)
    report = GuardrailReport.model_validate_json(run.stdout)
    assert report.verdict is Verdict.warn, report
    assert run.returncode == 1


def test_invalid_utf8_on_stdin_is_a_usage_error(tmp_path: Path) -> None:
    run = subprocess.run(
        [*COMMAND, "check", "-"],
        cwd=tmp_path,
        env=clean_env(),
        input=b"\xff\xfe" + SECRET.encode(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == EX_USAGE  # as for a file: not a verdict of mangled text
    assert b"cannot read -: it is not UTF-8 text" in run.stderr
    assert b"Periwinkle" not in run.stderr


def test_closed_pipe_keeps_the_verdict_without_a_traceback(tmp_path: Path) -> None:
    reply = tmp_path / "reply.txt"
    reply.write_text("Dear [Customer Name], user error.", encoding="utf-8")
    # The reader is gone before the command writes a byte: every write meets EPIPE.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        run = subprocess.run(
            [*COMMAND, "check", str(reply), "--json"],
            cwd=tmp_path,
            env=clean_env(),
            stdout=write_end,
            stderr=subprocess.PIPE,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    assert run.returncode == 2  # block, as if the report had been read
    assert run.stderr == b""  # no traceback, no "Exception ignored"


# --- tactful send-webhook -----------------------------------------------------------------------


def test_send_webhook_with_every_sample_skipped_fails(tmp_path: Path) -> None:
    # No TACTFUL_WEBHOOK_SECRET_* in the environment: nothing is sent, so nothing needs to listen.
    url = f"http://127.0.0.1:{free_port()}"
    run = tactful("send-webhook", str(SEEDS / "webhooks"), "--url", url, cwd=tmp_path)
    assert "skipped" in run.stdout
    assert "nothing sent" in run.stderr
    assert run.returncode == 1


# --- tactful serve ------------------------------------------------------------------------------


def children_of(pid: int) -> dict[int, str]:
    """Live child processes of ``pid`` by pid -> command name, from /proc."""
    found: dict[int, str] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name_end = text.rindex(")")
        fields = text[name_end + 2 :].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found[int(stat.parent.name)] = text[text.index("(") + 1 : name_end]
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str, Path]]:
    port = free_port()
    log_path = tmp_path / "serve.log"
    process = start_serve(port, tmp_path, clean_env(TACTFUL_DATA_DIR=str(tmp_path / "data")), log=log_path)
    try:
        yield process, f"http://127.0.0.1:{port}", log_path
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def wait_ready(base_url: str, process: subprocess.Popen[bytes], log_path: Path) -> httpx.Response:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        assert process.poll() is None, log_path.read_text(errors="replace")
        try:
            response = httpx.get(f"{base_url}/health/ready", timeout=2)
        except httpx.TransportError:
            time.sleep(0.05)
            continue
        if response.status_code == 200:
            return response
        time.sleep(0.05)
    raise AssertionError("tactful serve did not become ready:\n" + log_path.read_text(errors="replace"))


def test_serve_with_embedded_redis_then_sigterm(
    server: tuple[subprocess.Popen[bytes], str, Path], tmp_path: Path
) -> None:
    process, base_url, log_path = server
    ready = wait_ready(base_url, process, log_path)
    assert ready.json()["checks"]["redis"] == {"ok": True, "configured": True}

    redis_children = [pid for pid, name in children_of(process.pid).items() if name.startswith("redis")]
    assert len(redis_children) == 1, children_of(process.pid)
    # The embedded Redis keeps an append-only file under TACTFUL_DATA_DIR.
    data_dir = tmp_path / "data"
    assert [p for p in data_dir.rglob("*") if "appendonly" in p.name], list(data_dir.rglob("*"))

    thread = json.loads(SEED.read_text(encoding="utf-8"))
    first = httpx.post(f"{base_url}/v1/drafts", json=thread, timeout=10)
    assert first.status_code == 200, first.text
    DraftResult.model_validate(first.json())
    assert first.headers["x-cache"] == "MISS"
    second = httpx.post(f"{base_url}/v1/drafts", json=thread, timeout=10)
    assert second.headers["x-cache"] == "HIT"  # the embedded Redis is the cache

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0, log_path.read_text(errors="replace")
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in redis_children) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in redis_children), "the embedded redis-server outlived tactful serve"

    # Logs: one JSON object per line, and no ticket text in them.
    lines = [line for line in log_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    events = [json.loads(line) for line in lines]
    assert all(isinstance(event, dict) for event in events), lines
    assert "Application shutdown complete." in {event["event"] for event in events}  # graceful
    customer_text = thread["messages"][0]["body"]
    log_text = log_path.read_text(encoding="utf-8")
    assert customer_text[:40] not in log_text
    assert first.json()["reply"][:40] not in log_text
