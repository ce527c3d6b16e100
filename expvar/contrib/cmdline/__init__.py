"""Publish ``cmdline``: the interpreter and its arguments, with secrets redacted."""
