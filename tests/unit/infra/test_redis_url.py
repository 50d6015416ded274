"""Sentinel URLs: what they name, and clear errors (without the password) when malformed."""

from __future__ import annotations

import pytest

from service.infra.redis_conn import RedisURLError, SentinelTarget, parse_sentinel_url


def test_a_plain_url_is_not_a_sentinel_url() -> None:
    assert parse_sentinel_url("redis://127.0.0.1:6379/0") is None


def test_sentinels_service_db_and_password() -> None:
    target = parse_sentinel_url("redis+sentinel://:s3cret@10.0.0.1:26379,[::1]:26380/tactful/2")
    assert target == SentinelTarget((("10.0.0.1", 26379), ("::1", 26380)), "tactful", 2, "s3cret")


def test_db_defaults_to_zero() -> None:
    target = parse_sentinel_url("redis+sentinel://sentinel:26379/tactful")
    assert target is not None
    assert (target.db, target.password) == (0, None)


@pytest.mark.parametrize(
    "url",
    [
        "redis+sentinel://:pw@sentinel/tactful",  # no port
        "redis+sentinel://sentinel:26379/",  # no service
        "redis+sentinel://sentinel:26379/tactful/db",  # db not a number
        "redis+sentinel:///tactful",  # no sentinel
    ],
)
def test_malformed_urls_say_what_is_expected_and_not_the_password(url: str) -> None:
    with pytest.raises(RedisURLError) as raised:
        parse_sentinel_url(url)
    assert "pw" not in str(raised.value)
