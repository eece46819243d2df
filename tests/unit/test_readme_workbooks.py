"""README's table of workbooks lists every workbook with the points its nbgrader metadata gives."""

import re

import nbformat
import pytest

from ..conftest import REPO

WORKBOOKS = sorted(p for p in (REPO / "workbooks").glob("*/*.ipynb"))
ROW = re.compile(r"^\| `(?P<name>ps\d\d-[\w-]+)`:.*\| (?P<auto>\d+) points \| (?P<manual>\d+) points", re.M)


def readme_rows():
    return {match["name"]: (int(match["auto"]), int(match["manual"]))
            for match in ROW.finditer((REPO / "README.md").read_text(encoding="utf-8"))}


def points(path):
    """(autograded, manually graded) points: test cells grade code, solution cells are graded by hand."""
    auto = manual = 0
    for cell in nbformat.read(path, as_version=4).cells:
        kind = cell.metadata.get("nbgrader", {})
        if kind.get("grade"):
            if kind.get("solution"):
                manual += kind["points"]
            else:
                auto += kind["points"]
    return auto, manual


def test_the_readme_lists_every_workbook_and_nothing_else():
    assert set(readme_rows()) == {path.parent.name for path in WORKBOOKS}


@pytest.mark.parametrize("path", WORKBOOKS, ids=[p.parent.name for p in WORKBOOKS])
def test_the_readme_gives_each_workbooks_points(path):
    assert readme_rows()[path.parent.name] == points(path), "update README.md's table of workbooks"


KEYED = [path for path in WORKBOOKS if (path.parent / "answer_key.py").is_file()]


@pytest.mark.parametrize("path", KEYED, ids=[p.parent.name for p in KEYED])
def test_the_readme_gives_each_answer_keys_points(path):
    from hitpm_widgets.grading import answer_key

    key = answer_key.load(path.parent)
    assert readme_rows()[path.parent.name] == (sum(key.POINTS.values()), sum(key.MANUAL.values()))
