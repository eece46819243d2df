"""The instructor's terminal while a class is graded: a progress bar on stderr, then one line per problem."""

from __future__ import annotations

import sys
import time


def clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" if seconds >= 3600 else \
        f"{seconds // 60}:{seconds % 60:02d}"


class Progress:
    """Redraws one line on a terminal; on a pipe or file, writes a line every tenth of the way."""

    WIDTH = 28

    def __init__(self, total: int, stream=None, label: str = "grading") -> None:
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.label = label
        self.done = 0
        self.flagged = 0
        self.failed = 0
        self.started = time.monotonic()
        self.terminal = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last_tenth = -1

    def step(self, flagged: bool = False, failed: bool = False) -> None:
        self.done += 1
        self.flagged += bool(flagged)
        self.failed += bool(failed)
        self.draw()

    def line(self) -> str:
        elapsed = time.monotonic() - self.started
        filled = self.WIDTH * self.done // self.total if self.total else self.WIDTH
        bar = "#" * filled + "." * (self.WIDTH - filled)
        left = ""
        if 0 < self.done < self.total:
            left = f" · ~{clock(elapsed / self.done * (self.total - self.done))} left"
        extra = f" · {self.flagged} to look at" if self.flagged else ""
        extra += f" · {self.failed} not graded" if self.failed else ""
        return f"{self.label} [{bar}] {self.done}/{self.total}{extra} · {clock(elapsed)}{left}"

    def draw(self) -> None:
        if self.terminal:
            self.stream.write("\r" + self.line() + "\x1b[K")
            self.stream.flush()
            return
        tenth = 10 * self.done // self.total if self.total else 10
        if tenth != self._last_tenth:
            self._last_tenth = tenth
            self.stream.write(self.line() + "\n")
            self.stream.flush()

    def finish(self) -> None:
        if self.terminal:
            self.stream.write("\n")
            self.stream.flush()

    def say(self, text: str) -> None:
        """A line of its own, above the bar."""
        if self.terminal:
            self.stream.write("\r\x1b[K" + text + "\n")
            self.draw()
        else:
            self.stream.write(text + "\n")
        self.stream.flush()
