"""Load and latency benchmarks: a mock OpenAI-compatible server on loopback and a load driver.

Run everything with ``python -m bench`` (``make bench``); see :mod:`bench.__main__`.
"""
