"""Container health checks in Python: slim images have no curl.

``python -m service.server.healthcheck`` asks the API's ``/health/live`` on this host (liveness, not
readiness: a Redis outage must not get the API container restarted, drafts still flow).
``python -m service.server.healthcheck --redis`` pings ``TACTFUL_REDIS_URL``, for the worker, which
serves no HTTP and is useless without Redis. Exit 0 healthy, 1 not.
"""

from __future__ import annotations

import argparse
import os
import sys
import urllib.request
from collections.abc import Sequence

TIMEOUT_S = 2.0


def check_http(port: int) -> bool:
    url = f"http://127.0.0.1:{port}/health/live"
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
            return int(response.status) == 200
    except OSError:
        return False


def check_redis(url: str) -> bool:
    import redis

    from service.infra.redis_conn import connect_redis_sync

    client = connect_redis_sync(url, timeout_s=TIMEOUT_S)
    try:
        return bool(client.ping())
    except (redis.RedisError, OSError):
        return False
    finally:
        client.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m service.server.healthcheck", description=__doc__)
    parser.add_argument("--redis", action="store_true", help="ping TACTFUL_REDIS_URL instead of the API")
    args = parser.parse_args(argv)
    if args.redis:
        url = os.environ.get("TACTFUL_REDIS_URL")
        return 0 if url and check_redis(url) else 1
    return 0 if check_http(int(os.environ.get("TACTFUL_PORT", "8000"))) else 1


if __name__ == "__main__":
    sys.exit(main())
