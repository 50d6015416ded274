"""``tactful serve --workers N``: N API processes sharing one listening socket.

The parent binds the socket once (so every worker accepts on the same port, and the kernel spreads
connections among them), starts the embedded Redis once (cli.py, before this runs), and spawns the
workers. Each worker builds its own app from the same settings and serves with the drain period
of :mod:`service.server.serving`, so readiness, draining and graceful shutdown behave per process
as with one. Nothing a request needs lives in a worker: cache, single-flight, breaker and rate
limits are in Redis, so any worker answers any request.

Metrics are the one exception: each worker counts what it serves, so the parent gives the run a
fresh directory for prometheus_client's multiprocess files (service/infra/metrics.py) before the
first worker starts, marks a worker that died so its live gauges go, and removes the directory
at the end; /metrics, whichever worker answers, reports the sum over the workers.

The parent forwards SIGTERM/SIGINT to every worker and waits for them to finish draining; a
worker that dies on its own is started again (at most ``MAX_RESTARTS_PER_MINUTE``, so a worker
that cannot start does not spin).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import socket
import time
from collections.abc import Callable
from multiprocessing.connection import wait
from multiprocessing.context import SpawnProcess
from types import FrameType
from typing import TYPE_CHECKING

import structlog
from litestar import Litestar

from service.infra.metrics import process_ended, shared_across_processes
from service.server.embedded_redis import die_with_parent

if TYPE_CHECKING:
    from service.config import Settings

log = structlog.get_logger("tactful.serve")

AppFactory = Callable[["Settings"], "Litestar"]

MAX_RESTARTS_PER_MINUTE = 5


def default_workers() -> int:
    """One API process per core the process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def bind_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _worker_main(
    app_factory: AppFactory, sock: socket.socket, host: str, port: int
) -> None:  # pragma: no cover - runs in the child
    # Signals come from the parent only: a terminal's Ctrl-C or an init that signals the whole
    # group would otherwise reach a worker twice, and a second signal cuts its drain short.
    os.setpgid(0, 0)
    die_with_parent()
    from service.config import Settings
    from service.infra.logs import configure_logging
    from service.server.serving import head_limits, serve

    settings = Settings()
    configure_logging(settings.server.log_level)
    serve(
        app_factory(settings),
        host=host,
        port=port,
        grace_s=settings.server.shutdown_grace_s,
        drain_s=settings.server.shutdown_drain_s,
        sockets=[sock],
        limits=head_limits(settings),
    )


class Supervisor:
    def __init__(
        self, app_factory: AppFactory, *, host: str, port: int, workers: int, stop_wait_s: float
    ) -> None:
        # A module-level function (create_app): the spawn context pickles it by reference.
        self.app_factory = app_factory
        self.host, self.port, self.workers = host, port, workers
        self.stop_wait_s = stop_wait_s
        self._context = multiprocessing.get_context("spawn")
        self._stopping = False
        self._restarts: list[float] = []

    def _spawn(self, sock: socket.socket) -> SpawnProcess:
        process = self._context.Process(
            target=_worker_main,
            args=(self.app_factory, sock, self.host, self.port),
            name="tactful-api",
            daemon=False,
        )
        process.start()
        return process

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self._stopping = True

    def run(self) -> int:
        previous: dict[int, Callable[[int, FrameType | None], object] | int | None] = {
            sig: signal.signal(sig, self._stop) for sig in (signal.SIGTERM, signal.SIGINT)
        }
        sock = bind_socket(self.host, self.port)
        try:
            # Entered before the first spawn: a worker picks multiprocess mode when it imports the library.
            with shared_across_processes() as metrics_dir:
                self._supervise(sock, metrics_dir)
        finally:
            sock.close()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return 0

    def _supervise(self, sock: socket.socket, metrics_dir: str) -> None:
        processes = [self._spawn(sock) for _ in range(self.workers)]
        log.info("serve.workers_started", workers=self.workers, port=self.port)
        try:
            while not self._stopping:
                wait([process.sentinel for process in processes], timeout=0.5)
                for index, process in enumerate(processes):
                    if process.is_alive() or self._stopping:
                        continue
                    if process.pid is not None:
                        process_ended(metrics_dir, process.pid)
                    if not self._may_restart():
                        log.error("serve.worker_crash_loop", exitcode=process.exitcode)
                        self._stopping = True
                        break
                    log.warning("serve.worker_restarted", exitcode=process.exitcode)
                    processes[index] = self._spawn(sock)
        finally:
            self._shutdown(processes)

    def _may_restart(self) -> bool:
        now = time.monotonic()
        self._restarts = [at for at in self._restarts if now - at < 60] + [now]
        return len(self._restarts) <= MAX_RESTARTS_PER_MINUTE

    def _shutdown(self, processes: list[SpawnProcess]) -> None:
        for process in processes:
            if process.is_alive() and process.pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(process.pid, signal.SIGTERM)  # each drains, then stops gracefully
        deadline = time.monotonic() + self.stop_wait_s
        for process in processes:
            process.join(timeout=max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join(timeout=5)
        log.info("serve.workers_stopped")
