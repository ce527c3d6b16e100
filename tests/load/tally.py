"""What the load-and-fault scenarios did, added up over the session for one summary line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Tally:
    scenarios: int = 0
    polls: int = 0
    bumps: int = 0
    non_200: int = 0
    # Bumps that got no answer at all: the request a SIGKILL cut off in the middle.
    unanswered: int = 0
    counts_lost: int = 0
    loss_bound: int = 0

    def record_polls(self, statuses: list[int | None]) -> None:
        """Count answers to /debug/vars (and the dashboard, the command line, the metrics)."""
        self.polls += len(statuses)
        self.non_200 += sum(status != 200 for status in statuses)

    def record_bumps(self, statuses: list[int | None]) -> None:
        """Count answers to the counting view; a bump without an answer is counted apart."""
        self.bumps += len(statuses)
        self.non_200 += sum(status not in (200, None) for status in statuses)
        self.unanswered += sum(status is None for status in statuses)

    def record_loss(self, lost: int, bound: int) -> None:
        self.counts_lost += lost
        self.loss_bound += bound

    def line(self) -> str:
        return (
            f"load-and-fault suite: {self.scenarios:,} scenarios, {self.polls:,} polls, "
            f"{self.bumps:,} bumps, "
            f"{self.non_200:,} non-200 answers ({self.unanswered:,} bumps cut off unanswered), "
            f"{self.counts_lost:,} counts lost (bound {self.loss_bound:,})"
        )


TALLY = Tally()
