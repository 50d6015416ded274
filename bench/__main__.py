"""``python -m bench`` (``make bench``): every benchmark scenario in one run, figures vs targets.

Starts its own Redis, the mock LLM and ``tactful serve`` (one worker) as separate processes on
loopback, runs the scenarios of :mod:`bench.scenarios` from one event loop, prints a Markdown table
and writes ``bench/results/latest.md`` and ``latest.json``.

Exit status: 0 when the run completed (missed targets included, unless ``--strict``), 1 when
``--strict`` and a target was missed, 2 on errors (a process would not start, a scenario broke).
"""

from __future__ import annotations

import argparse
import dataclasses
import shlex
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench.mock_llm import run_event_loop
from bench.procs import BenchSetupError, start_api, start_mock
from bench.report import RESULTS_DIR, Report, write
from bench.scenarios import Bench, Sizes, run_all
from bench.threads import ThreadFactory, load_threads
from service.server.embedded_redis import EmbeddedRedis, EmbeddedRedisError

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
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR, help="where latest.md/json go")
    args = parser.parse_args(argv)
    if args.capacity < 1:
        parser.error("--capacity must be at least 1")
    return args


def run(args: argparse.Namespace, report: Report) -> None:
    sizes = Sizes.quick(args.capacity) if args.quick else Sizes(capacity=args.capacity)
    with tempfile.TemporaryDirectory(prefix="tactful-bench-") as scratch_name:
        scratch = Path(scratch_name)
        with EmbeddedRedis(scratch / "redis", appendonly=False) as redis_server:
            mock, mock_origin = start_mock(scratch)
            with mock:
                api, api_origin = start_api(scratch, redis_url=redis_server.url, llm_origin=mock_origin)
                with api:
                    bench = Bench(
                        api=api_origin,
                        mock=mock_origin,
                        threads=ThreadFactory(load_threads()),
                        sizes=sizes,
                        client=args.client,
                        api_pid=api.process.pid,
                        api_log=api.log,
                        redis_url=redis_server.url,
                        scratch=scratch,
                    )
                    report.details["setup"] = {
                        "sizes": dataclasses.asdict(sizes),
                        "threads_run_id": bench.threads.run_id,
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
        }
    )
    try:
        run(args, report)
    except (BenchSetupError, EmbeddedRedisError, OSError) as exc:
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
