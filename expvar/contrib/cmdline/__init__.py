"""Publish ``cmdline``: the interpreter and its arguments, with secrets redacted."""

from __future__ import annotations
