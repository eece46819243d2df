"""Risk register: the probability-impact matrix, rating bands, responses and expected monetary value.

Two scales are offered. ``"pmbok"`` is the PMBOK Guide (6th ed., 11.3) probability-impact matrix:
probability 0.1, 0.3, 0.5, 0.7 or 0.9, impact on the non-linear scale 0.05, 0.10, 0.20, 0.40 or
0.80, score = probability x impact. ``"ordinal"`` is the 5 x 5 matrix common in healthcare: both
from 1 to 5, score = probability x impact from 1 to 25. Either way the organisation, not the
standard, sets which scores count as low, medium and high (``cutoffs``).

Expected monetary value: EMV = probability x monetary impact, negative for a threat and positive
for an opportunity; it is a common basis for the contingency reserve.

A risk can be identified before anyone has judged it: with no probability or no impact it is "not
rated yet", and has no score, band, rank or EMV until both are given.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from .exercise import Exercise
from .tabular import is_missing

THREAT, OPPORTUNITY = "threat", "opportunity"
KINDS = (THREAT, OPPORTUNITY)
#: PMBOK 6 (11.5): escalate is a response to threats and to opportunities alike.
RESPONSES = {
    THREAT: ("avoid", "transfer", "mitigate", "accept", "escalate"),
    OPPORTUNITY: ("exploit", "share", "enhance", "accept", "escalate"),
}
OPEN, CLOSED = "open", "closed"
STATUSES = (OPEN, CLOSED)
LOW, MEDIUM, HIGH = "low", "medium", "high"
BANDS = (LOW, MEDIUM, HIGH)
#: The top level of the PMBOK Guide's sample risk breakdown structure; a case passes its own.
DEFAULT_CATEGORIES = ("technical", "management", "commercial", "external")
ID_RULE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,19}")
ID_HELP = "1 to 20 letters, digits, '-', '_' or '.', starting with a letter or digit, e.g. 'R01'"


@dataclass(frozen=True)
class RiskScale:
    """The levels a register accepts for probability and impact, and what they mean."""

    name: str
    probabilities: tuple
    impacts: tuple
    #: Each probability level as a fraction (what EMV multiplies by).
    fractions: Mapping
    #: The lowest score of the medium and of the high band, unless the organisation says otherwise.
    default_cutoffs: Mapping
    #: Digits shown for the probability and the impact levels (0: whole numbers).
    digits: tuple[int, int]

    @property
    def integer(self) -> bool:
        return self.digits == (0, 0)

    @property
    def max_score(self):
        return self.score(self.probabilities[-1], self.impacts[-1])

    def score(self, probability, impact):
        if self.integer:
            return int(probability * impact)
        # Rounded so that 0.9 x 0.2 is 0.18 exactly and compares with a cut-off of 0.18 as it reads.
        return round(probability * impact, 4)

    def probability_label(self, value) -> str:
        return f"{value:.{self.digits[0]}f}"

    def impact_label(self, value) -> str:
        return f"{value:.{self.digits[1]}f}"

    def level(self, what: str, value: Any, whose: str = ""):
        """`value` as one of the scale's levels for `what` ("probability" or "impact")."""
        levels = self.probabilities if what == "probability" else self.impacts
        label = self.probability_label if what == "probability" else self.impact_label
        allowed = ", ".join(label(level) for level in levels)
        problem = f"the {what}{whose} must be one of {allowed} on the {self.name} scale, not {value!r}"
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
            raise ValueError(problem)
        for level in levels:
            if math.isclose(value, level, rel_tol=0, abs_tol=1e-9):
                return level
        raise ValueError(problem)


PMBOK = RiskScale(
    name="pmbok",
    probabilities=(0.1, 0.3, 0.5, 0.7, 0.9),
    impacts=(0.05, 0.10, 0.20, 0.40, 0.80),
    fractions={p: p for p in (0.1, 0.3, 0.5, 0.7, 0.9)},
    default_cutoffs={MEDIUM: 0.05, HIGH: 0.18},
    digits=(1, 2),
)
ORDINAL = RiskScale(
    name="ordinal",
    probabilities=(1, 2, 3, 4, 5),
    impacts=(1, 2, 3, 4, 5),
    # Level n of 5 stands for the same probability as the nth PMBOK level.
    fractions={1: 0.1, 2: 0.3, 3: 0.5, 4: 0.7, 5: 0.9},
    default_cutoffs={MEDIUM: 5, HIGH: 15},
    digits=(0, 0),
)
SCALES = {scale.name: scale for scale in (PMBOK, ORDINAL)}


def band_of(score: float, cutoffs: Mapping) -> str:
    """The rating band of a score: high from ``cutoffs["high"]``, medium from ``cutoffs["medium"]``."""
    if score >= cutoffs[HIGH]:
        return HIGH
    return MEDIUM if score >= cutoffs[MEDIUM] else LOW


@dataclass(frozen=True)
class Risk:
    """One line of the register, as the learner entered it (scores and ranks are derived).

    `probability` and `impact` are None while the risk is not rated yet."""

    id: str
    cause: str
    event: str
    effect: str
    category: str
    probability: float | None = None
    impact: float | None = None
    kind: str = THREAT
    response: str | None = None
    owner: str = ""
    trigger: str = ""
    monetary_impact: float = 0.0
    status: str = OPEN

    @property
    def description(self) -> str:
        """The risk in the cause -> risk -> effect form of a register's description."""
        return f"{self.cause} → {self.event} → {self.effect}"

    @property
    def rated(self) -> bool:
        """True once both the probability and the impact are given."""
        return self.probability is not None and self.impact is not None


FIELDS = tuple(field.name for field in fields(Risk))
REQUIRED = ("id", "cause", "event", "effect", "category")
#: Columns of `to_frame()` that the register works out itself: ignored when a table is read back.
DERIVED = ("description", "score", "rank", "band", "emv")


class RiskRegister(Exercise):
    """A risk register: risks scored on a probability-impact matrix, ranked, banded and priced.

    `scale`: ``"pmbok"`` (default; probability 0.1-0.9, impact 0.05-0.80) or ``"ordinal"`` (1-5 each).
    `cutoffs`: the lowest score of the medium band and of the high band, ``{"medium": m, "high": h}``:
    a score below m is low, from m up to (not including) h medium, from h high. Organisations set
    their own; the defaults are ``{"medium": 0.05, "high": 0.18}`` on the pmbok scale and
    ``{"medium": 5, "high": 15}`` on the ordinal scale (low 1-4, medium 5-12, high 15-25).
    `categories`: the allowed categories (default: technical, management, commercial, external).
    `risks`: starting risks, a DataFrame (for instance a case table or another register's
    `to_frame()`) or a list of dicts; a saved answer, when there is one, replaces them: it is the
    learner's work. A starting risk without probability and impact is "not rated yet".

    Ranks: 1 is the highest score; equal scores go higher impact first, then by id (text order).
    EMV of a risk: probability (as a fraction; ordinal level n is 0.1, 0.3, 0.5, 0.7, 0.9 for
    n = 1..5) x monetary impact, negative for a threat, positive for an opportunity. Ranks cover
    every rated risk; `total_emv()`, `contingency_reserve()`, `in_band()` and `in_cell()` (and so the
    heat map) count the open ones: a closed risk can no longer happen. A risk not rated yet has no
    score, band, rank or EMV (None) and is left out of all of these until it is rated (`unrated`
    lists them).

    >>> r = RiskRegister(None)
    >>> r.add("R01", cause="Interface engine untested", event="lab results fail to file",
    ...       effect="delayed treatment", category="technical", probability=0.3, impact=0.4,
    ...       monetary_impact=50_000)
    >>> r.score("R01"), r.band("R01"), r.emv("R01")
    (0.12, 'medium', -15000.0)
    """

    kind = "RiskRegister"

    def __init__(self, exercise_id: str | None, risks=None, *, scale: str = "pmbok", cutoffs=None,
                 categories=None, directory=None) -> None:
        if not isinstance(scale, str) or scale not in SCALES:
            raise ValueError(f"unknown scale {scale!r}; the scale is one of: {', '.join(SCALES)}")
        self._scale = SCALES[scale]
        self._cutoffs = _checked_cutoffs(cutoffs, self._scale)
        self._categories = _checked_categories(categories)
        super().__init__(exercise_id, directory=directory)
        self._risks: dict[str, Risk] = {}
        for values in _rows_of(risks):
            risk = self._checked(values, taken=self._risks)
            self._risks[risk.id] = risk
        self._load_saved_answer()

    # -- the register's settings ---------------------------------------------------------------

    @property
    def scale(self) -> str:
        return self._scale.name

    @property
    def probability_levels(self) -> tuple:
        return self._scale.probabilities

    @property
    def impact_levels(self) -> tuple:
        return self._scale.impacts

    @property
    def cutoffs(self) -> dict:
        return dict(self._cutoffs)

    @property
    def categories(self) -> tuple[str, ...]:
        return self._categories

    def probability_label(self, value) -> str:
        return self._scale.probability_label(value)

    def impact_label(self, value) -> str:
        return self._scale.impact_label(value)

    def cell_score(self, probability, impact):
        """The score of one cell of the matrix (both values must be levels of the scale)."""
        return self._scale.score(self._scale.level("probability", probability),
                                 self._scale.level("impact", impact))

    # -- answering -----------------------------------------------------------------------------

    @property
    def ids(self) -> list[str]:
        return list(self._risks)

    def _get(self, risk_id: str) -> Risk:
        try:
            return self._risks[risk_id]
        except (KeyError, TypeError):
            known = ", ".join(self._risks) or "none yet"
            raise KeyError(f"unknown risk {risk_id!r}; known: {known}") from None

    def add(self, id: str, *, cause: str, event: str, effect: str, category: str, probability=None,
            impact=None, kind: str = THREAT, response: str | None = None, owner: str = "", trigger: str = "",
            monetary_impact: float = 0.0, status: str = OPEN) -> None:
        """Add a risk: `event` is the risk itself, `cause` what could bring it about, `effect` what
        it would do to the project's objectives. Without `probability` and `impact` it is added as
        not rated yet."""
        values = dict(id=id, cause=cause, event=event, effect=effect, category=category,
                      probability=probability, impact=impact, kind=kind, response=response, owner=owner,
                      trigger=trigger, monetary_impact=monetary_impact, status=status)
        risk = self._checked(values, taken=self._risks)
        self._risks[risk.id] = risk
        self._changed()

    def update(self, id: str, /, **changes) -> None:
        """Change some fields of a risk (its id too: ``update("R1", id="R01")``), checked as strictly
        as `add`."""
        old = self._get(id)
        others = {key: risk for key, risk in self._risks.items() if key != id}
        risk = self._checked({**asdict(old), **changes}, taken=others)
        # The risk keeps its place in the register, under its new id if it got one.
        self._risks = {(risk.id if key == id else key): (risk if key == id else value)
                       for key, value in self._risks.items()}
        self._changed()

    def set_response(self, id: str, response: str | None) -> None:
        """Choose the response strategy (None: not decided yet)."""
        self.update(id, response=response)

    def remove(self, id: str) -> None:
        self._get(id)
        del self._risks[id]
        self._changed()

    # -- reading -------------------------------------------------------------------------------

    def risk(self, id: str) -> Risk:
        return replace(self._get(id))

    def description(self, id: str) -> str:
        return self._get(id).description

    def is_rated(self, id: str) -> bool:
        """True once the risk has both a probability and an impact."""
        return self._get(id).rated

    @property
    def unrated(self) -> list[str]:
        """The ids of the risks not rated yet, in register order."""
        return [risk.id for risk in self._risks.values() if not risk.rated]

    def score(self, id: str):
        """Probability x impact; None while the risk is not rated yet."""
        risk = self._get(id)
        if not risk.rated:
            return None
        return self._scale.score(risk.probability, risk.impact)

    def band(self, id: str) -> str | None:
        """low, medium or high; None while the risk is not rated yet."""
        score = self.score(id)
        return None if score is None else band_of(score, self._cutoffs)

    def _ranks(self) -> dict[str, int]:
        def order(risk: Risk):
            return (-self._scale.score(risk.probability, risk.impact), -risk.impact, risk.id)

        rated = sorted((risk for risk in self._risks.values() if risk.rated), key=order)
        return {risk.id: place for place, risk in enumerate(rated, 1)}

    def rank(self, id: str) -> int | None:
        """1 for the highest score; equal scores: higher impact first, then by id. None while the
        risk is not rated yet."""
        self._get(id)
        return self._ranks().get(id)

    def ranking(self) -> list[str]:
        """The ids of the rated risks from rank 1 down."""
        ranks = self._ranks()
        return sorted(ranks, key=ranks.get)

    def emv(self, id: str) -> float | None:
        """Expected monetary value: probability x monetary impact, negative for a threat; None
        while the risk is not rated yet."""
        risk = self._get(id)
        if not risk.rated:
            return None
        sign = -1 if risk.kind == THREAT else 1
        # + 0.0: a threat with no monetary impact reads 0.0, not -0.0.
        return round(sign * self._scale.fractions[risk.probability] * risk.monetary_impact, 2) + 0.0

    def _selected(self, status: str | None) -> list[Risk]:
        if status is not None and status not in STATUSES:
            raise ValueError(f"unknown status {status!r}; one of: {', '.join(STATUSES)} (or None for all)")
        return [risk for risk in self._risks.values() if status is None or risk.status == status]

    def total_emv(self, *, status: str | None = OPEN) -> float:
        """The sum of the EMVs of the open risks (closed ones can no longer happen); None: all risks.
        Risks not rated yet have no EMV and are not counted."""
        return round(sum(self.emv(risk.id) for risk in self._selected(status) if risk.rated), 2) + 0.0

    def contingency_reserve(self, *, offset_by_opportunities: bool = False) -> float:
        """What to set aside for the open threats' expected losses: minus the sum of their EMVs.

        By default opportunities do not reduce it (a gain may not come when a loss does). With
        `offset_by_opportunities=True` the open opportunities' EMVs are set against it, down to 0.
        Risks not rated yet are not counted.
        """
        if not isinstance(offset_by_opportunities, bool):
            raise ValueError("offset_by_opportunities must be True or False, "
                             f"not {offset_by_opportunities!r}")
        kinds = KINDS if offset_by_opportunities else (THREAT,)
        total = sum(self.emv(risk.id) for risk in self._selected(OPEN) if risk.kind in kinds and risk.rated)
        # + 0.0: no reserve reads 0.0, not -0.0.
        return max(round(-total, 2), 0.0) + 0.0

    def in_band(self, band: str, *, status: str | None = OPEN) -> list[str]:
        """The ids of the (open, by default) rated risks in a rating band, by rank."""
        if band not in BANDS:
            raise ValueError(f"unknown band {band!r}; one of: {', '.join(BANDS)}")
        chosen = {risk.id for risk in self._selected(status)}
        return [id for id in self.ranking() if id in chosen and self.band(id) == band]

    def in_cell(self, probability, impact, *, status: str | None = OPEN) -> list[str]:
        """The ids of the (open, by default) risks in one cell of the matrix, by rank."""
        probability = self._scale.level("probability", probability)
        impact = self._scale.level("impact", impact)
        chosen = {risk.id for risk in self._selected(status)
                  if (risk.probability, risk.impact) == (probability, impact)}
        return [id for id in self.ranking() if id in chosen]

    def to_frame(self):
        """Every field plus description, score, rank, band and EMV, one row a risk, sorted by rank;
        the risks not rated yet come last, in register order, with no score, rank, band or EMV (NA)."""
        import pandas as pd

        columns = ["id", "description", *FIELDS[1:7], "score", "rank", "band", *FIELDS[7:12], "emv", "status"]
        ranks = self._ranks()
        rows = []
        for id in [*sorted(ranks, key=ranks.get), *self.unrated]:
            risk = self._risks[id]
            rows.append({**asdict(risk), "description": risk.description, "score": self.score(id),
                         "rank": ranks.get(id), "band": self.band(id), "emv": self.emv(id)})
        frame = pd.DataFrame(rows, columns=columns)
        if self.unrated:
            # Missing figures read as NA in numeric columns, and ranks stay whole numbers beside them.
            for column in ("probability", "impact", "score", "emv"):
                frame[column] = pd.to_numeric(frame[column])
            frame["rank"] = frame["rank"].astype("Int64")
        return frame.set_index("id")

    # -- checking input ------------------------------------------------------------------------

    def _checked(self, values: Mapping, *, taken: Mapping) -> Risk:
        """A Risk from field values, each checked; ValueError saying what is allowed otherwise."""
        unknown = sorted(set(values) - set(FIELDS))
        if unknown:
            raise ValueError(f"unknown risk field {', '.join(map(repr, unknown))}; "
                             f"the fields are: {', '.join(FIELDS)}")
        missing = [name for name in REQUIRED if name not in values]
        if missing:
            raise ValueError(f"risk {values.get('id', '(no id)')!r} needs: {', '.join(missing)}")
        risk_id = values["id"]
        if not isinstance(risk_id, str) or not ID_RULE.fullmatch(risk_id):
            raise ValueError(f"risk id {risk_id!r} is not allowed: use {ID_HELP}")
        if risk_id in taken:
            raise ValueError(f"risk id {risk_id!r} is already in the register: each risk needs its own id")
        checked: dict[str, Any] = {"id": risk_id}
        for name in ("cause", "event", "effect"):
            checked[name] = _text(name, risk_id, values[name], required=True)
        for name in ("owner", "trigger"):
            checked[name] = _text(name, risk_id, values.get(name, ""), required=False)
        checked["category"] = _one_of("category", risk_id, values["category"], self._categories)
        whose = f" of risk {risk_id!r}"
        for name in ("probability", "impact"):
            # None: not rated yet.
            value = values.get(name)
            checked[name] = None if value is None else self._scale.level(name, value, whose)
        kind = checked["kind"] = _one_of("kind", risk_id, values.get("kind", THREAT), KINDS)
        checked["response"] = _response(risk_id, kind, values.get("response"))
        checked["monetary_impact"] = _money(risk_id, values.get("monetary_impact", 0.0))
        checked["status"] = _one_of("status", risk_id, values.get("status", OPEN), STATUSES)
        return Risk(**checked)

    # -- durable answers and display -----------------------------------------------------------

    def _dump(self) -> dict[str, Any]:
        return {"scale": self.scale, "risks": [asdict(risk) for risk in self._risks.values()]}

    def _restore(self, data: dict[str, Any]) -> None:
        # Check everything before changing anything: a bad file leaves the register as it was.
        if data.get("scale") != self.scale:
            raise ValueError(f"it was made on the {data.get('scale')!r} scale, "
                             f"this register uses {self.scale!r}")
        saved = data["risks"]
        if not isinstance(saved, list):
            raise ValueError("the risks are not a list")
        risks: dict[str, Risk] = {}
        for values in saved:
            if not isinstance(values, dict):
                raise ValueError(f"a saved risk is not a record: {values!r}")
            risk = self._checked(values, taken=risks)
            risks[risk.id] = risk
        self._risks = risks

    def _make_view(self):
        from .views.risk_register import RiskRegisterView

        return RiskRegisterView(self)

    def drag_view(self):
        """The matrix as markers to drag to a cell, or to move with the arrow keys."""
        from .dragdrop import RiskMatrixDragView

        return RiskMatrixDragView(self)

    def __repr__(self) -> str:
        open_risks = len(self._selected(OPEN))
        unrated = f", {len(self.unrated)} not rated yet" if self.unrated else ""
        return (f"<RiskRegister {self.exercise_id!r} ({self.scale} scale): {len(self._risks)} risks, "
                f"{open_risks} open{unrated}>")


def _text(what: str, risk_id: str, value: Any, *, required: bool) -> str:
    if not isinstance(value, str):
        raise ValueError(f"the {what} of risk {risk_id!r} must be text, not {type(value).__name__}")
    value = value.strip()
    if required and not value:
        raise ValueError(f"the {what} of risk {risk_id!r} is empty: "
                         "a risk reads cause → risk (event) → effect")
    return value


def _one_of(what: str, risk_id: str, value: Any, allowed) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"the {what} of risk {risk_id!r} must be one of: {', '.join(allowed)}; "
                         f"not {value!r}")
    return value


def _response(risk_id: str, kind: str, value: Any) -> str | None:
    if value is None or value == "":
        return None
    allowed = RESPONSES[kind]
    if isinstance(value, str) and value in allowed:
        return value
    other = OPPORTUNITY if kind == THREAT else THREAT
    hint = f" (it is a response to {_a(other)})" if value in RESPONSES[other] else ""
    raise ValueError(f"{value!r} is not a response to {_a(kind)}{hint}; risk {risk_id!r} is {_a(kind)}, "
                     f"so its response is one of: {', '.join(allowed)} (or None: not decided yet)")


def _a(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def _money(risk_id: str, value: Any) -> float:
    if (isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value)
            or value < 0):
        raise ValueError(f"the monetary impact of risk {risk_id!r} must be an amount of 0 or more "
                         f"(what the risk would cost or gain if it happens), not {value!r}")
    return float(value)


def _checked_cutoffs(cutoffs, scale: RiskScale) -> dict:
    if cutoffs is None:
        return dict(scale.default_cutoffs)
    example = ", ".join(f"{key!r}: {value}" for key, value in scale.default_cutoffs.items())
    rule = (f"cutoffs are the lowest score of the medium and of the high band, "
            f"e.g. {{{example}}} on the {scale.name} scale")
    if not isinstance(cutoffs, Mapping) or set(cutoffs) != {MEDIUM, HIGH}:
        raise ValueError(f"{rule}; not {cutoffs!r}")
    medium, high = cutoffs[MEDIUM], cutoffs[HIGH]
    for value in (medium, high):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
            raise ValueError(f"{rule}; {value!r} is not a number")
    if not 0 < medium < high <= scale.max_score:
        raise ValueError(f"{rule}: they need 0 < medium < high <= {scale.max_score} (the highest score); "
                         f"not medium {medium!r}, high {high!r}")
    return {MEDIUM: medium, HIGH: high}


def _checked_categories(categories) -> tuple[str, ...]:
    if categories is None:
        return DEFAULT_CATEGORIES
    if isinstance(categories, str):
        raise ValueError("give the categories as a list of names, not a single string")
    names = tuple(categories)
    if not names or not all(isinstance(name, str) and name.strip() == name and name for name in names):
        raise ValueError(f"categories must be a list of non-empty names without outer spaces; not {names!r}")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"categories must be unique; repeated: {', '.join(repeated)}")
    return names


def _rows_of(risks) -> list[dict]:
    """Starting risks as field dicts: from None, a DataFrame (id as a column or the index) or dicts."""
    if risks is None:
        return []
    import pandas as pd

    if isinstance(risks, pd.DataFrame):
        frame = risks
        if "id" not in frame.columns:
            if frame.index.name != "id":
                raise ValueError("a risk table needs an 'id' column (or index)")
            frame = frame.reset_index()
        records = frame.to_dict("records")
    elif isinstance(risks, str | bytes | Mapping):
        raise ValueError("give the starting risks as a DataFrame or a list of dicts, one a risk")
    else:
        records = list(risks)
        if not all(isinstance(record, Mapping) for record in records):
            raise ValueError("give the starting risks as a DataFrame or a list of dicts, one a risk")
    rows = []
    for record in records:
        row = {}
        for key, value in record.items():
            if key in DERIVED or is_missing(value):
                continue  # derived columns are worked out again; an empty cell takes the default
            row[key] = value.item() if hasattr(value, "item") and not isinstance(value, str) else value
        rows.append(row)
    return rows

