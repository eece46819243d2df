"""Stock `nbgrader validate` passes on every source workbook, and leaves no answer file beside it."""

import pytest

from ..conftest import REPO
from .course import CourseCopy

WORKBOOKS = sorted(p.parent.name for p in (REPO / "workbooks").glob("*/*.ipynb"))


@pytest.mark.parametrize("assignment", WORKBOOKS)
def test_stock_nbgrader_validate_passes_on_the_source(tmp_path, assignment):
    course = CourseCopy(tmp_path)
    result = course.nbgrader("validate", f"workbooks/{assignment}/{assignment}.ipynb")
    assert "Success! Your notebook passes all the tests." in result.stdout + result.stderr
    assert not (REPO / "workbooks" / assignment / ".hitpm").exists()
