"""The performance targets, each judged on this run's medians, with the measured reason when one
does not hold."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from benchmarks.endpoint import EndpointResult
from benchmarks.profiling import Layers
from benchmarks.timing import Timing

RATIO_SIZE = 100
RATIO_GOAL = 0.8
PER_VARIABLE_GOAL_S = 5e-6
LARGE_SIZE = 10_000
LARGE_GOAL_S = 60e-3
CONTRIB_GOAL_S = 1e-3
ADMIN_SIZE = 500
ADMIN_GOAL_S = 25e-3


@dataclass(frozen=True)
class Target:
    name: str
    goal: str
    measured: str
    holds: bool | None
    why: str = ""


@dataclass(frozen=True)
class Section:
    """What one of the other benchmark modules gave: timings, or why there are none."""

    title: str
    timings: list[Timing]
    status: str


def us(seconds: float) -> str:
    return f"{seconds * 1e6:,.1f} µs"


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:,.2f} ms"


def find(timings: Sequence[Timing], *words: str) -> Timing | None:
    """Return the first timing whose label holds every word (case-insensitive)."""
    for timing in timings:
        label = timing.label.lower()
        if all(word in label for word in words):
            return timing
    return None


def _stage_costs(layers: Layers) -> list[tuple[str, float]]:
    """Per-variable cost each stage adds, largest first."""
    costs = []
    previous = 0.0
    for layer in layers.layers:
        per_variable = layer.timing.median_s / layers.count
        costs.append((layer.stage.lstrip("+ "), per_variable - previous))
        previous = per_variable
    return sorted(costs, key=lambda item: item[1], reverse=True)


def _where_per_variable(layers: Layers, endpoint: EndpointResult) -> str:
    if not layers.layers:
        return f"(no stage breakdown: {layers.error})"
    parts = [f"{stage} {us(cost)}" for stage, cost in _stage_costs(layers)]
    rest = endpoint.per_variable_s - layers.layers[-1].timing.median_s / layers.count
    if rest > 0:
        parts.append(f"Django's handling of the larger body, and noise, {us(rest)}")
    return f"per variable at {layers.count:,} variables: " + "; ".join(parts)


def _handoff(layers: Layers) -> float | None:
    if layers.handoff is None or layers.inline is None:
        return None
    return layers.handoff.median_s - layers.inline.median_s


def judge(
    endpoint: EndpointResult, layers: Layers, contrib: Section, admin: Section
) -> list[Target]:
    targets = []
    handoff = _handoff(layers)

    small = endpoint.size(RATIO_SIZE)
    if small is None:
        targets.append(Target(f"{RATIO_SIZE} variables", f">= {RATIO_GOAL}x", "not run", None))
    else:
        holds = small.ratio >= RATIO_GOAL
        why = ""
        if not holds:
            allowed = small.floor.median_s / RATIO_GOAL - small.floor.median_s
            why = (
                f"0.8x leaves the endpoint {us(allowed)} over the floor's "
                f"{us(small.floor.median_s)}; it adds {us(small.cost_s)}: a fixed "
                f"{us(endpoint.fixed_s)} per request"
                + (
                    f" (of which {us(handoff)} is handing the values to the worker thread "
                    "and back, measured with one variable)"
                    if handoff is not None
                    else ""
                )
                + f" and {RATIO_SIZE} x {us(endpoint.per_variable_s)} per variable"
            )
            if endpoint.inline is not None:
                why += (
                    f"; read inline (`EXPVAR_TIMEOUT = None`) the ratio is "
                    f"{endpoint.inline.ratio:.2f}x"
                )
        targets.append(
            Target(
                f"/debug/vars, {RATIO_SIZE} trivial variables, against the bare view",
                f">= {RATIO_GOAL}x the bare view's throughput",
                f"{small.ratio:.2f}x",
                holds,
                why,
            )
        )

    per_variable = endpoint.per_variable_s
    holds = per_variable < PER_VARIABLE_GOAL_S
    targets.append(
        Target(
            "cost per variable (1,000 to 10,000 variables)",
            f"< {us(PER_VARIABLE_GOAL_S)}",
            us(per_variable),
            holds,
            "" if holds else _where_per_variable(layers, endpoint),
        )
    )

    large = endpoint.size(LARGE_SIZE)
    if large is None:
        targets.append(
            Target(f"{LARGE_SIZE:,} variables", f"< {ms(LARGE_GOAL_S)}", "not run", None)
        )
    else:
        holds = large.endpoint.median_s < LARGE_GOAL_S
        why = ""
        if not holds:
            why = (
                f"{LARGE_SIZE:,} x {us(per_variable)} per variable is "
                f"{ms(LARGE_SIZE * per_variable)}; " + _where_per_variable(layers, endpoint)
            )
        targets.append(
            Target(
                f"/debug/vars, {LARGE_SIZE:,} trivial variables",
                f"< {ms(LARGE_GOAL_S)}",
                ms(large.endpoint.median_s),
                holds,
                why,
            )
        )

    together = find(contrib.timings, "together")
    if together is None:
        targets.append(
            Target("contrib variables together", f"< {ms(CONTRIB_GOAL_S)}", contrib.status, None)
        )
    else:
        holds = together.median_s < CONTRIB_GOAL_S
        why = ""
        if not holds:
            singles = sorted(
                (timing for timing in contrib.timings if timing is not together),
                key=lambda timing: timing.median_s,
                reverse=True,
            )
            why = "slowest alone: " + ", ".join(
                f"{timing.label} {us(timing.median_s)}" for timing in singles[:3]
            )
        targets.append(
            Target(
                "contrib variables together",
                f"< {ms(CONTRIB_GOAL_S)}",
                us(together.median_s),
                holds,
                why,
            )
        )

    partial = find(admin.timings, str(ADMIN_SIZE))
    if partial is None:
        targets.append(
            Target(
                f"admin partial, {ADMIN_SIZE} variables",
                f"< {ms(ADMIN_GOAL_S)}",
                admin.status,
                None,
            )
        )
    else:
        holds = partial.median_s < ADMIN_GOAL_S
        targets.append(
            Target(
                f"admin partial, {ADMIN_SIZE} variables",
                f"< {ms(ADMIN_GOAL_S)}",
                ms(partial.median_s),
                holds,
                "" if holds else "see benchmarks/admin.py's own figures above",
            )
        )
    return targets
