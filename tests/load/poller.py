"""HTTP clients for the load tests: strict JSON, bounded polls, many clients at once."""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

# Loopback only: nothing in this suite talks to another host.
LOOPBACK = "http://127.0.0.1:"


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"not strict JSON: {name}")


def _finite_float(text: str) -> float:
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise ValueError(f"number out of a double's range: {text[:40]}")
    return number


def _double_int(text: str) -> int:
    # Go's decoder (and every monitor built on it) reads numbers as float64: beyond its range a
    # number breaks the whole document for them, so it is not published safely.
    number = int(text)
    _finite_float(text)
    return number


def strict_loads(body: bytes | str) -> Any:
    """Parse RFC 8259 JSON: no NaN or Infinity, every number within a double's range."""
    return json.loads(
        body, parse_constant=_refuse_constant, parse_float=_finite_float, parse_int=_double_int
    )


@dataclass
class Answer:
    """One HTTP exchange: status (None when no answer came), body, seconds, error."""

    status: int | None
    body: bytes
    seconds: float
    error: str = ""
    finished: float = 0.0  # time.monotonic() when the answer was in
    headers: dict[str, str] = field(default_factory=dict)


def fetch(url: str, timeout: float, headers: dict[str, str] | None = None) -> Answer:
    assert url.startswith(LOOPBACK), url
    request = urllib.request.Request(url, headers=headers or {})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
            status, answer_headers = response.status, dict(response.headers)
    except urllib.error.HTTPError as exc:
        body = exc.read()
        status, answer_headers = exc.code, dict(exc.headers)
    except (OSError, ValueError, http.client.HTTPException) as exc:  # refused, reset, cut off
        now = time.monotonic()
        return Answer(None, b"", now - started, f"{type(exc).__name__}: {exc}", now)
    now = time.monotonic()
    return Answer(status, body, now - started, finished=now, headers=answer_headers)


def fetch_json(url: str, timeout: float = 10.0) -> Any:
    answer = fetch(url, timeout)
    if answer.status != 200:
        raise OSError(f"{url}: {answer.status} {answer.error or answer.body[:200]!r}")
    return strict_loads(answer.body)


def run_clients(
    task: Callable[[int], Answer], count: int, clients: int, seconds: float
) -> list[Answer]:
    """Run ``task(i)`` for i < count on ``clients`` threads, starting none after ``seconds``."""
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    answers: list[Answer] = []
    issued = iter(range(count))

    def client() -> None:
        while time.monotonic() < deadline:
            with lock:
                number = next(issued, None)
            if number is None:
                return
            answer = task(number)
            with lock:
                answers.append(answer)

    with ThreadPoolExecutor(max_workers=clients) as pool:
        for future in [pool.submit(client) for _ in range(clients)]:
            future.result()
    return answers


def describe_failures(answers: list[Answer], problems: list[str], log: str = "") -> str:
    """A failure message: how many answers were wrong and how, with the first few in full."""
    statuses: dict[str, int] = {}
    for answer in answers:
        key = str(answer.status) if answer.status is not None else answer.error.split(":")[0]
        statuses[key] = statuses.get(key, 0) + 1
    lines = [f"{len(problems)} of {len(answers)} answers wrong; statuses {statuses}"]
    lines += problems[:5]
    if log:
        lines += ["server log (end):", log]
    return "\n".join(lines)


def poll_problem(
    answer: Answer, present: dict[str, Any] | set[str], absent: Collection[str] = ()
) -> str:
    """What is wrong with one /debug/vars answer, or "" when nothing is.

    ``present``: names every answer must hold (with these values, when a dict); ``absent``:
    names it must leave out.
    """
    if answer.status != 200:
        return f"status {answer.status} {answer.error}: {answer.body[:300]!r}"
    try:
        body = strict_loads(answer.body)
    except ValueError as exc:
        return f"not strict JSON ({exc}): {answer.body[:300]!r}"
    missing = sorted(set(present) - set(body))
    if missing:
        return f"{len(missing)} variables missing, e.g. {missing[:5]}"
    if isinstance(present, dict):
        wrong = [name for name, value in present.items() if body[name] != value]
        if wrong:
            return f"wrong values for {wrong[:5]}"
    published = sorted(set(absent) & set(body))
    if published:
        return f"published what must be left out: {published}"
    return ""


class Load:
    """Threads that run ``task()`` over and over until stopped, each bounded in count and time.

    ``pause()`` holds them between two requests and returns once none is in flight.
    """

    def __init__(self, task: Callable[[], Answer], clients: int, most: int, seconds: float):
        self.task = task
        self.most = most
        self.deadline = time.monotonic() + seconds
        self.answers: list[Answer] = []
        self._lock = threading.Lock()
        self._go = threading.Event()
        self._stop = threading.Event()
        self._in_flight = 0
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(clients)]

    def start(self) -> Load:
        self._go.set()
        for thread in self._threads:
            thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set() and time.monotonic() < self.deadline:
            with self._lock:
                if len(self.answers) + self._in_flight >= self.most:
                    return
                going = self._go.is_set()
                self._in_flight += going
            if not going:
                self._go.wait(0.05)
                continue
            answer = self.task()
            with self._lock:
                self._in_flight -= 1
                self.answers.append(answer)

    def pause(self, seconds: float = 10.0) -> list[Answer]:
        """Hold every thread; return the answers so far, once no request is in flight."""
        self._go.clear()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self._lock:
                if not self._in_flight:
                    return list(self.answers)
            time.sleep(0.01)
        raise TimeoutError("requests still in flight")

    def resume(self) -> None:
        self._go.set()

    def stop(self) -> list[Answer]:
        """Stop every thread after its request in flight; return the answers."""
        self._stop.set()
        return self.join()

    def join(self) -> list[Answer]:
        """Wait for the threads to run out of count or time; return the answers."""
        for thread in self._threads:
            thread.join(30)
        return list(self.answers)
