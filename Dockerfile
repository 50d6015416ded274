# Tactful: one image for the API (`tactful serve`) and the worker (`tactful worker`).
# Build: docker build -t tactful .    Run: docker compose up (see docker-compose.yml)

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build: a virtualenv with Tactful and its dependencies, no compilers left behind -----------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# Dependencies first, so that a code change does not reinstall them.
COPY pyproject.toml setup.py README.md LICENSE ./
COPY service ./service
COPY prompts ./prompts
# dumb-init (PID 1: forwards SIGTERM to the app, reaps zombies) ships as a static binary in a wheel.
RUN pip install . "dumb-init==1.2.5.post1"

# --- runtime: slim Python, the virtualenv, the prompts; runs as an unprivileged user -----------
FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    TACTFUL_HOST=0.0.0.0 \
    TACTFUL_PORT=8000 \
    TACTFUL_SAMPLES_DIR=/app/seeds/threads \
    TACTFUL_DATA_DIR=/data
RUN groupadd --system --gid 10001 tactful \
    && useradd --system --uid 10001 --gid tactful --home-dir /app --no-create-home tactful \
    && mkdir -p /app /data \
    && chown tactful:tactful /data
COPY --from=build /opt/venv /opt/venv
# The web page, the prompt templates, the guardrail lexicons and the language tables are package
# data inside the virtualenv; the agent page's sample threads are data files of the repository.
COPY seeds/threads /app/seeds/threads
WORKDIR /app
USER 10001:10001
EXPOSE 8000
VOLUME ["/data"]
# Liveness of the API; the worker overrides it in docker-compose.yml (it serves no HTTP).
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-m", "service.server.healthcheck"]
ENTRYPOINT ["dumb-init", "--"]
CMD ["tactful", "serve"]
