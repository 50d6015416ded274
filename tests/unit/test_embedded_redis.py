from __future__ import annotations

import redis

from service.server.embedded_redis import EmbeddedRedis


def test_server_answers_on_its_own_port(redis_server: EmbeddedRedis) -> None:
    assert redis_server.port != 6379
    client = redis.Redis.from_url(redis_server.url)
    assert client.ping()
    client.close()
