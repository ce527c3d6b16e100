"""Publish ``resource``: this process's getrusage(RUSAGE_SELF) figures (not on Windows)."""
