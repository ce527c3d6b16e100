"""``python -m benchmarks``: run the suite and rewrite ``docs/performance.md``."""

from __future__ import annotations

import importlib
import importlib.util
import sys
import time

from benchmarks import endpoint, hotspots, machine, report, server, targets
from benchmarks.targets import Section
from benchmarks.timing import Timing

# Modules other engineers own; each has ``run() -> list[Timing]``.
EXTRAS = (
    ("contrib", "Contrib variables and memstats"),
    ("admin", "The admin partial"),
    ("push", "Push variables: `add`"),
    ("prometheus", "Prometheus: /debug/metrics, django-prometheus, multiprocess (.venv-django52)"),
    ("browser", "The admin dashboard in Chromium: first load and main thread per refresh"),
)


def _say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def run_extra(module_name: str, title: str) -> Section:
    """Run ``benchmarks.<module_name>.run()`` if it exists; a failure there loses only it."""
    from expvar.registry import get_registry, set_registry

    qualified = f"{endpoint.__package__}.{module_name}"
    if importlib.util.find_spec(qualified) is None:
        return Section(title, [], f"not available (no {qualified} module)")
    original = get_registry()
    try:
        module = importlib.import_module(qualified)
        timings: list[Timing] = list(module.run())
    except Exception as exc:  # another module's bug must not cost the rest of the run
        return Section(title, [], f"`{qualified}.run()` failed: {type(exc).__name__}: {exc}")
    finally:
        set_registry(original)
    return Section(title, timings, "ok")


def main() -> int:
    started = time.perf_counter()
    endpoint.configure()
    described = machine.describe()
    _say(f"{described.cpu}, {described.cores} cores, {described.python}, Django {described.django}")

    _say("/debug/vars against the bare view, in-process, and a short cProfile")
    measured = endpoint.run()
    for size in measured.sizes:
        _say(f"  {size.endpoint.describe()}; {size.floor.describe()}")
    _say(f"  per variable {report.human(measured.per_variable_s)}")
    profiled = hotspots.run()

    sections: dict[str, Section] = {}
    for module_name, title in EXTRAS:
        _say(title)
        section = run_extra(module_name, title)
        for timing in section.timings:
            _say(f"  {timing.describe()}")
        if not section.timings:
            _say(f"  {section.status}")
        sections[module_name] = section

    _say("gunicorn, uvicorn and Go on 127.0.0.1 under wrk (about four minutes)")
    servers = server.run()
    for load in servers.loads.values():
        _say(f"  {load.label}: {load.rps:,.0f} requests/s, p99 {report.human(load.p99_s)}")
    for note in servers.notes:
        _say(f"  {note}")

    judged = targets.judge(measured, profiled, servers, sections)
    for target in judged:
        _say(f"target {target.name}: {target.measured} ({target.goal}): {target.holds}")

    path = report.write(
        report.Run(
            machine=described,
            endpoint=measured,
            hotspots=profiled,
            sections=list(sections.values()),
            servers=servers,
            targets=judged,
            elapsed_s=time.perf_counter() - started,
        )
    )
    _say(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
