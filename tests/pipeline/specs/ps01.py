"""ps01-emr-stakeholders: the stakeholder map, answered through the widget's model."""

import pytest

from hitpm_widgets import StakeholderMap, load_case

from ...conftest import FIXTURES
from ..course import read_json
from .spec import Workbook, answer_key, write_cells

ASSIGNMENT = "ps01-emr-stakeholders"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
KEY = answer_key(ASSIGNMENT)
# A right learner's placements and salience attributes (what they do, not what is accepted: the key says that).
REFERENCE = read_json(FIXTURES / "emr_stakeholder_reference.json")
# Two placements wrong: the CFO put low on interest (an executive, and one the go-live needs managed
# closely) and the community practices put high on interest (external).
WRONG = {"CFO": (9, 2), "Community practices": (2, 6)}


def answer_through_the_model(folder, wrong=None):
    """What a learner does in the widget: only the model's answer file changes, no code cell.
    `wrong` places some stakeholders elsewhere: {name: (power, interest)}."""
    wrong = wrong or {}
    names = list(load_case("emr-rollout").stakeholders["name"])
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("HITPM_ANSWERS_DIR", raising=False)
        smap = StakeholderMap(ASSIGNMENT, names, directory=folder)
        for name, reference in REFERENCE["stakeholders"].items():
            power, interest = wrong.get(name, (reference["power"], reference["interest"]))
            smap.place(name, power=power, interest=interest)
            smap.set_salience(name, **reference["salience"])


def answer(folder, partly_wrong):
    answer_through_the_model(folder, WRONG if partly_wrong else None)


def write_engagement_plan(notebook_path):
    write_cells(notebook_path, {
        "ps01-answer-plan": ("| stakeholder | action | by |\n| --- | --- | --- |\n"
                             "| Nurses union | paid training time | 1 May |"),
    })


SPEC = Workbook(
    assignment=ASSIGNMENT,
    points=KEY.POINTS,
    manual=KEY.MANUAL,
    answer_files=(ASSIGNMENT,),
    answer=answer,
    write=write_engagement_plan,
    partly_lost=frozenset({"ps01-test-quadrants-executive", "ps01-test-quadrants-external",
                           "ps01-test-manage-closely"}),
    partly_total=5,
    secrets=("check_quadrants(", "check_manage_closely(\\n    smap", "smap.place('CMIO'"),
)

# For the grading tests and the self-check tests, which hand in ps01 answers too.
POINTS = SPEC.points
PARTLY_LOST = set(SPEC.partly_lost)
