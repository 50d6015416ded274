"""The process: composition root (runtime), serving, health checks and the embedded Redis."""
