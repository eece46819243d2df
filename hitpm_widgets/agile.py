"""Agile measures: the sprint burndown, velocity, and a Kanban board with its flow measures.

Facts (FACTS.md, Scrum Guide 2020 and Kanban): velocity is the done story points of a sprint, and it
is not comparable between teams (each team sizes its own points); a burndown shows the work
remaining over time; a Kanban board limits the work in progress (WIP) of each column; Little's law:
average WIP = throughput × average cycle time.

Dates of a story log are days; a burndown counts calendar days (weekends included) and gives the
figures at the end of each day. A Kanban board keeps the time of every move.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from numbers import Integral, Real
from typing import Any

from .tabular import is_missing

STORY_COLUMNS = ("story_id", "points", "done_on")
SPRINT_COLUMNS = ("sprint", "start", "end")
EVENT_COLUMNS = ("card_id", "column", "at")
THROUGHPUT_PERIODS = {"D": "day", "W": "week (Monday to Sunday)"}
#: How many problems or cards an error message lists before it says how many more there are.
_LISTED = 6


# -- reading tables --------------------------------------------------------------------------------


def _frame_of(table, what: str, columns: Sequence[str]):
    """A copy of a table (a DataFrame or a list of dicts) that has the needed columns and rows."""
    import pandas as pd

    if isinstance(table, pd.DataFrame):
        frame = table.reset_index(drop=table.index.name is None or table.index.name in table.columns)
    elif isinstance(table, str | bytes | Mapping) or not isinstance(table, Iterable):
        raise ValueError(f"give the {what} as a table (a pandas DataFrame) or a list of dicts, one a row, "
                         f"not {type(table).__name__}")
    else:
        rows = list(table)
        if not all(isinstance(row, Mapping) for row in rows):
            raise ValueError(f"each row of the {what} must be a dict with the columns {', '.join(columns)}")
        frame = pd.DataFrame(rows)
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"the {what} have no column {', '.join(map(repr, missing))}; they need: "
                         f"{', '.join(columns)}")
    if frame.empty:
        raise ValueError(f"the {what} have no rows")
    return frame.reset_index(drop=True)


def _day(what: str, value: Any, *, required: bool = True):
    """A date as a pandas Timestamp at midnight; None for an empty cell when not required."""
    import pandas as pd

    if is_missing(value) or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValueError(f"{what} must be a date (e.g. '2025-09-01'), not empty")
        return None
    if isinstance(value, bool | Real):
        raise ValueError(f"{what} must be a date (e.g. '2025-09-01'), not {value!r}")
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise ValueError(f"{what} must be a date (e.g. '2025-09-01'), not {value!r}") from None
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(None)
    return stamp.normalize()


def _name(what: str, value: Any) -> str:
    """An id or a name as stripped text; a whole number is taken as its digits (CSV ids read as numbers)."""
    if isinstance(value, Integral) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} must be a non-empty name (text), not {value!r}")
    return value.strip()


def _moment(what: str, value: Any):
    """A date and time as a pandas Timestamp; one with a time zone is taken in UTC, without the zone."""
    import pandas as pd

    if is_missing(value) or isinstance(value, bool | Real):
        raise ValueError(f"{what} must be a date and time (e.g. '2025-09-01 09:30'), not {value!r}")
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise ValueError(f"{what} must be a date and time (e.g. '2025-09-01 09:30'), not {value!r}") from None
    return stamp.tz_convert(None) if stamp.tzinfo is not None else stamp


def _wip_limit(column: str, limit: Any) -> int | None:
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, Integral) or limit < 1:
        raise ValueError(f"the WIP limit of column {column!r} must be a whole number of 1 or more (or None "
                         f"for no limit), not {limit!r}")
    return int(limit)


def _points(story: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or is_missing(value) or value != value:
        raise ValueError(f"the points of story {story!r} must be a number of 0 or more, not {value!r}")
    if value < 0 or value == float("inf"):
        raise ValueError(f"the points of story {story!r} must be a finite number of 0 or more, not {value!r}")
    return float(value)


def _listed(items: list[str]) -> str:
    more = len(items) - _LISTED
    return ", ".join(items[:_LISTED]) + (f" and {more} more" if more > 0 else "")


def _stories(stories, *, with_added: bool) -> list[dict]:
    """Checked stories: story_id, points, done_on (a day or None), added_on (a day or None)."""
    frame = _frame_of(stories, "stories", STORY_COLUMNS)
    has_added = with_added and "added_on" in frame.columns
    checked, seen = [], set()
    for number, row in enumerate(frame.to_dict("records"), start=1):
        story = _name(f"the story_id in row {number}", row["story_id"])
        if story in seen:
            raise ValueError(f"story ids must be unique; {story!r} is used more than once")
        seen.add(story)
        done = _day(f"done_on of story {story!r}", row["done_on"], required=False)
        added = _day(f"added_on of story {story!r}", row["added_on"], required=False) if has_added else None
        if done is not None and added is not None and done < added:
            raise ValueError(f"story {story!r} is done on {done:%Y-%m-%d}, before it was added on "
                             f"{added:%Y-%m-%d}")
        checked.append({"story_id": story, "points": _points(story, row["points"]), "done_on": done,
                        "added_on": added})
    return checked


# -- the sprint burndown ---------------------------------------------------------------------------


def burndown(stories, sprint_start, sprint_end):
    """The story points remaining at the end of each day of a sprint, with the ideal line.

    `stories` has story_id, points, done_on (the day the story was done; empty while not done) and
    optionally added_on (the day it joined the sprint; empty or up to the first day: planned at the
    start). Points done after the last day count as not done in this sprint.

    Returns a DataFrame indexed by date (each calendar day of the sprint) with the columns: day (1 to
    n), added (points added that day, after the start), scope (points in the sprint by then), done
    (points done by then), remaining (scope − done) and ideal: the committed points (the scope of
    the first day) falling evenly to 0 at the end of the last day, committed × (1 − day / n). Scope
    added mid-sprint raises the remaining line, not the ideal one: the ideal is the plan made at the
    start. Refused, naming the story: a story done before the sprint started, a story added after
    it ended, a story done before it was added.
    """
    import pandas as pd

    start = _day("the sprint start", sprint_start)
    end = _day("the sprint end", sprint_end)
    if end < start:
        raise ValueError(f"the sprint ends ({end:%Y-%m-%d}) before it starts ({start:%Y-%m-%d})")
    checked = _stories(stories, with_added=True)
    for story in checked:
        if story["done_on"] is not None and story["done_on"] < start:
            raise ValueError(f"story {story['story_id']!r} was done on {story['done_on']:%Y-%m-%d}, before "
                             f"the sprint started on {start:%Y-%m-%d}: it belongs to an earlier sprint")
        if story["added_on"] is not None and story["added_on"] > end:
            raise ValueError(f"story {story['story_id']!r} was added on {story['added_on']:%Y-%m-%d}, after "
                             f"the sprint ended on {end:%Y-%m-%d}: leave it out of this sprint's stories")
    days = pd.date_range(start, end, freq="D", name="date")
    added = pd.Series(0.0, index=days)
    done = pd.Series(0.0, index=days)
    for story in checked:
        joined = max(story["added_on"], start) if story["added_on"] is not None else start
        added[joined] += story["points"]
        if story["done_on"] is not None and story["done_on"] <= end:
            done[story["done_on"]] += story["points"]
    scope = added.cumsum()
    committed = float(scope.iloc[0])
    frame = pd.DataFrame({"day": range(1, len(days) + 1), "added": added, "scope": scope,
                          "done": done.cumsum()}, index=days)
    frame.loc[start, "added"] = 0.0
    frame["remaining"] = frame["scope"] - frame["done"]
    frame["ideal"] = committed * (1 - frame["day"] / len(days))
    return frame


def velocity(stories, sprints):
    """Done story points per sprint: a DataFrame indexed by sprint with start, end, velocity and
    stories_done.

    `stories` has story_id, points and done_on; `sprints` has sprint (a name), start and end (days,
    both included). A story counts in the sprint whose days hold its done_on; stories not done, or
    done between sprints, count nowhere. Velocity is for planning this team's next sprints; it is
    not comparable between teams, as each team sizes its own points.
    """
    import pandas as pd

    frame = _frame_of(sprints, "sprints", SPRINT_COLUMNS)
    rows, seen = [], set()
    for number, row in enumerate(frame.to_dict("records"), start=1):
        sprint = _name(f"the sprint name in row {number}", row["sprint"])
        if sprint in seen:
            raise ValueError(f"sprint names must be unique; {sprint!r} is used more than once")
        seen.add(sprint)
        start = _day(f"the start of sprint {sprint!r}", row["start"])
        end = _day(f"the end of sprint {sprint!r}", row["end"])
        if end < start:
            raise ValueError(f"sprint {sprint!r} ends ({end:%Y-%m-%d}) before it starts ({start:%Y-%m-%d})")
        rows.append({"sprint": sprint, "start": start, "end": end})
    rows.sort(key=lambda row: row["start"])
    for before, after in zip(rows, rows[1:], strict=False):
        if after["start"] <= before["end"]:
            raise ValueError(f"sprints {before['sprint']!r} and {after['sprint']!r} overlap: a story done on "
                             f"{after['start']:%Y-%m-%d} would count in both")
    checked = _stories(stories, with_added=False)
    for row in rows:
        done = [s for s in checked if s["done_on"] is not None and row["start"] <= s["done_on"] <= row["end"]]
        row["velocity"] = float(sum(s["points"] for s in done))
        row["stories_done"] = len(done)
    return pd.DataFrame(rows).set_index("sprint")


# -- the Kanban board ------------------------------------------------------------------------------


class KanbanBoard:
    """A Kanban board: columns in order, WIP limits, and the time of every card's every move.

    The first column is the backlog (the work not started) and the last is done. A card is in
    progress while it is in any column between them: that is what WIP counts, and a card's cycle
    time runs from when it first left the first column (its commitment point; for a card put
    straight into a later column, from when it joined the board) to when it last reached the last
    column. A card moved back to the backlog keeps its first start, so Little's law is a close, not
    an exact, description of such a board.

    >>> board = KanbanBoard(["to do", "doing", "done"], {"doing": 2})
    >>> board.add("C1", at="2025-09-01 09:00")
    >>> board.move("C1", "doing", at="2025-09-01 10:00")
    """

    def __init__(self, columns: Sequence[str], wip_limits: Mapping[str, int | None] | None = None) -> None:
        if isinstance(columns, str) or not isinstance(columns, Iterable):
            raise ValueError("give the board's columns as a list of names, first (backlog) to last (done)")
        names = [_name("a column name", column) for column in columns]
        if len(names) < 2:
            raise ValueError("a Kanban board needs at least two columns: where work waits and where it is "
                             "done")
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"column names must be unique; repeated: {', '.join(repeated)}")
        self.columns: tuple[str, ...] = tuple(names)
        self.wip_limits: dict[str, int | None] = dict.fromkeys(self.columns)
        if wip_limits is not None:
            if not isinstance(wip_limits, Mapping):
                raise ValueError("give the WIP limits as a dict of column name: limit (a whole number of 1 "
                                 "or more, or None for no limit)")
            for column, limit in wip_limits.items():
                self.wip_limits[self._check_column(column)] = _wip_limit(column, limit)
        self._where: dict[str, str] = {}
        self._events: list[tuple[str, str | None, str, Any]] = []
        self._view = None

    # -- changing the board ----------------------------------------------------------------------

    def _check_column(self, column: Any) -> str:
        if not isinstance(column, str) or column not in self.columns:
            raise KeyError(f"unknown column {column!r}; the columns: {', '.join(self.columns)}")
        return column

    def _check_card(self, card_id: Any) -> str:
        try:
            card = _name("a card id", card_id)
        except ValueError:
            card = None
        if card not in self._where:
            known = _listed(list(self._where)) if self._where else "none yet"
            raise KeyError(f"unknown card {card_id!r}; cards on the board: {known}")
        return card

    def _time(self, at: Any):
        import pandas as pd

        stamp = pd.Timestamp.now() if at is None else _moment("the time of a move", at)
        if self._events and stamp < self._events[-1][3]:
            raise ValueError(f"moves are recorded in time order: the last was at {self._events[-1][3]}, so "
                             f"{stamp} is too early")
        return stamp

    def _check_room(self, column: str) -> None:
        limit = self.wip_limits[column]
        if limit is not None and len(self.cards_in(column)) >= limit:
            raise ValueError(f"column {column!r} is at its WIP limit of {limit} "
                             f"(cards in it: {', '.join(self.cards_in(column))}): finish or move one of them "
                             "before pulling in another")

    def add(self, card_id: str, column: str | None = None, *, at=None) -> None:
        """Put a new card on the board, in the first column unless told otherwise; `at` defaults to now."""
        card = _name("a card id", card_id)
        if card in self._where:
            raise ValueError(f"card {card!r} is already on the board, in column {self._where[card]!r}")
        column = self.columns[0] if column is None else self._check_column(column)
        stamp = self._time(at)
        self._check_room(column)
        self._where[card] = column
        self._events.append((card, None, column, stamp))

    def move(self, card_id: str, to_column: str, *, at=None) -> None:
        """Move a card to another column (forwards or back); refused past the column's WIP limit."""
        card = self._check_card(card_id)
        column = self._check_column(to_column)
        if self._where[card] == column:
            raise ValueError(f"card {card!r} is already in column {column!r}")
        stamp = self._time(at)
        self._check_room(column)
        self._events.append((card, self._where[card], column, stamp))
        self._where[card] = column

    @classmethod
    def from_events(cls, events, columns: Sequence[str], wip_limits: Mapping[str, int | None] | None = None):
        """A board replayed from an event log with card_id, column and at (when the card entered that column).

        Events are taken in time order (rows at the same time in table order); a card's first event puts
        it on the board. A log that breaks a WIP limit or names an unknown column is refused, naming the
        row.
        """
        board = cls(columns, wip_limits)
        frame = _frame_of(events, "events", EVENT_COLUMNS)
        times = []
        for number, value in enumerate(frame["at"], start=1):
            try:
                times.append(_moment("'at'", value))
            except ValueError as error:
                raise ValueError(f"event row {number}: {error}") from None
        frame = frame.assign(_at=times, _row=range(1, len(frame) + 1)).sort_values("_at", kind="stable")
        for row in frame.to_dict("records"):
            try:
                card = _name("the card_id", row["card_id"])
                if card in board._where:
                    board.move(card, row["column"], at=row["_at"])
                else:
                    board.add(card, row["column"], at=row["_at"])
            except (ValueError, KeyError) as error:
                message = error.args[0] if error.args else str(error)
                raise ValueError(f"event row {row['_row']} (card {row['card_id']!r}, column "
                                 f"{row['column']!r}, at {row['_at']}): {message}") from None
        return board

    # -- reading the board -----------------------------------------------------------------------

    @property
    def cards(self) -> list[str]:
        return list(self._where)

    def column_of(self, card_id: str) -> str:
        return self._where[self._check_card(card_id)]

    def cards_in(self, column: str) -> list[str]:
        column = self._check_column(column)
        return [card for card, where in self._where.items() if where == column]

    @property
    def work_in_progress(self) -> list[str]:
        """The cards in the columns between the first and the last."""
        middle = set(self.columns[1:-1])
        return [card for card, where in self._where.items() if where in middle]

    def history(self):
        """Every event: card_id, from_column (empty when the card joined the board), to_column, at."""
        import pandas as pd

        frame = pd.DataFrame(self._events, columns=["card_id", "from_column", "to_column", "at"])
        frame["at"] = pd.to_datetime(frame["at"])
        return frame

    def _require_events(self) -> None:
        if not self._events:
            raise ValueError("the board has no cards yet: add some and move them first")

    def cycle_time(self):
        """Each finished card (now in the last column): started, finished, cycle_time and cycle_days.

        Started: when it first left the first column (or joined the board in a later one); finished:
        when it last reached the last column. Ordered by finish.
        """
        import pandas as pd

        first, last = self.columns[0], self.columns[-1]
        started: dict[str, Any] = {}
        finished: dict[str, Any] = {}
        for card, _, to_column, at in self._events:
            if to_column != first and card not in started:
                started[card] = at
            if to_column == last:
                finished[card] = at
        rows = [{"card_id": card, "started": started[card], "finished": finished[card]}
                for card, where in self._where.items() if where == last]
        frame = pd.DataFrame(rows, columns=["card_id", "started", "finished"])
        frame["started"] = pd.to_datetime(frame["started"])
        frame["finished"] = pd.to_datetime(frame["finished"])
        frame["cycle_time"] = frame["finished"] - frame["started"]
        frame["cycle_days"] = frame["cycle_time"].dt.total_seconds() / 86_400
        return frame.sort_values("finished", kind="stable").set_index("card_id")

    def _span(self):
        return self._events[0][3], self._events[-1][3]

    def throughput(self, freq: str = "D"):
        """Cards finished per day ("D") or per Monday-to-Sunday week ("W"), over the board's whole history
        (periods with none count 0). A Series indexed by the period's first day."""
        import pandas as pd

        if freq not in THROUGHPUT_PERIODS:
            raise ValueError(f"throughput is counted per 'D' (day) or 'W' (week), not {freq!r}")
        self._require_events()
        period = "D" if freq == "D" else "W-SUN"
        first, last = (stamp.to_period(period) for stamp in self._span())
        periods = pd.period_range(first, last, freq=period)
        finishes = self.cycle_time()["finished"].dt.to_period(period)
        counts = finishes.value_counts().reindex(periods, fill_value=0).astype("int64")
        counts.index = periods.start_time
        counts.index.name = "period"
        return counts.rename("throughput")

    def _wip_steps(self):
        """(time, WIP after the events at that time) for each distinct event time."""
        middle = set(self.columns[1:-1])
        where: dict[str, str] = {}
        wip, steps = 0, []
        for card, _, to_column, at in self._events:
            before = where.get(card)
            wip += (to_column in middle) - (before in middle)
            where[card] = to_column
            if steps and steps[-1][0] == at:
                steps[-1] = (at, wip)
            else:
                steps.append((at, wip))
        return steps

    def wip_over_time(self):
        """The number of cards in progress right after each event time: a Series indexed by time."""
        import pandas as pd

        self._require_events()
        steps = self._wip_steps()
        index = pd.DatetimeIndex([at for at, _ in steps], name="at")
        return pd.Series([wip for _, wip in steps], index=index, name="wip", dtype="int64")

    def cumulative_flow(self):
        """The cards in each column at the end of each day, first event's day to last: date × column.

        Stacked from the last column up, the bands make the cumulative flow diagram.
        """
        import pandas as pd

        self._require_events()
        counts = dict.fromkeys(self.columns, 0)
        where: dict[str, str] = {}
        rows, times = [], []
        for card, _, to_column, at in self._events:
            if card in where:
                counts[where[card]] -= 1
            counts[to_column] += 1
            where[card] = to_column
            rows.append(dict(counts))
            times.append(at)
        states = pd.DataFrame(rows, index=pd.DatetimeIndex(times).normalize())
        by_day = states.groupby(level=0).last()
        days = pd.date_range(by_day.index[0], by_day.index[-1], freq="D", name="date")
        frame = by_day.reindex(days).ffill().astype("int64")
        frame.columns.name = "column"
        return frame[list(self.columns)]

    def littles_law(self, start=None, end=None) -> dict[str, Any]:
        """Little's law over a time window (default: the first event to the last).

        Measured: average WIP (time-weighted, cards in progress), throughput (cards finished in the
        window per day) and average cycle time (days, of the cards finished in the window). Predicted
        WIP = throughput × average cycle time; relative_gap = (predicted − average WIP) / average WIP.
        The law holds exactly when no card is in progress at either end of the window (the cards' time
        in progress is then all inside it); otherwise the cards that cross the window's edges make a gap
        that shrinks as the window grows. Undefined figures are None.
        """
        import pandas as pd

        self._require_events()
        first, last = self._span()
        window_start = first if start is None else _moment("the window start", start)
        window_end = last if end is None else _moment("the window end", end)
        days = (window_end - window_start).total_seconds() / 86_400
        if days <= 0:
            raise ValueError(f"the window must end after it starts; got {window_start} to {window_end}")
        # Time-weighted WIP: each level of the step function times how long it lasted inside the window.
        area, level, previous = 0.0, 0, window_start
        for at, wip in self._wip_steps():
            if at > window_start:
                moment = min(at, window_end)
                area += level * (moment - previous).total_seconds() / 86_400
                previous = moment
            if at > window_end:
                break
            level = wip
        if previous < window_end:
            area += level * (window_end - previous).total_seconds() / 86_400
        cycles = self.cycle_time()
        inside = cycles[(cycles["finished"] >= window_start) & (cycles["finished"] <= window_end)]
        average_wip = area / days
        throughput = len(inside) / days
        cycle = float(inside["cycle_days"].mean()) if len(inside) else None
        predicted = None if cycle is None else throughput * cycle
        gap = None if predicted is None or average_wip == 0 else (predicted - average_wip) / average_wip
        return {"window_start": pd.Timestamp(window_start), "window_end": pd.Timestamp(window_end),
                "window_days": days, "finished": len(inside), "average_wip": average_wip,
                "throughput_per_day": throughput, "average_cycle_days": cycle, "predicted_wip": predicted,
                "relative_gap": gap}

    @property
    def widget(self):
        """The board's widget (made on first use), showing the board as it is now."""
        # The board keeps no listeners, so a move made in code since the view was made is shown here.
        if self._view is None:
            from .views.kanban import KanbanBoardView

            self._view = KanbanBoardView(self)
        else:
            self._view.refresh()
        return self._view

    def _repr_mimebundle_(self, include=None, exclude=None):
        return self.widget._repr_mimebundle_(include=include, exclude=exclude)

    def __repr__(self) -> str:
        counts = ", ".join(f"{column} {len(self.cards_in(column))}" for column in self.columns)
        return f"<KanbanBoard: {counts}>"
