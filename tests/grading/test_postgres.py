"""The same grading against PostgreSQL through nbgrader's db_url: nothing assumes SQLite."""

from __future__ import annotations

import csv
import io
import logging

import pytest

from hitpm_widgets.grading.course import CourseError, GradingCourse

from .classroom import ASSIGNMENT, Classroom, blank, in_code, partly, right
from .postgres import PostgresServer


@pytest.fixture(scope="module")
def postgres():
    server = PostgresServer()  # fails (never skips) when PostgreSQL is missing
    yield server
    server.stop()


@pytest.fixture(scope="module")
def graded(postgres, tmp_path_factory):
    room = Classroom(tmp_path_factory.mktemp("postgres") / "course")
    room.set_config(f'c.CourseDirectory.db_url = "{postgres.url}"')
    room.generate(ASSIGNMENT)
    for student, answer in {"right": right, "partly": partly, "blank": blank, "code": in_code}.items():
        room.hand_in(student, answer)
    result = room.hitpm("grade", ASSIGNMENT, "--workers", "2", "--no-feedback")
    return room, result


def test_every_submission_is_graded_into_postgresql(postgres, graded):
    room, result = graded
    assert "4 graded now" in result.stdout
    assert room.totals(postgres.url) == {"right": 9, "partly": 5, "blank": 0, "code": 9}
    assert not (room.root / "gradebook.db").exists()


def test_no_write_was_lost_under_parallel_work(postgres, graded):
    room, _ = graded
    for student, cells in room.grades(postgres.url).items():
        tests = {cell: value for cell, value in cells.items() if cell.startswith("ps01-test-")}
        assert len(tests) == 8 and all(value[0] is not None for value in tests.values()), student


def test_exports_and_report_read_postgresql_too(postgres, graded):
    room, _ = graded
    lms = list(csv.reader(io.StringIO((room.root / "grading" / "lms-gradebook.csv").read_text())))
    assert {row[0]: float(row[4]) for row in lms[1:]} == room.totals(postgres.url)
    assert "Histogram of the total scores of 4 submissions" in (
        room.root / "grading" / f"{ASSIGNMENT}-report.html").read_text()


def test_a_postgresql_gradebook_is_held_by_one_run_at_a_time(postgres, released, tmp_path):
    room = Classroom.copy_of(released, tmp_path / "course")
    room.set_config(f'c.CourseDirectory.db_url = "{postgres.url}"')
    course = GradingCourse(room.root, ASSIGNMENT, logging.getLogger("test"))
    with course.hold_gradebook("hitpm grade"):
        with pytest.raises(CourseError, match="another `hitpm grade` or `hitpm feedback` is using"):
            course.hold_gradebook("hitpm feedback")
    course.hold_gradebook("hitpm feedback").close()  # the first run's end let it go
