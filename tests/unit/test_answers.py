"""The answer store: durable, atomic, and safe with bad ids, bad files and nbgrader."""

import errno
import json
import os

import pytest

from hitpm_widgets import AnswerKindError, StakeholderMap
from hitpm_widgets.answers import SOURCE_MARKER, AnswerStore, check_exercise_id

NAMES = ["CFO", "CNO", "Nurses union"]


def make(tmp_path, exercise_id="emr-stakeholders"):
    return StakeholderMap(exercise_id, NAMES, directory=tmp_path)


def answer_file(tmp_path, exercise_id="emr-stakeholders"):
    return tmp_path / ".hitpm" / "answers" / f"{exercise_id}.json"


def test_a_restart_loses_nothing(tmp_path):
    first = make(tmp_path)
    first.place("CFO", power=9, interest=3)
    first.set_salience("CFO", power=True, legitimacy=True, urgency=False)
    first.set_note("CNO", "weekly one-to-one before go-live")
    again = make(tmp_path)  # what a kernel restart and a re-run do
    assert again.quadrant("CFO") == "keep satisfied"
    assert again.salience_class("CFO") == "dominant"
    assert again.assessment("CNO").note == "weekly one-to-one before go-live"
    assert again.quadrant("CNO") is None


def test_every_change_is_saved_with_its_kind(tmp_path):
    model = make(tmp_path)
    model.place("CNO", power=8, interest=9)
    record = json.loads(answer_file(tmp_path).read_text())
    assert record["kind"] == "StakeholderMap"
    assert record["exercise_id"] == "emr-stakeholders"
    assert record["model"]["stakeholders"]["CNO"]["power"] == 8
    model.place("CNO", power=2, interest=9)
    assert json.loads(answer_file(tmp_path).read_text())["model"]["stakeholders"]["CNO"]["power"] == 2
    # the temporary file of the atomic write is gone
    assert [p.name for p in answer_file(tmp_path).parent.iterdir()] == ["emr-stakeholders.json"]


def test_a_failed_write_keeps_the_previous_answer(tmp_path, monkeypatch):
    model = make(tmp_path)
    model.place("CFO", power=9, interest=3)
    before = answer_file(tmp_path).read_text()

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt  # the learner stops the kernel in the middle of a save

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        model.place("CFO", power=1, interest=1)
    assert answer_file(tmp_path).read_text() == before
    assert [p.name for p in answer_file(tmp_path).parent.iterdir()] == ["emr-stakeholders.json"]


@pytest.mark.parametrize("bad", ["EMR", "emr stakeholders", "../escape", "emr_stakeholders", "", "é", 7])
def test_ids_outside_the_slug_rule_are_refused(tmp_path, bad):
    with pytest.raises(ValueError, match=r"lower-case letters a-z, digits 0-9 and hyphens"):
        make(tmp_path, bad)
    assert not (tmp_path / ".hitpm").exists()


def test_good_ids_pass():
    assert check_exercise_id("ps01-emr-stakeholders") == "ps01-emr-stakeholders"


def test_a_read_only_folder_loads_and_skips_saving(tmp_path, monkeypatch, capsys):
    make(tmp_path).place("CFO", power=9, interest=3)

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr("tempfile.mkstemp", read_only)
    model = make(tmp_path)
    assert model.quadrant("CFO") == "keep satisfied"
    model.place("CNO", power=8, interest=8)  # no error
    assert model.quadrant("CNO") == "manage closely"
    assert "cannot be written" in model.saving_status
    assert capsys.readouterr().err == ""


def test_a_corrupt_file_is_kept_aside_reported_once_and_the_exercise_starts_fresh(tmp_path, capsys):
    path = answer_file(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text('{"kind": "StakeholderMap", "model": {"stakehol')
    model = make(tmp_path)
    assert model.unplaced == NAMES
    assert path.with_name(path.name + ".bak").read_text().startswith('{"kind"')
    out = capsys.readouterr()
    assert out.out.count("kept as emr-stakeholders.json.bak") == 1
    assert out.err == ""
    assert "kept as" in model.saving_status and model.saving_problem
    model.place("CFO", power=9, interest=3)
    assert make(tmp_path).quadrant("CFO") == "keep satisfied"


def test_corruption_is_reported_once_per_session(tmp_path, capsys):
    path = answer_file(tmp_path)
    path.parent.mkdir(parents=True)
    for _ in range(2):
        path.write_text("not json")
        make(tmp_path)
    assert capsys.readouterr().out.count("hitpm:") == 1


def test_a_file_with_impossible_values_is_set_aside(tmp_path, capsys):
    path = answer_file(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"kind": "StakeholderMap", "model": {
        "stakeholders": {"CFO": {"power": 99, "interest": 3}}}}))
    model = make(tmp_path)
    assert model.quadrant("CFO") is None
    assert path.with_name(path.name + ".bak").exists()
    assert "power" in capsys.readouterr().out


def test_a_file_of_another_exercise_kind_is_refused_naming_both(tmp_path):
    path = answer_file(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"kind": "RiskRegister", "model": {"risks": []}}))
    with pytest.raises(AnswerKindError, match=r"'RiskRegister'.*'StakeholderMap'"):
        make(tmp_path)
    assert json.loads(path.read_text())["kind"] == "RiskRegister"  # nothing overwritten


def test_answers_for_stakeholders_no_longer_listed_are_kept(tmp_path):
    StakeholderMap("emr-stakeholders", [*NAMES, "Vendor"], directory=tmp_path).place("Vendor", power=6, interest=8)
    model = make(tmp_path)
    model.place("CFO", power=9, interest=3)
    back = StakeholderMap("emr-stakeholders", [*NAMES, "Vendor"], directory=tmp_path)
    assert back.quadrant("Vendor") == "manage closely"


def test_under_nbgrader_answers_are_read_never_written_and_stderr_stays_empty(tmp_path, monkeypatch, capsys):
    make(tmp_path).place("CFO", power=9, interest=3)
    saved = answer_file(tmp_path).read_text()
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    model = make(tmp_path)
    assert model.quadrant("CFO") == "keep satisfied"
    model.place("CFO", power=1, interest=1)
    assert answer_file(tmp_path).read_text() == saved
    assert capsys.readouterr().err == ""


def test_under_nbgrader_a_corrupt_file_is_left_in_place_quietly(tmp_path, monkeypatch, capsys):
    path = answer_file(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text("{broken")
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    assert make(tmp_path).unplaced == NAMES
    assert path.read_text() == "{broken"
    assert capsys.readouterr().err == ""


def test_a_source_folder_never_gets_answer_files(tmp_path):
    source = tmp_path / "workbooks"
    assignment = source / "ps01-emr-stakeholders"
    assignment.mkdir(parents=True)
    (source / SOURCE_MARKER).touch()
    model = make(assignment)
    model.place("CFO", power=9, interest=3)
    assert model.quadrant("CFO") == "keep satisfied"
    assert not (assignment / ".hitpm").exists()
    assert "source folder" in model.saving_status


def test_the_repositorys_workbooks_folder_is_marked_as_source():
    from pathlib import Path

    workbooks = Path(__file__).resolve().parents[2] / "workbooks"
    store = AnswerStore("x", "StakeholderMap", workbooks / "ps01-emr-stakeholders")
    assert store.memory_only


def test_a_test_wide_answers_folder_is_honoured_but_not_under_nbgrader(tmp_path, monkeypatch):
    monkeypatch.setenv("HITPM_ANSWERS_DIR", str(tmp_path / "elsewhere"))
    make(tmp_path / "nb").place("CFO", power=9, interest=3)
    assert (tmp_path / "elsewhere" / "emr-stakeholders.json").exists()
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert AnswerStore("emr-stakeholders", "StakeholderMap", tmp_path / "nb").path.parent.name == "answers"


def test_scratch_models_have_no_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    model = StakeholderMap(None, NAMES)
    model.place("CFO", power=9, interest=3)
    assert not (tmp_path / ".hitpm").exists()
    assert "not saved" in model.saving_status
