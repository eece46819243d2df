"""Computerised system validation: the traceability matrix and a 21 CFR Part 11 checklist.

In the V-model each specification is verified by a qualification: user requirements by performance
qualification (PQ), the functional specification by operational qualification (OQ), the design
(configuration) specification by installation qualification (IQ). The traceability matrix links
every user requirement to the test scripts that verify it, so that gaps show in both directions:
requirements nobody tests, and tests that trace to no requirement.

The Part 11 controls below paraphrase 21 CFR Part 11 (§11.10 for closed systems, then the
electronic signature sections); they are a study aid, not the text of the regulation.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .tabular import as_frame, is_missing

TEST_STATUSES = ("passed", "failed", "not run")
SEVERITIES = ("critical", "major", "minor")
#: A requirement's status in `TraceabilityMatrix.requirement_status()`.
REQUIREMENT_STATUSES = ("verified", "failed", "incomplete", "untested")
#: `covers` lists requirement ids separated by semicolons; commas are read the same way.
_ID_SEPARATORS = re.compile(r"[;,]")

_DEFAULT_SEVERITY = "severity_if_failed"
_DEFAULT_GXP = "gxp_critical"



def _require_column(frame, column: str, what: str) -> None:
    if column not in frame.columns:
        known = ", ".join(map(str, frame.columns)) or "none"
        raise ValueError(f"the {what} table has no column {column!r}; its columns: {known}")


def _ids(frame, column: str, what: str) -> list[str]:
    ids = []
    for number, value in enumerate(frame[column], start=1):
        text = "" if is_missing(value) else str(value).strip()
        if not text:
            raise ValueError(f"the {what} table has an empty {column!r} in row {number}; every row needs an id")
        ids.append(text)
    repeated = sorted(i for i, n in Counter(ids).items() if n > 1)
    if repeated:
        raise ValueError(f"the {what} table repeats the {column!r} {', '.join(repeated)}; ids must be unique")
    return ids


def _split_ids(value: Any) -> list[str]:
    """Requirement ids from one `covers` cell: text separated by ';' (or ','), or a list of ids."""
    if is_missing(value):
        return []
    parts = [str(v) for v in value] if isinstance(value, list | tuple) else _ID_SEPARATORS.split(str(value))
    ids: list[str] = []
    for part in parts:
        text = part.strip()
        if text and text not in ids:
            ids.append(text)
    return ids


def _choice(value: Any, allowed: tuple[str, ...], what: str) -> str:
    text = value.strip().lower() if isinstance(value, str) else value
    if text not in allowed:
        shown = "empty" if is_missing(value) else repr(value)
        raise ValueError(f"{what} is {shown}; allowed: {', '.join(repr(a) for a in allowed)}")
    return text


@dataclass(frozen=True)
class Coverage:
    """How many requirements have at least one test, and at least one passed test."""

    requirements: int
    tested: int
    passed: int

    @property
    def tested_share(self) -> float:
        return self.tested / self.requirements if self.requirements else 0.0

    @property
    def passed_share(self) -> float:
        return self.passed / self.requirements if self.requirements else 0.0


class TraceabilityMatrix:
    """Requirements traced to test scripts, and what the results mean for release.

    `requirements` needs an id column; `tests` needs an id, a `covers` column (requirement ids
    separated by ';') and a status (passed, failed or not run). Two columns are used when present:
    the tests' severity (critical, major, minor) and the requirements' GxP-critical flag. Give
    ``severity=None`` or ``gxp_critical=None`` to ignore them.

    >>> m = TraceabilityMatrix(
    ...     [{"req_id": "URS-1"}, {"req_id": "URS-2"}],
    ...     [{"test_id": "OQ-1", "covers": "URS-1", "status": "passed"}],
    ... )
    >>> m.untested_requirements()
    ['URS-2']
    """

    def __init__(
        self,
        requirements,
        tests,
        *,
        requirement_id: str = "req_id",
        test_id: str = "test_id",
        covers: str = "covers",
        status: str = "status",
        severity: str | None = _DEFAULT_SEVERITY,
        gxp_critical: str | None = _DEFAULT_GXP,
    ) -> None:
        requirements = as_frame(requirements, "the requirements table")
        tests = as_frame(tests, "the tests table")
        _require_column(requirements, requirement_id, "requirements")
        for column in (test_id, covers, status):
            _require_column(tests, column, "tests")
        self.requirement_id, self.test_id = requirement_id, test_id
        self.requirement_ids = _ids(requirements, requirement_id, "requirements")
        self.test_ids = _ids(tests, test_id, "tests")

        self._covers = dict(zip(self.test_ids, (_split_ids(v) for v in tests[covers]), strict=True))
        self._status = {
            test: _choice(value, TEST_STATUSES, f"the status of test {test!r}")
            for test, value in zip(self.test_ids, tests[status], strict=True)
        }
        self._severity: dict[str, str | None] = dict.fromkeys(self.test_ids)
        self.has_severity = _optional_column(tests, severity, _DEFAULT_SEVERITY, "tests")
        if self.has_severity:
            for test, value in zip(self.test_ids, tests[severity], strict=True):
                if not is_missing(value) and str(value).strip():
                    self._severity[test] = _choice(value, SEVERITIES, f"the severity of test {test!r}")
        self._gxp: dict[str, bool] = dict.fromkeys(self.requirement_ids, False)
        self.has_gxp_critical = _optional_column(requirements, gxp_critical, _DEFAULT_GXP, "requirements")
        if self.has_gxp_critical:
            for req, value in zip(self.requirement_ids, requirements[gxp_critical], strict=True):
                self._gxp[req] = _gxp_flag(value, req, gxp_critical)

    # -- tracing -------------------------------------------------------------------------------

    def _known(self, test: str) -> list[str]:
        known = set(self.requirement_ids)
        return [req for req in self._covers[test] if req in known]

    def tests_of(self, requirement: str) -> list[str]:
        """The tests that trace to one requirement, in the tests' order."""
        if requirement not in self._gxp:
            raise KeyError(f"unknown requirement {requirement!r}; known: {', '.join(self.requirement_ids)}")
        return [test for test in self.test_ids if requirement in self._covers[test]]

    def matrix(self):
        """Requirements (rows) against tests (columns): True where the test traces to the requirement."""
        import numpy as np
        import pandas as pd

        row = {req: i for i, req in enumerate(self.requirement_ids)}
        cells = np.zeros((len(self.requirement_ids), len(self.test_ids)), dtype=bool)
        for column, test in enumerate(self.test_ids):
            for req in self._known(test):
                cells[row[req], column] = True
        return pd.DataFrame(
            cells,
            index=pd.Index(self.requirement_ids, name=self.requirement_id),
            columns=pd.Index(self.test_ids, name=self.test_id),
        )

    def untested_requirements(self, *, gxp_critical_only: bool = False) -> list[str]:
        """Requirements no test traces to, in the requirements' order."""
        if gxp_critical_only and not self.has_gxp_critical:
            raise ValueError("gxp_critical_only needs a GxP-critical column in the requirements table")
        tested = {req for test in self.test_ids for req in self._covers[test]}
        return [
            req for req in self.requirement_ids
            if req not in tested and (self._gxp[req] or not gxp_critical_only)
        ]

    def orphan_tests(self) -> list[str]:
        """Tests that trace to no requirement of the table (none named, or only unknown ids)."""
        return [test for test in self.test_ids if not self._known(test)]

    def unknown_references(self):
        """(test, requirement) pairs where a test names a requirement id the table does not have."""
        import pandas as pd

        known = set(self.requirement_ids)
        pairs = [(test, req) for test in self.test_ids for req in self._covers[test] if req not in known]
        return pd.DataFrame(pairs, columns=[self.test_id, self.requirement_id])

    # -- results -------------------------------------------------------------------------------

    def blocking_failures(self, blocking_severities: Iterable[str] = ("critical", "major")):
        """Failed tests that block release, with the reason.

        The rule: a failed test blocks release when its deviation is graded one of
        `blocking_severities`, or when it traces to a GxP-critical requirement (whatever its
        severity: a GxP-critical requirement is not verified while any of its tests fails), or when
        no severity was recorded (nobody has yet judged the failure harmless).
        """
        import pandas as pd

        if isinstance(blocking_severities, str):
            blocking_severities = (blocking_severities,)
        blocking = {_choice(s, SEVERITIES, "a blocking severity") for s in blocking_severities}
        rows = []
        for test in self.test_ids:
            if self._status[test] != "failed":
                continue
            severity = self._severity[test]
            critical_reqs = [req for req in self._known(test) if self._gxp[req]]
            reasons = []
            if severity is None:
                reasons.append("no severity recorded")
            elif severity in blocking:
                reasons.append(f"{severity} deviation")
            if critical_reqs:
                reasons.append(f"traces to GxP-critical {', '.join(critical_reqs)}")
            if reasons:
                rows.append((test, severity, "; ".join(critical_reqs), "; ".join(reasons)))
        return pd.DataFrame(rows, columns=[self.test_id, "severity", "gxp_critical_requirements", "reason"])

    def coverage(self) -> Coverage:
        """Requirements with at least one test, and with at least one passed test."""
        status = self.requirement_status()
        return Coverage(
            requirements=len(status),
            tested=int((status["tests"] > 0).sum()),
            passed=int((status["passed"] > 0).sum()),
        )

    def requirement_status(self):
        """One row a requirement: its tests, their results and a status.

        Status: 'untested' (no test traces to it), 'failed' (at least one of its tests failed),
        'verified' (every one of its tests passed), otherwise 'incomplete' (some not run yet).
        """
        import pandas as pd

        rows = []
        for req in self.requirement_ids:
            tests = self.tests_of(req)
            counts = {s: sum(self._status[t] == s for t in tests) for s in TEST_STATUSES}
            if not tests:
                status = "untested"
            elif counts["failed"]:
                status = "failed"
            elif counts["passed"] == len(tests):
                status = "verified"
            else:
                status = "incomplete"
            row = {
                self.requirement_id: req,
                "test_ids": "; ".join(tests),
                "tests": len(tests),
                "passed": counts["passed"],
                "failed": counts["failed"],
                "not_run": counts["not run"],
                "status": status,
            }
            if self.has_gxp_critical:
                row["gxp_critical"] = self._gxp[req]
            rows.append(row)
        return pd.DataFrame(rows).set_index(self.requirement_id)

    def __repr__(self) -> str:
        return (
            f"<TraceabilityMatrix: {len(self.requirement_ids)} requirements, {len(self.test_ids)} tests, "
            f"{len(self.untested_requirements())} requirements untested>"
        )


def _optional_column(frame, column: str | None, default: str, what: str) -> bool:
    """Whether an optional column is used: the default name may be absent, a name you chose may not."""
    if column is None or (column == default and column not in frame.columns):
        return False
    _require_column(frame, column, what)
    return True


def _gxp_flag(value: Any, requirement: str, column: str) -> bool:
    import numpy as np

    if isinstance(value, bool | np.bool_):
        return bool(value)
    raise ValueError(f"{column!r} of requirement {requirement!r} must be True or False, not {value!r}")


# -- 21 CFR Part 11 ------------------------------------------------------------------------------

def _control(control_id: str, control: str, requirement: str) -> dict[str, str]:
    return {"control_id": control_id, "section": f"§{control_id}", "control": control, "requirement": requirement}


#: The controls of 21 CFR Part 11 for closed systems and electronic signatures, paraphrased.
PART11_CONTROLS: tuple[dict[str, str], ...] = (
    _control("11.10(a)", "Validation",
             "The system is validated for accuracy, reliability and consistent intended performance, and "
             "can tell invalid or altered records apart."),
    _control("11.10(b)", "Accurate and complete copies",
             "Accurate and complete copies of records can be produced, readable by people and in electronic "
             "form, for the agency to inspect, review and copy."),
    _control("11.10(c)", "Record protection and retention",
             "Records are protected so that they can be retrieved accurately and readily for as long as "
             "they must be kept."),
    _control("11.10(d)", "Limited system access",
             "Only authorised people can get into the system."),
    _control("11.10(e)", "Audit trails",
             "Secure, computer-generated, time-stamped audit trails record who created, changed or deleted "
             "a record and when; a change never hides the earlier value; the audit trail is kept as long "
             "as the record and is available to the agency."),
    _control("11.10(f)", "Operational system checks",
             "The system enforces the allowed order of steps and events where the order matters."),
    _control("11.10(g)", "Authority checks",
             "Only authorised people can use the system, sign a record, change a record or perform an "
             "operation."),
    _control("11.10(h)", "Device checks",
             "Where appropriate, the system checks that data and instructions come from a valid source "
             "(terminal or device)."),
    _control("11.10(i)", "Training of persons",
             "People who build, maintain or use the system have the education, training and experience "
             "their tasks need."),
    _control("11.10(j)", "Signature accountability policies",
             "Written policies hold people accountable for what they sign electronically, to deter "
             "falsification."),
    _control("11.10(k)", "Documentation controls",
             "System documentation is controlled (distribution, access, use) and changed under revision and "
             "change control that keeps a time-ordered record of its changes."),
    _control("11.50", "Signature manifestations",
             "A signed record shows the signer's printed name, the date and time of signing and the meaning "
             "of the signature (review, approval, responsibility, authorship), also on printouts and screens."),
    _control("11.70", "Signature/record linking",
             "Signatures are linked to their records so that they cannot be removed, copied or moved to "
             "falsify another record."),
    _control("11.100", "General requirements for electronic signatures",
             "Each electronic signature belongs to one person only and is never reused or reassigned; the "
             "person's identity is verified first; the organisation certifies to the agency that its "
             "electronic signatures are the legal equivalent of handwritten ones."),
    _control("11.200", "Non-biometric signatures",
             "Signatures without biometrics use at least two distinct components, such as an id and a "
             "password, and are used only by their genuine owners."),
    _control("11.300", "Identification codes and passwords",
             "No two people share an id and password combination; issued ids and passwords are checked, "
             "recalled or revised periodically; lost credentials are withdrawn; attempts at unauthorised "
             "use are detected and reported."),
)

CHECKLIST_STATUSES = ("met", "partly met", "not met", "not applicable")
#: Statuses that make a control a gap to close.
GAP_STATUSES = ("partly met", "not met")


def part11_controls():
    """The Part 11 controls as a DataFrame indexed by control id ('11.10(e)', '11.50', ...)."""
    import pandas as pd

    return pd.DataFrame(list(PART11_CONTROLS)).set_index("control_id")


def _control_key(control_id: Any) -> Any:
    # Learners write '§11.10(e)', '§ 11.10 (e)' or '11.10(e)': all name the same control.
    if not isinstance(control_id, str):
        return control_id
    return re.sub(r"\s+", "", control_id).lstrip("§")


@dataclass(frozen=True)
class ControlAssessment:
    """One control's answer: a status, the feature ids that show it, and a note."""

    status: str
    evidence: tuple[str, ...] = ()
    note: str = ""


class Part11Checklist:
    """A learner's assessment of a system against the 21 CFR Part 11 controls.

    `features` (optional) is the table of the system's features, with a `feature_id` column, or a
    list of feature ids; when given, evidence must cite those ids.

    >>> c = Part11Checklist(["F01", "F04"])
    >>> c.assess("§11.50", "not met", evidence=["F04"], note="no meaning shown")
    >>> c.gaps()
    ['11.50']
    """

    def __init__(self, features=None) -> None:
        self._controls = {c["control_id"]: c for c in PART11_CONTROLS}
        self.feature_ids = None if features is None else _feature_ids(features)
        self._answers: dict[str, ControlAssessment] = {}

    @property
    def control_ids(self) -> list[str]:
        return list(self._controls)

    def _key(self, control_id: Any) -> str:
        key = _control_key(control_id)
        if key not in self._controls:
            raise KeyError(f"unknown Part 11 control {control_id!r}; known: {', '.join(self._controls)}")
        return key

    def assess(self, control_id: str, status: str, evidence: Iterable[str] | str = (), note: str = "") -> None:
        """Mark a control as met, partly met, not met or not applicable, citing feature ids."""
        key = self._key(control_id)
        status = _choice(status, CHECKLIST_STATUSES, f"the status of {key}")
        cited = self._evidence(key, evidence)
        if not isinstance(note, str):
            raise ValueError(f"the note on {key} must be text, not {type(note).__name__}")
        self._answers[key] = ControlAssessment(status=status, evidence=cited, note=note)

    def _evidence(self, key: str, evidence) -> tuple[str, ...]:
        items = [evidence] if isinstance(evidence, str) else evidence
        if not isinstance(items, Iterable):
            raise ValueError(f"the evidence for {key} must be feature ids, not {type(evidence).__name__}")
        cited: list[str] = []
        for item in items:
            if not isinstance(item, str) or not item.strip():
                raise ValueError(f"the evidence for {key} must be feature ids (text), not {item!r}")
            text = item.strip()
            if self.feature_ids is not None and text not in self.feature_ids:
                raise KeyError(f"unknown feature {text!r} cited for {key}; known: {', '.join(self.feature_ids)}")
            if text not in cited:
                cited.append(text)
        return tuple(cited)

    def clear(self, control_id: str) -> None:
        """Take a control back to not assessed."""
        self._answers.pop(self._key(control_id), None)

    def assessment(self, control_id: str) -> ControlAssessment | None:
        """A control's answer, or None while it is not assessed."""
        return self._answers.get(self._key(control_id))

    def status(self, control_id: str) -> str | None:
        answer = self.assessment(control_id)
        return None if answer is None else answer.status

    def gaps(self) -> list[str]:
        """Controls assessed as not met or partly met, in the regulation's order."""
        return [key for key in self._controls if self.status(key) in GAP_STATUSES]

    def unassessed(self) -> list[str]:
        return [key for key in self._controls if key not in self._answers]

    def to_frame(self):
        """The checklist as a DataFrame, one row a control, indexed by control id."""
        import pandas as pd

        rows = []
        for key, control in self._controls.items():
            answer = self._answers.get(key)
            rows.append(
                {
                    "control_id": key,
                    "section": control["section"],
                    "control": control["control"],
                    "status": None if answer is None else answer.status,
                    "evidence": "" if answer is None else "; ".join(answer.evidence),
                    "note": "" if answer is None else answer.note,
                }
            )
        return pd.DataFrame(rows).set_index("control_id")

    def __repr__(self) -> str:
        done = len(self._controls) - len(self.unassessed())
        return f"<Part11Checklist: {done} of {len(self._controls)} controls assessed, {len(self.gaps())} gaps>"


def _feature_ids(features) -> list[str]:
    import pandas as pd

    if isinstance(features, pd.DataFrame):
        if "feature_id" in features.columns:
            values = list(features["feature_id"])
        elif features.index.name == "feature_id":
            values = list(features.index)
        else:
            raise ValueError("the features table needs a 'feature_id' column")
    elif isinstance(features, str) or not isinstance(features, Iterable):
        raise ValueError("give the features as a table with a 'feature_id' column or a list of feature ids")
    else:
        values = list(features)
    ids = []
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"feature ids must be non-empty text, not {value!r}")
        ids.append(value.strip())
    repeated = sorted(i for i, n in Counter(ids).items() if n > 1)
    if repeated:
        raise ValueError(f"feature ids must be unique; repeated: {', '.join(repeated)}")
    return ids
