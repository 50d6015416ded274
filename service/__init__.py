"""Tactful: empathetic, guardrail-checked reply drafts for helpdesk tickets."""

__version__ = "0.1.0"
