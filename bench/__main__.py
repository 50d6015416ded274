"""``python -m bench`` (``make bench``): every benchmark scenario in one run, figures vs targets.

Starts its own Redis, the mock LLM, ``tactful serve --workers N`` and the stack floor with the same
N workers (and with ``--baseline REF`` that commit's ``tactful serve`` as well) as separate
processes on loopback, runs the scenarios of :mod:`bench.scenarios` from one event loop, prints
Markdown tables (Tactful against the floor, then every other figure) and writes
``bench/results/latest.md`` and ``latest.json``.

Exit status: 0 when the run completed (missed targets included, unless ``--strict``), 1 when
``--strict`` and a target was missed, 2 on errors (a process would not start, a scenario broke).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import shlex
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench.baseline import BaselineError, export
from bench.mock_llm import run_event_loop
from bench.procs import BenchSetupError, capture_llm_request, start_api, start_floor, start_mock
from bench.report import RESULTS_DIR, Report, write
from bench.scenarios import SCENARIOS, run_all
from bench.stacks import BASELINE, FLOOR, TACTFUL, Bench, Sizes, Stack
from bench.threads import ThreadFactory, load_threads
from service.server.embedded_redis import EmbeddedRedis, EmbeddedRedisError
from service.server.workers import default_workers

EXIT_MISSED = 1
EXIT_ERROR = 2


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller samples: a smoke test, not figures")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--client",
        choices=["raw", "httpx"],
        default="raw",
        help="load driver HTTP client (default raw: a minimal HTTP/1.1 client, see bench/http1.py)",
    )
    parser.add_argument(
        "--capacity", type=int, default=1000, help="concurrent drafts of the capacity scenario"
    )
    parser.add_argument(
        "--only", help="comma-separated scenario names to run (e.g. webhook_accept,webhook_durability)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="API processes of the service and the floor alike (default: one per core, as `tactful serve`)",
    )
    parser.add_argument(
        "--baseline",
        metavar="REF",
        help="also serve commit REF (git archive into the scratch directory) and measure it in the same run",
    )
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR, help="where latest.md/json go")
    args = parser.parse_args(argv)
    if args.capacity < 1:
        parser.error("--capacity must be at least 1")
    if args.workers < 0:
        parser.error("--workers must be at least 1 (0: one per core)")
    if args.only:
        known = {scenario.__name__ for scenario in SCENARIOS}
        unknown = {name.strip() for name in args.only.split(",")} - known
        if unknown:
            parser.error(
                f"--only: no scenario {', '.join(sorted(unknown))} (known: {', '.join(sorted(known))})"
            )
    return args


def sizes_for(args: argparse.Namespace, workers: int) -> Sizes:
    sizes = Sizes.quick(args.capacity) if args.quick else Sizes(capacity=args.capacity)
    # The loaded closed loop keeps every worker busy: 10 clients (the c=10 the latencies were
    # always reported at) on up to two cores, five per worker beyond.
    return dataclasses.replace(sizes, concurrency=max(sizes.concurrency, 5 * workers))


def redis_database(url: str, number: int) -> str:
    """The same server, another database: the baseline's cache and queue stay apart from this checkout's."""
    return f"{url.rsplit('/', 1)[0]}/{number}"


def run(args: argparse.Namespace, report: Report) -> None:
    workers = args.workers or default_workers()
    sizes = sizes_for(args, workers)
    threads = ThreadFactory(load_threads())
    with (
        tempfile.TemporaryDirectory(prefix="tactful-bench-") as scratch_name,
        contextlib.ExitStack() as running,
    ):
        scratch = Path(scratch_name)
        redis_server = running.enter_context(EmbeddedRedis(scratch / "redis", appendonly=False))
        mock, mock_origin = start_mock(scratch)
        running.enter_context(mock)
        api, api_origin = start_api(
            scratch, redis_url=redis_server.url, llm_origin=mock_origin, workers=workers
        )
        running.enter_context(api)
        tactful = Stack(TACTFUL, api_origin, api.process.pid, api.log, redis_server.url)
        baseline = None
        if args.baseline:
            source = scratch / "baseline-src"
            report.options["baseline_commit"] = export(args.baseline, source)
            baseline_url = redis_database(redis_server.url, 1)
            base, base_origin = start_api(
                scratch,
                redis_url=baseline_url,
                llm_origin=mock_origin,
                workers=workers,
                source=source,
                name=BASELINE,
            )
            running.enter_context(base)
            baseline = Stack(BASELINE, base_origin, base.process.pid, base.log, baseline_url)
        llm_request = capture_llm_request(api_origin, mock_origin, threads.unique_json("capture", 0))
        # The floor's webhook route queues in the same Redis server as the service, its own database.
        floor_url = redis_database(redis_server.url, 2)
        floor, floor_origin = start_floor(
            scratch, llm_origin=mock_origin, llm_request=llm_request, workers=workers, redis_url=floor_url
        )
        running.enter_context(floor)
        bench = Bench(
            tactful=tactful,
            mock=mock_origin,
            threads=threads,
            sizes=sizes,
            client=args.client,
            floor=Stack(FLOOR, floor_origin, floor.process.pid, floor.log, floor_url),
            baseline=baseline,
            workers=workers,
            scratch=scratch,
        )
        report.details["setup"] = {
            "sizes": dataclasses.asdict(sizes),
            "threads_run_id": threads.run_id,
            "workers": workers,
        }
        only = {name.strip() for name in args.only.split(",")} if args.only else None
        run_event_loop(run_all(bench, report, only=only))


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    report = Report(
        options={
            "command": shlex.join(["python", "-m", "bench", *(argv if argv is not None else sys.argv[1:])]),
            "quick": args.quick,
            "strict": args.strict,
            "client": args.client,
            "workers": args.workers or default_workers(),
            "baseline": args.baseline,
        }
    )
    try:
        run(args, report)
    except (BenchSetupError, BaselineError, EmbeddedRedisError, OSError) as exc:
        report.errors.append(f"setup: {exc}")
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    markdown, md_path, json_path = write(report, args.results_dir)
    print(markdown)
    print(f"written: {md_path} and {json_path}")
    if report.errors:
        return EXIT_ERROR
    if args.strict and report.missed_targets:
        return EXIT_MISSED
    return 0


if __name__ == "__main__":
    sys.exit(main())
