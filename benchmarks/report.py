"""Write ``docs/performance.md`` from one run's results."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from benchmarks.endpoint import APP_COUNT, SUPER_LINEAR_FACTOR, EndpointResult
from benchmarks.hotspots import Hotspots
from benchmarks.machine import Machine, load_average
from benchmarks.server import BENCH_VARIABLES, DURATION_S, ROUNDS, WORKERS, Load, ServerResults
from benchmarks.targets import Section, Target
from benchmarks.timing import Timing

PATH = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
SERVERS = ("gunicorn", "uvicorn")


@dataclass(frozen=True)
class Run:
    machine: Machine
    endpoint: EndpointResult
    hotspots: Hotspots
    sections: list[Section]
    servers: ServerResults
    targets: list[Target]
    elapsed_s: float


def human(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:,.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:,.2f} ms"
    return f"{seconds:,.2f} s"


def spread(timing: Timing) -> str:
    return f"{human(timing.median_s)} ({human(timing.low_s)} to {human(timing.high_s)})"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def _noise(machine: Machine, end: str) -> str:
    """Say how busy the machine was: other work on it widens every spread."""
    own = (
        f"The figure at the end ({end}) includes this run's own servers, load generator and "
        "browser."
    )
    try:
        before = float(machine.load_average)
    except ValueError:
        return f"The load average could not be read at the start. {own}"
    if before < 0.5 * machine.cores:
        return (
            f"Little else was running when the run started (load average {before:.2f} on "
            f"{machine.cores} cores), but the machine is shared, so other work may have joined "
            f"during it and widened the spreads. {own}"
        )
    return (
        f"The machine was shared with other work when the run started (load average "
        f"{before:.2f} on {machine.cores} cores), so absolute figures are noisy and lower than on "
        "an idle machine; the ratios compare figures taken in the same rounds and hold up "
        f"better, but read them too as this run's, not as constants. {own}"
    )


def _machine(machine: Machine) -> list[str]:
    end = load_average()
    return [
        "## Machine",
        "",
        *_table(
            ["", ""],
            [
                ["CPU", f"{machine.cpu}, {machine.cores} cores"],
                ["Memory", machine.memory],
                ["System", machine.system],
                ["Python", machine.python],
                ["Django", machine.django],
                ["gunicorn", machine.gunicorn],
                ["uvicorn", machine.uvicorn],
                ["wrk", machine.wrk],
                ["Go", machine.go],
                ["Date", machine.date],
                [
                    "Load average (1 min)",
                    f"{machine.load_average} at the start, {end} at the end "
                    f"(on {machine.cores} cores)",
                ],
            ],
        ),
        _noise(machine, end),
        "",
    ]


def _mark(holds: bool | None) -> str:
    return {True: "yes", False: "**no**", None: "not measured"}[holds]


def _targets(targets: list[Target]) -> list[str]:
    lines = [
        "## Targets",
        "",
        *_table(
            ["target", "goal", "measured", "holds"],
            [[t.name, t.goal, t.measured, _mark(t.holds)] for t in targets],
        ),
    ]
    missed = [target for target in targets if target.holds is False]
    if missed:
        lines += ["Where a target is missed, the measured reason:", ""]
        lines += [f"- **{target.name}**: {target.why}." for target in missed]
        lines.append("")
    return lines


def _rps(load: Load) -> str:
    if len(load.rounds_rps) < 2:
        return f"{load.rps:,.0f}"
    return f"{load.rps:,.0f} ({min(load.rounds_rps):,.0f} to {max(load.rounds_rps):,.0f})"


def _comparison(servers: ServerResults) -> list[str]:
    rows = []
    for name in SERVERS:
        pair, ratio = servers.pair(name), servers.ratio(name)
        if pair is None or ratio is None:
            continue
        loaded, bare = pair
        rows.append(
            [
                name,
                f"{loaded.rps:,.0f}",
                human(loaded.p99_s),
                f"{bare.rps:,.0f}",
                human(bare.p99_s),
                f"{ratio:.2f}x",
            ]
        )
    if not rows:
        return []
    gunicorn, uvicorn = servers.pair("gunicorn"), servers.pair("uvicorn")
    servers_differ = []
    if gunicorn is not None and uvicorn is not None and uvicorn[1].rps:
        servers_differ = [
            f"Each bare view alone: gunicorn's answers {gunicorn[1].rps / uvicorn[1].rps:.1f}x "
            "the requests per second of uvicorn's, so between the two servers the server and "
            "Django's request path differ by more than `/debug/vars` adds to either.",
            "",
        ]
    header = [
        "server",
        "`/debug/vars` requests/s",
        "p99",
        "bare view requests/s",
        "p99",
        "against its bare view",
    ]
    return [
        f"`/debug/vars` with {BENCH_VARIABLES} trivial variables against a bare view serving "
        "the same bytes on the same server:",
        "",
        *_table(header, rows),
        *servers_differ,
    ]


def _servers(servers: ServerResults, machine: Machine) -> list[str]:
    lines = [
        "## A monitor's poll under a real server",
        "",
        f"The benchmark project ({BENCH_VARIABLES} trivial variables, `benchmarks/settings.py`, "
        "Django's `startproject` middleware) under gunicorn with "
        f"{WORKERS} sync workers serving `ExpVarView`, and under uvicorn with {WORKERS} workers "
        "(`benchmarks/asgi.py`) serving `expvar.urls_async`'s `AsyncExpVarView`; each server "
        "also serves a bare view (sync under gunicorn, async under uvicorn) returning the exact "
        "bytes of `/debug/vars`, checked before loading. Under ASGI Django runs the sync "
        "middleware through `sync_to_async`, so both of uvicorn's views pay that; each ratio "
        "compares a view with its own server's bare view. The demo runs under gunicorn with "
        "`benchmarks/demo_settings.py` (`DEBUG = False`, and `EXPVAR_SKIP = ['flaky']`, "
        "whose variables hang or sleep on purpose), and Go's own expvar handler "
        "(benchmarks/goref, built with `GOPROXY=off go build`) is the anchor. Everything is on "
        "127.0.0.1, loaded from a second process on loopback; every server runs for the whole "
        f"section and the loads take turns: {ROUNDS} rounds of {DURATION_S} s each, requests "
        "per second over all rounds (slowest and fastest round in brackets), latency "
        "percentiles from the median round. Load and servers share the machine's cores.",
        "",
        *_comparison(servers),
    ]
    if servers.loads:
        rows = [
            [
                load.label,
                _rps(load),
                human(load.p50_s),
                human(load.p99_s),
                f"{load.body_bytes:,} B, {load.names} names",
                f"{load.requests:,}",
                str(load.errors),
                load.tool,
            ]
            for load in servers.loads.values()
        ]
        lines += [
            "Every load:",
            "",
            *_table(
                ["server", "requests/s", "p50", "p99", "body", "requests", "errors", "load"], rows
            ),
        ]
    demo, go = servers.loads.get("demo"), servers.loads.get("go")
    if demo is not None and go is not None and go.rps:
        lines += [
            f"The demo's `/debug/vars` under gunicorn against Go's handler: "
            f"{demo.rps / go.rps:.2f}x the requests per second, p99 {human(demo.p99_s)} against "
            f"{human(go.p99_s)}.",
            "",
        ]
    lines += [f"- {note}" for note in servers.notes]
    return [*lines, ""] if servers.notes else lines


def _endpoint(result: EndpointResult) -> list[str]:
    rows = [
        [
            f"{size.count:,}",
            spread(size.endpoint),
            spread(size.floor),
            human(size.cost_s),
            f"{size.body_bytes:,} B",
        ]
        for size in result.sizes
    ]
    steps = [[f"{step.low:,} → {step.high:,}", human(step.per_variable_s)] for step in result.steps]
    flagged = result.super_linear_steps
    if flagged:
        growth = (
            "**Super-linear growth**: the cost of one more variable rises by more than "
            f"{SUPER_LINEAR_FACTOR}x at "
            + ", ".join(f"{step.low:,} → {step.high:,}" for step in flagged)
            + " (on a busy machine, check that a rerun agrees before reading much into it)."
        )
    else:
        growth = (
            "Growth is linear: the cost of one more variable does not rise with N by more than "
            f"{SUPER_LINEAR_FACTOR}x from one step to the next."
        )
    return [
        "## The cost per variable, in-process",
        "",
        "`/debug/vars` and a bare view serving its exact bytes, called in-process through one "
        "`WSGIHandler` (`get_wsgi_application()`, the same settings) with identical environs: a "
        "`GET` from `REMOTE_ADDR` 127.0.0.1, so the default access policy is paid as a monitor "
        f"on loopback pays it. N trivial pull variables over {APP_COUNT} apps, each an `ExpVar` "
        "whose `value()` returns an int, read by the default path (the evaluator's thread pool, "
        "under `EXPVAR_TIMEOUT`). This is where the per-variable target is measured; the "
        "throughput that counts is the server section above. Medians over 15 rounds after a "
        "warm-up (`benchmarks/timing.py`), 10th to 90th percentile of rounds in brackets.",
        "",
        *_table(["N", "`/debug/vars`", "bare view", "cost over bare", "body"], rows),
        "The cost of one more variable, between successive N (fixed costs cancel):",
        "",
        *_table(["N", "per added variable"], steps),
        growth,
        f"Fixed cost per request (extrapolated to no variables): {human(result.fixed_s)}.",
        "",
    ]


def _hotspots(hotspots: Hotspots) -> list[str]:
    threads = (
        "the request thread and the pool thread that reads the values"
        if hotspots.all_threads
        else "the request thread only (this Python's cProfile cannot follow the pool thread)"
    )
    rows = [
        [f"`{row.function}`", f"{row.calls_per_variable:g}", human(row.own_s_per_variable)]
        for row in hotspots.rows
    ]
    stages = [[stage.label, human(stage.per_variable_s)] for stage in hotspots.stages]
    return [
        "### Where a variable's time goes",
        "",
        "The read path stage by stage, each adding one part to the one before: the fastest of "
        "a few runs at 1,000 and at 10,000 trivial variables (with the garbage collector off, "
        "as timeit times), and the cost of one more variable between the two, as the "
        "per-variable target counts it (without the WSGI handler). Each row includes the one "
        "above it; on a shared machine a row varies by a few tenths of a µs from run to run, "
        "so read the table for where the time goes, not for its last digit.",
        "",
        *_table(["up to", "per variable, cumulative"], stages),
        f"### cProfile, {hotspots.count:,} variables",
        "",
        f"{hotspots.requests} requests through the WSGI handler, {threads}; the top functions by "
        "own time, per variable. cProfile's own overhead inflates small functions, so the "
        "figures rank the work rather than time it.",
        "",
        *_table(["function", "calls / variable", "own time / variable"], rows),
    ]


def _section(section: Section) -> list[str]:
    lines = [f"## {section.title}", ""]
    if not section.timings:
        return [*lines, f"Not measured: {section.status}.", ""]
    rows = [
        [timing.label, spread(timing), f"{timing.rounds} x {timing.calls_per_round:,}"]
        for timing in section.timings
    ]
    return [*lines, *_table(["what", "median (spread)", "rounds x calls"], rows)]


def render(run: Run) -> str:
    lines = [
        "# Performance",
        "",
        f"Generated by `make bench` (`python -m benchmarks`) on {run.machine.date} in "
        f"{run.elapsed_s:.0f} s; rerun it rather than editing this page.",
        "",
        "The performance that counts is end to end: the browser's time per dashboard refresh, "
        "a monitor's poll under gunicorn or uvicorn, exact counts across workers. A speed change "
        "is made only where a benchmark shows a difference a user would see. The old in-process "
        "target (0.8x a bare view's throughput) is retired; the throughput target is now judged "
        "under gunicorn, against a bare view on the same server in the same rounds, and the "
        "in-process figures remain for the cost per variable and for finding where time goes.",
        "",
        *_machine(run.machine),
        *_targets(run.targets),
        *_servers(run.servers, run.machine),
        *_endpoint(run.endpoint),
        *_hotspots(run.hotspots),
    ]
    for section in run.sections:
        lines += _section(section)
    return "\n".join(lines).rstrip() + "\n"


def write(run: Run, path: Path = PATH) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(run), encoding="utf-8")
    return path
