"""dlt's progress log, written only for steps long enough to need it."""

from __future__ import annotations

from dlt.common.runtime.collector import LogCollector


class LongStepProgress(LogCollector):
    """dlt's `LogCollector`, silent for a step (extract, normalize, load) shorter than `log_period`.

    dlt logs a step's counters at its first update, every `log_period` seconds and at its end: six
    lines for a small sync, each one more event in Dagster's run log (bench/README.md, "Round 4,
    continued"), while a short step's figures are all in its materializations. Here a step is
    logged once it has run `log_period` seconds: then every `log_period`, and its totals at its end.
    """

    def _start(self, step: str) -> None:
        super()._start(step)
        self.step_started = self._clock()
        self.last_log_time = self.step_started  # dlt logs at the first update; wait a period instead

    def on_log(self) -> None:
        if self._clock() - self.step_started >= self.log_period:
            super().on_log()
