"""LLM access: the client protocol (base), the OpenAI-compatible client, retries and the breaker.

Import from the submodules: this package loads nothing, so code that needs only the exception
classes (the API's error map) does not pull in the SDK.
"""
