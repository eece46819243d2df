"""The class learner's first layout: written once, never over a layout the learner has."""

import json

from hitpm_widgets.lab_layout import ASSIGNMENT_LIST, write_first_layout

START = "hitpm-workspace/course/00-start-here.ipynb"


def test_the_first_layout_puts_the_start_page_in_front_and_the_assignment_list_beside_it(tmp_path):
    written = write_first_layout(START, tmp_path)
    space = json.loads(written.read_text())
    assert space["metadata"]["id"] in ("default", "/default")
    main = space["data"]["layout-restorer:data"]["main"]
    areas = [area["widgets"] for area in main["dock"]["children"]]
    assert areas == [[f"notebook:{START}"], [ASSIGNMENT_LIST]]
    assert main["current"] == f"notebook:{START}"
    assert space["data"][f"notebook:{START}"]["data"] == {"path": START, "factory": "Notebook"}


def test_a_layout_the_learner_has_is_kept(tmp_path):
    first = write_first_layout(START, tmp_path)
    theirs = json.loads(first.read_text())
    theirs["data"] = {"layout-restorer:data": {"main": {"dock": None}}}
    first.write_text(json.dumps(theirs))
    assert write_first_layout(START, tmp_path) is None
    assert json.loads(first.read_text())["data"] == theirs["data"]
    assert [p.name for p in tmp_path.iterdir()] == [first.name]
