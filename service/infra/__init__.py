"""Infrastructure shared by every domain: Redis connections, rate limits, metrics, logs, limits."""
