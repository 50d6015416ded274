"""The `tactful` command: serve, worker, draft, check, eval, eval-messages, send-webhook, feedback export."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, NoReturn

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from service.config import Settings
from service.config.env import variable_for
from service.config.sections import RedisSettings
from service.infra.logs import configure_logging
from service.models import DraftResult, GuardrailReport, Thread, Verdict

if TYPE_CHECKING:
    from service.tenancy import TenantProfile

EXIT_FOR_VERDICT = {Verdict.pass_: 0, Verdict.warn: 1, Verdict.block: 2}
EXIT_USAGE = 64  # EX_USAGE: the input could not be read or parsed
EXIT_CONFIG = 78  # EX_CONFIG: a setting is invalid (e.g. a webhook secret that is empty or short)
# The labelled replies shipped with the repository (found from a source checkout).
DEFAULT_EVAL_DIR = Path(__file__).resolve().parent.parent / "seeds" / "replies"
DEFAULT_MESSAGES_DIR = Path(__file__).resolve().parent.parent / "seeds" / "messages" / "dev"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # argparse exits 2 on a usage error, which `tactful check` uses for "block".
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _fail(message: str) -> NoReturn:
    print(f"tactful: {message}", file=sys.stderr)
    raise SystemExit(EXIT_USAGE)


def _read(source: str) -> str:
    try:
        # Bytes, decoded strictly: stdin with invalid UTF-8 is refused like a file, never mangled.
        raw = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
        return raw.decode("utf-8")
    except OSError as exc:
        _fail(f"cannot read {source}: {exc.strerror or type(exc).__name__}")
    except UnicodeDecodeError:
        _fail(f"cannot read {source}: it is not UTF-8 text")


def _emit(text: str = "") -> None:
    """Prints a line; a reader that went away (`| head`) silences the rest, not the exit code."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        # Python's documented recipe (library/signal, "Note on SIGPIPE"): point stdout at devnull
        # so later writes and the flush at exit neither fail nor print "Exception ignored".
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _describe(error: ErrorDetails) -> str:
    where = ".".join(str(part) for part in error["loc"]) or "thread"
    return f"{where}: {error['msg'].removeprefix('Value error, ')}"


def _load_thread(source: str) -> Thread:
    text = _read(source)
    try:
        return Thread.model_validate_json(text)
    except ValidationError as exc:
        # Only where and what: never the input, which is ticket text.
        detail = "; ".join(_describe(error) for error in exc.errors(include_input=False, include_url=False))
        _fail(f"cannot read a thread from {source}: {detail}")


def _check_tenants(settings: Settings) -> None:
    """Stop at start-up, naming the file and the field, when a tenant profile is missing or invalid."""
    from service.tenancy import TenantError, Tenants

    try:
        Tenants.load(settings.tenants.dir)
    except TenantError as exc:
        _fail(f"tenant profile: {exc}")


def cmd_serve(args: argparse.Namespace) -> int:
    from service.app import create_app
    from service.server.embedded_redis import EmbeddedRedis
    from service.server.serving import head_limits, serve
    from service.server.workers import Supervisor, default_workers

    settings = Settings()
    configure_logging(settings.server.log_level)
    _check_tenants(settings)
    host, port = args.host or settings.server.host, args.port or settings.server.port
    workers = args.workers or settings.server.api_workers or default_workers()
    embedded: EmbeddedRedis | None = None
    # uvicorn handles SIGTERM/SIGINT while it serves, shuts down gracefully, then restores these
    # handlers and raises the signal again. With the default handlers that kills the process
    # before `finally` runs (the embedded Redis is then neither stopped nor reaped, and the exit
    # status says "killed"); ours unwind instead, so shutdown ends here and exits 0. They also
    # cover a signal that arrives while the embedded Redis is still starting.
    previous = {sig: signal.signal(sig, _exit_on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        if settings.redis.url is None:
            embedded = EmbeddedRedis(settings.redis.data_dir / "redis")
            embedded.start()
            redis = settings.redis.model_copy(update={"url": embedded.url})
            settings = settings.model_copy(update={"redis": redis})
            os.environ[RedisSettings.env_names("url")[0]] = (
                embedded.url
            )  # the workers read their settings anew
        if workers > 1:
            stop_wait_s = settings.server.shutdown_drain_s + settings.server.shutdown_grace_s + 5
            supervisor = Supervisor(
                create_app, host=host, port=port, workers=workers, stop_wait_s=stop_wait_s
            )
            return supervisor.run()
        serve(
            create_app(settings),
            host=host,
            port=port,
            grace_s=settings.server.shutdown_grace_s,
            drain_s=settings.server.shutdown_drain_s,
            limits=head_limits(settings),
        )
    finally:
        if embedded is not None:
            embedded.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def _exit_on_signal(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def cmd_worker(args: argparse.Namespace) -> int:
    from service.server.worker import WorkerConfigError
    from service.server.worker import main as run_worker

    settings = Settings()
    configure_logging(settings.server.log_level)
    _check_tenants(settings)
    try:
        run_worker(settings, concurrency=args.concurrency)
    except WorkerConfigError as exc:
        _fail(str(exc))
    return 0


async def _draft(thread: Thread, settings: Settings) -> DraftResult:
    from service.server.runtime import build_runtime

    runtime = build_runtime(settings)
    try:
        await runtime.start()
        return (await runtime.pipeline.draft(thread)).result
    finally:
        await runtime.close()


def cmd_draft(args: argparse.Namespace) -> int:
    settings = Settings()
    configure_logging("WARNING")
    _check_tenants(settings)
    result = asyncio.run(_draft(_load_thread(args.file), settings))
    if args.json:
        _emit(result.model_dump_json(indent=2))
    else:
        _emit(f"status: {result.status.value}   provider: {result.provider}   model: {result.model}")
        _emit(result.reply if result.reply is not None else f"(blocked)\n{result.rejected_draft}")
        _print_findings(result.guardrails)
    return 0 if result.reply is not None else 2


def _print_findings(report: GuardrailReport) -> None:
    for finding in report.findings:
        where = f" [{finding.start}:{finding.end}]" if finding.start is not None else ""
        _emit(f"  {finding.severity.value:5} {finding.rule}{where}: {finding.message}")


def _default_profile(settings: Settings) -> TenantProfile:
    from service.tenancy import TenantError, Tenants

    try:
        return Tenants.load(settings.tenants.dir).default
    except TenantError as exc:
        _fail(f"tenant profile: {exc}")


def cmd_check(args: argparse.Namespace) -> int:
    from service.guardrails import CheckContext, load_guardrails

    configure_logging("WARNING")
    settings = Settings()
    text = _read(args.file)
    if len(text) > settings.limits.max_check_chars:
        _fail(
            f"the text has {len(text)} characters; at most {settings.limits.max_check_chars} are checked "
            "(TACTFUL_MAX_CHECK_CHARS)"
        )
    thread = _load_thread(args.thread) if args.thread else None
    # No API key here: the default tenant's link hosts (its profile's, else the global setting).
    profile = _default_profile(settings)
    context = CheckContext(
        thread=thread, allowed_domains=profile.allowed_domains(settings.guard.allowed_link_domains)
    )
    report = load_guardrails(settings.guard.severities).check(text, context)
    if args.json:
        _emit(report.model_dump_json(indent=2))
    else:
        _emit(f"verdict: {report.verdict.value}   ruleset: {report.ruleset_version}")
        _print_findings(report)
    return EXIT_FOR_VERDICT[report.verdict]


def cmd_send_webhook(args: argparse.Namespace) -> int:
    import httpx

    from service.integrations.seeds import load_seed, seed_paths, send_seed

    settings = Settings()
    failures = sent = 0
    with httpx.Client(timeout=10.0) as client:
        for path in seed_paths([Path(p) for p in args.files]):
            try:
                seed = load_seed(path)
            except (OSError, ValueError, KeyError) as exc:
                _fail(f"cannot read a webhook seed from {path}: {type(exc).__name__}")
            integration = settings.integrations.by_source().get(seed.source)
            secret = integration.secret if integration is not None else None
            if integration is None or secret is None:
                variable = (
                    integration.env_names("secret")[0] if integration else f"a secret for {seed.source}"
                )
                _emit(f"{seed.name}: skipped ({variable} is not set)")
                continue
            try:
                response = send_seed(client, args.url, seed, secret.get_secret_value())
            except httpx.HTTPError as exc:
                _fail(f"cannot reach {args.url}: {type(exc).__name__}")
            _emit(f"{seed.name}: {response.status_code} {response.text.strip()[:200]}")
            sent += 1
            failures += response.status_code >= 300
    if not sent:
        # Every sample skipped: nothing was tested, which a script must not read as success.
        print("tactful: nothing sent: set the webhook secret of at least one source", file=sys.stderr)
        return 1
    return 1 if failures else 0


def cmd_eval(args: argparse.Namespace) -> int:
    import json

    from service.guardrails import load_guardrails
    from service.guardrails.evaluation import EvalError, as_json, evaluate, load_cases, render

    configure_logging("WARNING")
    directory = Path(args.dir)
    if not directory.is_dir() and not (directory.is_file() and directory.suffix in (".yaml", ".jsonl")):
        _fail(f"{directory} is not a directory, a .yaml or a .jsonl file")
    guardrails = load_guardrails(Settings().guard.severities)
    try:
        result = evaluate(guardrails, load_cases(directory))
    except EvalError as exc:
        _fail(str(exc))
    if args.json:
        _emit(json.dumps(as_json(result), indent=2))
    else:
        _emit(f"ruleset: {guardrails.version}   labelled set: {directory}")
        _emit(render(result, guardrails.rules, show_disagreements=not args.quiet))
    return 0


def cmd_eval_messages(args: argparse.Namespace) -> int:
    import json

    import yaml

    from service.language.evaluation import evaluate_messages, render_messages

    configure_logging("WARNING")
    directory = Path(args.dir)
    if not directory.is_dir():
        _fail(f"{directory} is not a directory")
    try:
        result = evaluate_messages(directory)
    except (yaml.YAMLError, KeyError, TypeError, AttributeError) as exc:
        _fail(f"{directory}: not a labelled message set ({type(exc).__name__})")
    if result.cases == 0:
        _fail(f"{directory}: no labelled messages (*.yaml with a `cases` list)")
    if args.json:
        _emit(json.dumps(result.summary(), indent=2))
    else:
        _emit(f"labelled messages: {directory}")
        _emit(render_messages(result, show_mistakes=args.mistakes))
    return 0


def cmd_feedback_export(args: argparse.Namespace) -> int:
    return asyncio.run(_export_feedback(args))


async def _export_feedback(args: argparse.Namespace) -> int:
    import json
    from datetime import UTC, datetime, time

    import redis.asyncio as aioredis

    from service.api.errors import ProblemError
    from service.api.feedback import parse_since
    from service.feedback.export import to_case
    from service.server.runtime import build_feedback

    configure_logging("WARNING")
    settings = Settings()
    if not settings.redis.url:
        _fail("feedback export reads Redis: set TACTFUL_REDIS_URL")
    if settings.feedback.key is None:
        _fail("feedback export needs TACTFUL_FEEDBACK_KEY: without it no text is kept, only figures")
    try:
        first = parse_since(args.since, datetime.now(UTC).date(), settings.feedback.retention_days)
    except ProblemError:
        _fail("--since must be a date (2026-12-01), a date-time (2026-12-01T08:00:00Z) or days back (7d)")
    client = aioredis.Redis.from_url(settings.redis.url)
    store = build_feedback(settings, client, None)
    assert store is not None
    written = skipped = 0
    try:
        # A one-shot command: nothing else runs on this loop, and streaming keeps memory flat.
        with Path(args.out).open("w", encoding="utf-8") as out:  # noqa: ASYNC230
            async for row in store.export(datetime.combine(first, time(), UTC).timestamp()):
                case = to_case(row)
                if case is None:
                    skipped += 1
                    continue
                out.write(json.dumps(case, ensure_ascii=False) + "\n")
                written += 1
    except OSError as exc:
        _fail(f"cannot write {args.out}: {exc.strerror or type(exc).__name__}")
    finally:
        await client.aclose()
    note = f" ({skipped} without a kept text left out)" if skipped else ""
    print(
        f"tactful: {written} feedback case(s) since {first.isoformat()} written to {args.out}{note}",
        file=sys.stderr,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="tactful", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the HTTP API (starts a local Redis when none is set)")
    serve.add_argument("--host", help="bind address (default TACTFUL_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default TACTFUL_PORT or 8000)")
    serve.add_argument(
        "--workers", type=int, help="API processes on the port (default TACTFUL_API_WORKERS or one per core)"
    )
    serve.set_defaults(handler=cmd_serve)

    worker = commands.add_parser("worker", help="run webhook jobs from Redis (needs TACTFUL_REDIS_URL)")
    worker.add_argument(
        "--concurrency", type=int, help="jobs run at once (default TACTFUL_WORKER_CONCURRENCY or 20)"
    )
    worker.set_defaults(handler=cmd_worker)

    send = commands.add_parser(
        "send-webhook",
        help="sign and send sample helpdesk deliveries (seeds/webhooks) to a running Tactful; "
        "exit 1 when one is refused or none could be sent",
    )
    send.add_argument("files", nargs="*", help="seed files or folders (default seeds/webhooks)")
    send.add_argument("--url", default="http://127.0.0.1:8000", help="Tactful's base URL")
    send.set_defaults(handler=cmd_send_webhook)

    draft = commands.add_parser(
        "draft", help="draft a reply to a thread JSON file (- for stdin); exit 0 drafted, 2 blocked"
    )
    draft.add_argument("file")
    draft.add_argument("--json", action="store_true", help="print the whole DraftResult as JSON")
    draft.set_defaults(handler=cmd_draft)

    check = commands.add_parser("check", help="check a reply; exit 0 pass, 1 warn, 2 block")
    check.add_argument("file", help="the reply text file (- for stdin)")
    check.add_argument("--thread", help="the thread JSON the reply answers")
    check.add_argument("--json", action="store_true", help="print the GuardrailReport as JSON")
    check.set_defaults(handler=cmd_check)

    evaluate = commands.add_parser(
        "eval", help="guardrail precision, recall and F1 per rule on labelled replies"
    )
    evaluate.add_argument(
        "dir",
        nargs="?",
        default=str(DEFAULT_EVAL_DIR),
        help="folder of labelled YAML or JSON Lines, or one such file (default seeds/replies)",
    )
    evaluate.add_argument("--json", action="store_true", help="print the figures as JSON")
    evaluate.add_argument("--quiet", action="store_true", help="leave out the list of disagreements")
    evaluate.set_defaults(handler=cmd_eval)

    messages = commands.add_parser(
        "eval-messages",
        help="thread understanding on labelled customer messages: F1 per feeling and language, "
        "register and variant accuracy, request and fact hit rates",
    )
    messages.add_argument(
        "dir",
        nargs="?",
        default=str(DEFAULT_MESSAGES_DIR),
        help="folder of labelled YAML (default seeds/messages/dev)",
    )
    messages.add_argument("--json", action="store_true", help="print the figures as JSON")
    messages.add_argument("--mistakes", action="store_true", help="list the cases read differently")
    messages.set_defaults(handler=cmd_eval_messages)

    feedback = commands.add_parser("feedback", help="the agents' feedback on drafts (see docs/feedback.md)")
    feedback_commands = feedback.add_subparsers(dest="feedback_command", required=True)
    export = feedback_commands.add_parser(
        "export",
        help="write feedback as labelled-reply cases (JSON Lines, redacted) that `tactful eval` reads",
    )
    export.add_argument("--since", help="a date, a date-time or days back like 7d (default: all kept)")
    export.add_argument("--out", required=True, help="the JSON Lines file to write")
    export.set_defaults(handler=cmd_feedback_export)
    return parser


def settings_problem(exc: ValidationError) -> str:
    """What is wrong with the settings, by variable name and never by value."""
    lines = []
    for error in exc.errors(include_input=False, include_url=False):
        message = error["msg"].removeprefix("Value error, ")
        variable = variable_for(Settings, error["loc"])
        if variable is not None:  # a whole section's check (a weak secret) names its variable itself
            message = f"{variable}: {message}"
        lines.append(message)
    return "; ".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except ValidationError as exc:
        if exc.title != Settings.__name__:
            raise
        print(f"tactful: invalid settings: {settings_problem(exc)}", file=sys.stderr)
        return EXIT_CONFIG
    return code


if __name__ == "__main__":
    raise SystemExit(main())
