"""``/debug/metrics`` against django-prometheus and prometheus_client's multiprocess mode.

django-prometheus 2.5.0 requires Django < 6.1, so it is not among the project's extras; ``make
bench`` installs it into ``.venv-django52`` (Django 5.2 LTS), and ``run()`` measures all three
sides there, in one child process with one Django, so every row compares like with like. Our
side uses the shared store (Redis at ``EXPVAR_BENCH_REDIS_URL``, as ``benchmarks.push``);
"workers" are processes forked from the child, each counting and exiting as a gunicorn worker
does. Run it alone with ``.venv-django52/bin/python -m benchmarks.prometheus``.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict
from pathlib import Path
from typing import Any

from benchmarks.timing import Timing, measure

REPO = Path(__file__).resolve().parent.parent
LTS_PYTHON = REPO / ".venv-django52" / "bin" / "python"
SIZES = (10, 100, 1000)
RESTART_SERIES = 100
RESTARTS = 20
WORKERS = 4
BUMPS = 4000
CHILD_TIMEOUT_S = 900

urlpatterns: list[Any] = []


def run() -> list[Timing]:
    """Measure every side in one Django 5.2 process with django-prometheus installed."""
    if not LTS_PYTHON.exists():
        raise RuntimeError(f"{LTS_PYTHON} is missing; `make bench` creates it")
    child = subprocess.run(
        [str(LTS_PYTHON), "-m", "benchmarks.prometheus"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_S,
        env={key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"},
    )
    sys.stderr.write(child.stderr)
    if child.returncode != 0:
        raise RuntimeError(f"the Django 5.2 run failed: {child.stderr.strip().splitlines()[-1:]}")
    return [Timing(**fields) for fields in json.loads(child.stdout.splitlines()[-1])]


def configure() -> None:
    import django
    from django.conf import settings

    if settings.configured:
        return
    settings.configure(
        SECRET_KEY="django-expvar-benchmarks",
        ALLOWED_HOSTS=["testserver"],
        INSTALLED_APPS=["django.contrib.contenttypes", "expvar", "django_prometheus"],
        ROOT_URLCONF=__name__,
        DATABASES={},
        EXPVAR_ADMIN=False,
        USE_TZ=True,
    )
    django.setup(set_prefix=False)


def _say(message: str) -> None:
    print(f"bench:   {message}", file=sys.stderr, flush=True)


def _series(body: bytes) -> int:
    return sum(1 for line in body.splitlines() if line and not line.startswith(b"#"))


@contextmanager
def _shared_store() -> Iterator[bool]:
    from benchmarks.push import redis_available, shared_store

    if not redis_available():
        _say("no Redis: our side runs on the local store")
        yield False
        return
    with shared_store(FLUSH_INTERVAL=3600):
        yield True


@contextmanager
def _local_store() -> Iterator[None]:
    from django.test.utils import override_settings

    from expvar.push.stores import reset

    with override_settings(EXPVAR_STORE="local"):
        yield
        reset()


def _ours(count: int, prefix: str, **options: Any) -> Callable[[], bytes]:
    """Publish ``count`` push variables and return a call that scrapes ``/debug/metrics``."""
    from django.test import RequestFactory

    import expvar
    from expvar.prometheus.views import MetricsView

    for number in range(count):
        expvar.Int(f"{prefix}_{number}", **options).add(number)
    view = MetricsView.as_view()
    request = RequestFactory().get("/debug/metrics", REMOTE_ADDR="127.0.0.1")
    return lambda: bytes(view(request).content)


def _forget_ours() -> None:
    from expvar.registry import get_registry

    get_registry().unpublish(get_registry().pushed)


def _django_prometheus(count: int) -> tuple[Callable[[], bytes], Callable[[], None]]:
    """Fill prometheus_client's default registry up to ``count`` series behind django-prometheus'
    ``/metrics`` view; return the scrape and a call that removes what was added."""
    import prometheus_client
    from django.test import RequestFactory
    from django_prometheus.exports import ExportToDjangoView

    registry = prometheus_client.REGISTRY
    for collector in (
        prometheus_client.PROCESS_COLLECTOR,
        prometheus_client.PLATFORM_COLLECTOR,
        prometheus_client.GC_COLLECTOR,
    ):
        with suppress(KeyError):  # already gone
            registry.unregister(collector)
    request = RequestFactory().get("/metrics")
    base = _series(ExportToDjangoView(request).content)
    gauges = []
    for number in range(count - base):
        gauge = prometheus_client.Gauge(f"bench_gauge_{count}_{number}", "A benchmark gauge.")
        gauge.set(number)
        gauges.append(gauge)

    def remove() -> None:
        for gauge in gauges:
            registry.unregister(gauge)

    return lambda: bytes(ExportToDjangoView(request).content), remove


def _multiprocess_worker(directory: str, count: int, bumps: int) -> None:
    """Count as a worker in multiprocess mode: ``bumps`` on the first counter, 1 on the rest."""
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
    import prometheus_client
    from prometheus_client import values

    # The value class is chosen when prometheus_client is imported, before this fork.
    values.ValueClass = values.get_value_class()

    registry = prometheus_client.CollectorRegistry()
    counters = [
        prometheus_client.Counter(f"bench_counter_{n}", "A benchmark counter.", registry=registry)
        for n in range(count)
    ]
    for _ in range(bumps):
        counters[0].inc()
    for counter in counters[1:]:
        counter.inc()
    # Left as a killed or restarted gunicorn worker leaves it: its file stays.


def _multiprocess_scrape(directory: str) -> Callable[[], bytes]:
    import prometheus_client
    from prometheus_client import multiprocess

    def scrape() -> bytes:
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=directory)
        return bytes(prometheus_client.generate_latest(registry))

    return scrape


def _forked(target: Callable[..., None], *args: Any) -> None:
    """Run ``target`` in a forked process, as a gunicorn worker that serves and then exits."""
    process = multiprocessing.get_context("fork").Process(target=target, args=args)
    process.start()
    process.join(120)
    if process.exitcode != 0:
        raise RuntimeError(f"a forked worker ended with {process.exitcode}")


def _expvar_worker(prefix: str, count: int, bumps: int) -> None:
    """Count as a worker on our store: ``bumps`` on the first counter, 1 on the rest."""
    import expvar
    from expvar.registry import get_registry

    counters = [expvar.Int(f"{prefix}_{n}", prometheus="counter") for n in range(count)]
    get_registry().unpublish(counters)  # already published by the parent under these names
    for _ in range(bumps):
        counters[0].add(1)
    for counter in counters[1:]:
        counter.add(1)
    # The buffer is written at the fork child's exit (multiprocessing's exit hook).


def _exposition(shared: bool) -> list[Timing]:
    from importlib.metadata import version

    timings = []
    where = "shared Redis store" if shared else "local store"
    for size in SIZES:
        if shared:
            with _local_store():
                local = _ours(size, f"bench_local_{size}")
                label = f"expvar /debug/metrics, {_series(local()):,} series (local store)"
                timings.append(measure(label, local))
                _forget_ours()
        ours = _ours(size, f"bench_series_{size}")
        theirs, remove = _django_prometheus(size)
        counts = (_series(ours()), _series(theirs()))
        timings.append(measure(f"expvar /debug/metrics, {counts[0]:,} series ({where})", ours))
        timings.append(
            measure(
                f"django-prometheus {version('django-prometheus')} /metrics, {counts[1]:,} series "
                f"(Django {version('django')}, in .venv-django52 like every row here)",
                theirs,
            )
        )
        with tempfile.TemporaryDirectory() as directory:
            for _ in range(WORKERS):
                _forked(_multiprocess_worker, directory, size, 1)
            scrape = _multiprocess_scrape(directory)
            timings.append(
                measure(
                    f"prometheus_client multiprocess, {_series(scrape()):,} series "
                    f"({WORKERS} workers' files)",
                    scrape,
                )
            )
        remove()
        _forget_ours()
    return timings


def _increments(shared: bool) -> list[Timing]:
    import prometheus_client

    import expvar
    from benchmarks.push import FLUSH_EVERY, every
    from expvar.push.stores import flush
    from expvar.registry import get_registry

    ours = expvar.Int("bench_increment")
    get_registry().unpublish([ours])
    where = (
        f"shared store, amortised over {FLUSH_EVERY} adds and their flush" if shared else "local"
    )
    timings = [
        measure(
            f"increment: expvar Int.add ({where})", every(FLUSH_EVERY, lambda: ours.add(1), flush)
        )
    ]
    single = prometheus_client.Counter("bench_single", "A counter.", registry=None)
    timings.append(
        measure("increment: prometheus_client Counter.inc (django-prometheus)", single.inc)
    )
    with tempfile.TemporaryDirectory() as directory:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
        try:
            from prometheus_client import values

            values.ValueClass = values.get_value_class()
            shared_counter = prometheus_client.Counter("bench_mp", "A counter.", registry=None)
            timings.append(
                measure(
                    "increment: prometheus_client Counter.inc (multiprocess mode)",
                    shared_counter.inc,
                )
            )
        finally:
            del os.environ["PROMETHEUS_MULTIPROC_DIR"]
            values.ValueClass = values.get_value_class()
    return timings


def _restarts(shared: bool) -> list[Timing]:
    """Exposition of 100 counters with 4 workers' counts, then after 20 more have come and gone."""
    prefix = "bench_restart"
    ours = _ours(RESTART_SERIES, prefix, prometheus="counter")
    timings = []
    with tempfile.TemporaryDirectory() as directory:
        theirs = _multiprocess_scrape(directory)
        # Each worker leaves one counter file, which multiprocess mode reads on every scrape.
        for workers in (WORKERS, WORKERS + RESTARTS):
            while len(os.listdir(directory)) < workers:
                _forked(_expvar_worker, prefix, RESTART_SERIES, 1)
                _forked(_multiprocess_worker, directory, RESTART_SERIES, 1)
            files = len(os.listdir(directory))
            timings.append(
                measure(
                    f"after {workers} workers: expvar /debug/metrics, {RESTART_SERIES} counters",
                    ours,
                )
            )
            timings.append(
                measure(
                    f"after {workers} workers: prometheus_client multiprocess, "
                    f"{RESTART_SERIES} counters ({files} files)",
                    theirs,
                )
            )
    _forget_ours()
    return timings


def _exactness(shared: bool) -> list[Timing]:
    """Bump one counter 4,000 times over 4 forked workers; read it back on both sides."""
    import time

    import expvar
    from expvar.registry import get_registry

    per_worker = BUMPS // WORKERS
    timings = []
    ours = expvar.Int("bench_exact_0", prometheus="counter")
    get_registry().unpublish([ours])
    with tempfile.TemporaryDirectory() as directory:
        for label, target, args, read in (
            ("expvar Int on the shared store" if shared else "expvar Int (local store)",
             _expvar_worker, ("bench_exact", 1, per_worker), ours.value),
            ("prometheus_client multiprocess Counter", _multiprocess_worker,
             (directory, 1, per_worker), lambda: _multiprocess_total(directory)),
        ):  # fmt: skip
            started = time.perf_counter()
            for _ in range(WORKERS):
                _forked(target, *args)
            elapsed = time.perf_counter() - started
            counted = read()
            verdict = "exact" if counted == BUMPS else "NOT exact"
            timings.append(
                Timing(
                    f"exactness: {BUMPS:,} bumps over {WORKERS} workers, {label}: read "
                    f"{counted:,} ({verdict}); time for the workers to count and exit",
                    elapsed,
                    elapsed,
                    elapsed,
                    1,
                    1,
                )
            )
    return timings


def _multiprocess_total(directory: str) -> float:
    from prometheus_client.parser import text_string_to_metric_families

    body = _multiprocess_scrape(directory)().decode()
    return sum(
        sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
        if sample.name == "bench_counter_0_total"
    )


def child() -> list[Timing]:
    configure()
    from importlib.metadata import version

    _say(
        f"Django {version('django')}, django-prometheus {version('django-prometheus')}, "
        f"prometheus_client {version('prometheus-client')} ({sys.executable})"
    )
    timings = []
    with _shared_store() as shared:
        for section in (_exposition, _increments, _restarts, _exactness):
            timings += section(shared)
    return timings


def main() -> int:
    timings = child()
    for timing in timings:
        print(timing.describe(), file=sys.stderr)
    print(json.dumps([asdict(timing) for timing in timings]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
