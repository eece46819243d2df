"""Production tracking in pharmaceutical manufacturing: OEE, right-first-time and batch record review.

Tables (the pharma-ctms case has them):
- line weeks: `planned_minutes`, `downtime_minutes`, `ideal_rate_per_minute`, `tablets_made`, `tablets_good`;
- batches: `deviations`, `manufactured_on`, `dispositioned_on` (empty while in review), `disposition`
  (released, rejected or in review).

OEE = availability x performance x quality: availability = run time / planned time; performance =
output / (run time x ideal rate); quality = good output / output. Right-first-time = the share of
dispositioned batches released with no deviation. Review time = days from the end of manufacture to
the quality unit's disposition.
"""

from __future__ import annotations

from .measures import group_keys, require_columns, require_counts

LINE_COLUMNS = ("planned_minutes", "downtime_minutes", "ideal_rate_per_minute", "tablets_made", "tablets_good")
BATCH_COLUMNS = ("deviations", "manufactured_on", "dispositioned_on", "disposition")
IN_REVIEW = "in review"


def oee(line_weeks, by="line"):
    """Availability, performance, quality and OEE per group, each pooled over the group's rows."""
    require_columns(line_weeks, LINE_COLUMNS, "line weeks")
    require_counts(line_weeks, LINE_COLUMNS, "line weeks")
    problems = line_weeks.index[(line_weeks["downtime_minutes"] > line_weeks["planned_minutes"])
                                | (line_weeks["tablets_good"] > line_weeks["tablets_made"])]
    if len(problems):
        raise ValueError("downtime cannot exceed planned time, nor good tablets those made; see row(s) "
                         + ", ".join(str(i + 1) for i in problems[:5]))
    frame = line_weeks.assign(run_minutes=line_weeks["planned_minutes"] - line_weeks["downtime_minutes"],
                              capacity=(line_weeks["planned_minutes"] - line_weeks["downtime_minutes"])
                              * line_weeks["ideal_rate_per_minute"])
    columns = ["planned_minutes", "run_minutes", "capacity", "tablets_made", "tablets_good"]
    sums = frame[columns].sum().to_frame().T if by is None else \
        frame.groupby(group_keys(by), observed=True)[columns].sum()
    result = sums.assign(availability=sums["run_minutes"] / sums["planned_minutes"],
                         performance=sums["tablets_made"] / sums["capacity"],
                         quality=sums["tablets_good"] / sums["tablets_made"])
    result["oee"] = result["availability"] * result["performance"] * result["quality"]
    result = result[["availability", "performance", "quality", "oee"]]
    return result.iloc[0] if by is None else result


def batch_review(batches):
    """The batches with `review_days` and `right_first_time`, for dispositioned batches (not in review)."""
    require_columns(batches, BATCH_COLUMNS, "batches")
    require_counts(batches, ("deviations",), "batches")
    done = batches[batches["disposition"].astype(str) != IN_REVIEW].copy()
    if done["dispositioned_on"].isna().any():
        raise ValueError("a batch with a disposition needs its dispositioned_on date")
    done["review_days"] = (done["dispositioned_on"] - done["manufactured_on"]).dt.days
    done["right_first_time"] = (done["disposition"].astype(str) == "released") & (done["deviations"] == 0)
    return done


def right_first_time(batches, by="line"):
    """The share of dispositioned batches released with no deviation, per group."""
    reviewed = batch_review(batches)
    if by is None:
        return float(reviewed["right_first_time"].mean())
    return reviewed.groupby(group_keys(by), observed=True)["right_first_time"].mean().rename("right first time")
