"""The case loader: packs load by name from anywhere; a broken pack fails naming file, row and column."""

import csv
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from hitpm_widgets import CaseDataError, available_cases, load_case

from ..conftest import REPO


def rewrite_cell(path, row_number, column, value):
    """Set one cell; row_number counts as a spreadsheet does (the header is row 1)."""
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    rows[row_number - 1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows(rows)


def test_the_emr_case_loads_validated():
    case = load_case("emr-rollout")
    people = case.stakeholders
    assert len(people) >= 14
    assert people["name"].is_unique
    for role in ("CMIO", "CNO", "CFO", "Board", "Vendor"):
        assert role in set(people["name"])
    assert set(people["group"].cat.categories) == {"executive", "clinical", "operations", "external"}
    assert (case.milestones["start"] <= case.milestones["end"]).all()
    assert pd.api.types.is_datetime64_any_dtype(case.milestones["start"])
    assert "Kestrel Bay" in case.narrative
    assert "emr-rollout" in available_cases()


def test_a_case_loads_from_any_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_case("emr-rollout").slug == "emr-rollout"


def test_unknown_case_names_the_available_ones():
    with pytest.raises(KeyError, match="available: .*emr-rollout"):
        load_case("no-such-case")


def test_a_missing_table_is_named():
    with pytest.raises(AttributeError, match="has no table 'risks'; tables: stakeholders"):
        _ = load_case("emr-rollout").risks


def test_a_bad_category_names_file_row_and_column(case_copy):
    rewrite_cell(case_copy / "data" / "stakeholders.csv", 4, "group", "finance")
    with pytest.raises(CaseDataError, match=r"data/stakeholders.csv, row 4, column 'group': 'finance' is not one of"):
        load_case("emr-rollout")


def test_an_empty_required_cell_is_refused(case_copy):
    rewrite_cell(case_copy / "data" / "stakeholders.csv", 7, "controls", " ")
    with pytest.raises(CaseDataError, match=r"row 7, column 'controls': empty, but a value is required"):
        load_case("emr-rollout")


def test_a_bad_date_is_refused(case_copy):
    rewrite_cell(case_copy / "data" / "milestones.csv", 3, "end", "31/02/2025")
    with pytest.raises(CaseDataError, match=r"milestones.csv, row 3, column 'end': '31/02/2025' is not a date"):
        load_case("emr-rollout")


def test_a_repeated_key_is_refused(case_copy):
    path = case_copy / "data" / "stakeholders.csv"
    with path.open(encoding="utf-8", newline="") as stream:
        first = list(csv.reader(stream))[1][0]
    rewrite_cell(path, 5, "name", first)
    with pytest.raises(CaseDataError, match=rf"row 5, column 'name': '{first}' repeats row 2"):
        load_case("emr-rollout")


def test_a_header_that_does_not_match_the_manifest_is_refused(case_copy):
    path = case_copy / "data" / "stakeholders.csv"
    text = path.read_text(encoding="utf-8").replace("change_impact", "impact", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CaseDataError, match=r"missing \['change_impact'\]; not declared \['impact'\]"):
        load_case("emr-rollout")


def test_a_short_row_is_refused(case_copy):
    path = case_copy / "data" / "milestones.csv"
    path.write_text(path.read_text(encoding="utf-8") + "extra phase,2025-01-01\n", encoding="utf-8")
    with pytest.raises(CaseDataError, match=r"milestones.csv, row 11: 2 fields where the header has 5"):
        load_case("emr-rollout")


def test_a_missing_data_file_and_a_bad_manifest_are_named(case_copy):
    (case_copy / "data" / "milestones.csv").unlink()
    with pytest.raises(CaseDataError, match="milestones.csv: the data file is missing"):
        load_case("emr-rollout")
    (case_copy / "manifest.toml").write_text("slug = [", encoding="utf-8")
    with pytest.raises(CaseDataError, match="not valid TOML"):
        load_case("emr-rollout")


def test_ranges_and_numbers_are_checked(tmp_path, monkeypatch):
    pack = tmp_path / "tiny"
    (pack / "data").mkdir(parents=True)
    (pack / "narrative.md").write_text("A tiny case.")
    (pack / "manifest.toml").write_text(textwrap.dedent("""
        slug = "tiny"
        title = "Tiny"
        narrative = "narrative.md"
        [tables.beds]
        file = "data/beds.csv"
        [[tables.beds.columns]]
        name = "ward"
        type = "str"
        [[tables.beds.columns]]
        name = "beds"
        type = "int"
        min = 0
        max = 60
        [[tables.beds.columns]]
        name = "open"
        type = "bool"
        required = false
    """))
    monkeypatch.setenv("HITPM_CASES_PATH", str(tmp_path))
    (pack / "data" / "beds.csv").write_text("ward,beds,open\nA,20,yes\nB,12,\n")
    beds = load_case("tiny").beds
    assert beds["beds"].tolist() == [20, 12] and beds["open"].tolist()[0] is True
    (pack / "data" / "beds.csv").write_text("ward,beds,open\nA,20,yes\nB,99,no\n")
    with pytest.raises(CaseDataError, match=r"row 3, column 'beds': 99 is outside the allowed range 0 to 60"):
        load_case("tiny")
    (pack / "data" / "beds.csv").write_text("ward,beds,open\nA,twenty,yes\n")
    with pytest.raises(CaseDataError, match=r"row 2, column 'beds': 'twenty' is not a whole number"):
        load_case("tiny")


def test_an_installed_kit_carries_its_cases_but_not_the_teaching_notes(tmp_path):
    """A regular (non-editable) install finds the packs inside the package."""
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(wheels), str(REPO)], check=True, capture_output=True)
    target = tmp_path / "site"
    wheel = next(wheels.glob("hitpm-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    assert not list(target.rglob("teaching-note.md"))
    probe = ("import hitpm_widgets, sys; c = hitpm_widgets.load_case('emr-rollout'); "
             "print(hitpm_widgets.__file__); print(len(c.stakeholders))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True,
                          env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"}, check=True)
    location, rows = done.stdout.split()
    assert location.startswith(str(target))
    assert int(rows) == len(load_case("emr-rollout").stakeholders)


def test_money_in_case_text_is_not_typeset_as_mathematics():
    case = load_case("emr-rollout")
    assert "tex2jax_ignore" in case.stakeholders.to_html() or "tex2jax_ignore" in case.stakeholders._repr_html_()
    shown = case.show_narrative().data
    assert "$" in case.narrative and "\\$" in shown and not any(
        shown[i] == "$" and shown[i - 1] != "\\" for i in range(1, len(shown)))
    # MathJax 3 and later (JupyterLab 4) typeset the text Markdown leaves unless told to keep off.
    assert shown.startswith('<div class="mathjax_ignore tex2jax_ignore">\n\n') and shown.endswith("\n\n</div>")
