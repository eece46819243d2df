"""No tool of the learner package returns a graded answer: a graded answer is the learner's own work.

In the learner's venv (the wheel alone, no answer key anywhere), tool_probe.py calls every public function
and class of the package's teaching modules on each workbook's case, as a learner in a class loads it (their
own variant where the case has them), with the workbook's stated settings; and every attribute, property and
argument-free method of what comes back. Here, where the answer keys are, each workbook's `answers(case)`
for that same variant is compared with everything the tools gave:

- a figure is given when a tool returns it within 0.1 % (or as a fraction of a per cent, or the reverse);
  a whole number under 100 only when a tool returns it alone, not as a cell of a table (small counts are
  in every table);
- a list of ids when a tool returns exactly that set (a list, an index, the rows a flag marks);
- an {id: label} mapping when a tool maps every one of its ids to the same label.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from hitpm_widgets.cases import load_case
from hitpm_widgets.variants import Variant

from ..pipeline.shown import keys

pytestmark = pytest.mark.pipeline
PROBE = Path(__file__).with_name("tool_probe.py")
KEYS = keys()


@pytest.fixture(scope="module")
def given_by_tools(learner, tmp_path_factory) -> dict:
    """{assignment: what the package's tools gave on its case}, from the learner's venv."""
    base = tmp_path_factory.mktemp("probe")
    # A workbook whose answers are all judgements (nothing computed) has nothing for a tool to give.
    workbooks = [{"assignment": assignment, "case": key.CASE if isinstance(key.CASE, str) else None,
                  "also": list(getattr(key, "OTHER_CASES", ())), "given": getattr(key, "GIVEN", {})}
                 for assignment, key in KEYS.items()
                 if key.answers(the_case(key, None))]
    (base / "workbooks.json").write_text(json.dumps(workbooks), encoding="utf-8")
    done = subprocess.run([learner["python"], str(PROBE), str(base / "workbooks.json"), str(base / "out.json")],
                          cwd=base, env=learner["env"], capture_output=True, text=True, timeout=1500)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads((base / "out.json").read_text(encoding="utf-8"))


def the_case(key, record: str | None):
    """The workbook's case with the variant the learner in the probe had (published numbers if none)."""
    if not isinstance(key.CASE, str):
        return None
    return load_case(key.CASE, variant=None if record is None else Variant.from_text(record))


def close(value: float, reference: float, scalar: bool) -> bool:
    """`value` gives `reference`: the same computation (a table's cell), or a figure a tool returns alone, within
    0.1 % or as the reference rounded to the decimals the tool shows."""
    if not reference:
        return value == 0
    if abs(value - reference) <= 1e-6 * abs(reference):
        return True
    if not scalar:
        return False  # a cell near a graded figure in some other measure's table is a coincidence
    decimals = len(repr(value).split(".")[1]) if "." in repr(value) and "e" not in repr(value) else 0
    return abs(value - reference) <= 1e-3 * abs(reference) or (decimals <= 3 and round(reference, decimals) == value)


def found_by_tools(answer, given: dict) -> str | None:
    """Where a tool gave `answer`, or None."""
    if isinstance(answer, bool) or answer is None:
        return None
    if isinstance(answer, int | float):
        small_count = float(answer).is_integer() and abs(answer) < 100
        scalars = {value for value, _ in given["scalars"]}
        for value, where in given["scalars" if small_count else "numbers"]:
            for scale in (1, 100, 0.01):
                if close(value * scale, float(answer), value in scalars):
                    return where
        return None
    if isinstance(answer, list | tuple) and answer and all(isinstance(item, str) for item in answer):
        wanted = sorted(set(answer))
        return next((where for ids, where in given["id_sets"] if ids == wanted), None)
    if isinstance(answer, dict) and len(answer) >= 2 and all(isinstance(v, str) for v in answer.values()):
        return next((where for data, where in given["mappings"]
                     if all(data.get(str(k)) == v for k, v in answer.items())), None)
    if isinstance(answer, dict):
        for item in answer.values():
            if (where := found_by_tools(item, given)) is not None:
                return where
    return None


def test_the_probe_tries_the_tools_and_would_see_what_they_give(given_by_tools):
    for assignment, given in given_by_tools.items():
        assert given["calls"] > 100, assignment  # it reached the tools
        assert given["numbers"] and given["id_sets"], assignment
    # What a tool surely gives, seen: the go-live network's critical path (training, proficiency checks, command
    # centre: the variants keep it), which the schedule tools name and a learner is told.
    emr = next(given for assignment, given in given_by_tools.items() if KEYS[assignment].CASE == "emr-rollout")
    assert found_by_tools(["G06", "G07", "G10"], emr) is not None
    # What the comparison catches: a figure, as a fraction of a per cent, a set of ids, a mapping.
    fake = {"numbers": [[0.681, "f()"], [123.456, "g()"], [66.04, "k()"]], "scalars": [[18.0, "h()"], [0.681, "f()"]],
            "id_sets": [[["R1", "R3"], "i()"]], "mappings": [[{"a": "x", "b": "y", "c": "z"}, "j()"]]}
    assert found_by_tools(68.1, fake) == "f()" and found_by_tools(123.5, fake) is None
    assert found_by_tools(18, fake) == "h()" and found_by_tools(17, fake) is None
    assert found_by_tools(66.05, fake) is None  # a cell of another measure's table, 0.1 % off: a coincidence
    assert found_by_tools(["R3", "R1"], fake) == "i()" and found_by_tools(["R1"], fake) is None
    assert found_by_tools({"a": "x", "b": "y"}, fake) == "j()" and found_by_tools({"a": "x", "b": "z"}, fake) is None


@pytest.mark.parametrize("assignment", sorted(KEYS))
def test_no_tool_of_the_learner_package_returns_a_graded_answer(assignment, given_by_tools):
    key = KEYS[assignment]
    if assignment not in given_by_tools:
        assert not key.answers(the_case(key, None))  # judgements only: nothing for a tool to compute
        return
    given = given_by_tools[assignment]
    case = the_case(key, given["variant"])
    if isinstance(key.CASE, str) and case.variants_file is not None:
        assert given["variant"] is not None and case.variant.learner == "oracle-learner"  # the learner's own numbers
    answers = key.answers(case)
    given_away = {name: where for name, answer in answers.items()
                  if (where := found_by_tools(answer, given)) is not None}
    assert not given_away, (f"{assignment}: the learner package computes graded answers: "
                            + "; ".join(f"{name} by {where}" for name, where in given_away.items()))
