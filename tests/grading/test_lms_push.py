"""`hitpm lms push` against a real LTI 1.3 platform (lti1p3platform, tests/lms/platform.py): a class graded
once, its scores pushed through AGS and read back from the platform, compared with the gradebook's LMS file."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest

from hitpm_widgets.lms.launches import record_launch

from ..lms.platform import TestPlatform, free_port, new_rsa_key, results_of
from .classroom import ASSIGNMENT, Classroom, partly, right
from .test_honest_feedback import grade_by_hand, with_a_plan

PUSHED = f"grading/{ASSIGNMENT}-lms-pushed.json"


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    """The tool's private key, outside the course and readable by its owner only, as the README asks."""
    private, _ = new_rsa_key()
    path = tmp_path_factory.mktemp("lms-keys") / "tool.pem"
    path.write_text(private)
    path.chmod(0o600)
    return path


def hitpm_lms_key(path):
    return subprocess.run([sys.executable, "-m", "hitpm_widgets.cli", "lms", "key", str(path)], capture_output=True,
                          text=True, timeout=120)


@pytest.fixture(scope="module")
def platform(keys):
    # Registered the way an instructor registers the tool: with the public JWK `hitpm lms key` prints.
    printed = hitpm_lms_key(keys)
    assert printed.returncode == 0, printed.stderr
    jwk = json.loads(printed.stdout)
    assert jwk["kty"] == "RSA" and "d" not in jwk  # the public half only
    platform = TestPlatform(jwk).start()
    # The course in the LMS: ada, bo and cy are enrolled; dee is not yet.
    platform.gradebook.roster |= {"lms-ada", "lms-bo", "lms-cy"}
    yield platform
    platform.stop()


def lms_settings(platform: TestPlatform, keys, launches, token_url: str | None = None) -> str:
    return "\n".join([
        f"c.HitpmLms.issuer = {platform.issuer!r}",
        f"c.HitpmLms.client_id = {platform.client_id!r}",
        f"c.HitpmLms.deployment_id = {platform.deployment_id!r}",
        f"c.HitpmLms.key_set_url = {platform.key_set_url!r}",
        f"c.HitpmLms.token_url = {token_url or platform.token_url!r}",
        f"c.HitpmLms.lineitems_url = {platform.lineitems_url!r}",
        f"c.HitpmLms.private_key = {str(keys)!r}",
        f"c.HitpmLms.launches = {str(launches)!r}",
    ])


@pytest.fixture(scope="module")
def graded(released, tmp_path_factory, platform, keys) -> Classroom:
    room = Classroom.copy_of(released, tmp_path_factory.mktemp("lms") / "course")
    room.hand_in("ada", with_a_plan(right))  # a written plan: waits for the instructor
    room.hand_in("bo", right)
    room.hand_in("cy", partly)
    room.hand_in("dee", right)
    room.hitpm("grade", ASSIGNMENT, "--workers", "2")
    launches = room.root.parent / "hub" / "lti-launches.json"
    for student in ("ada", "bo", "cy"):  # what the hub recorded when they launched the course from the LMS
        record_launch(launches, student, {"sub": f"lms-{student}", "iss": platform.issuer})
    room.set_config(lms_settings(platform, keys, launches))
    return room


def lms_file(room) -> dict[str, str]:
    rows = list(csv.reader(io.StringIO((room.root / "grading" / "lms-gradebook.csv").read_text())))
    return {row[0]: row[4] for row in rows[1:]}


def held(platform) -> dict[str, dict]:
    """The platform's scores of the assignment's line item, as posted: LTI user id -> score."""
    items, scores = platform.gradebook.snapshot()
    (number,) = [n for n, item in items.items() if item["tag"] == ASSIGNMENT]
    assert items[number]["resourceId"] == ASSIGNMENT and items[number]["scoreMaximum"] == 13
    return scores[number]


def push(room, *args):
    return room.hitpm("lms", "push", ASSIGNMENT, *args, check=False)


def test_scores_reach_the_platform_once_pending_as_pending_and_changes_follow(graded, platform, keys):
    dry = push(graded, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert '"gradingProgress": "PendingManual"' in dry.stdout and "ada: would send" in dry.stdout
    assert "dee: unknown to the LMS" in dry.stdout
    assert platform.gradebook.snapshot() == ({}, {})  # a dry run sends nothing

    first = push(graded)
    assert first.returncode == 1  # dee did not go
    assert first.stdout.strip() == (f"hitpm lms: {ASSIGNMENT}: 3 sent (ada, bo, cy), 0 unchanged, 1 not sent (dee): "
                                    "run the same command again to send them")
    assert [line for line in first.stderr.splitlines() if line.startswith("hitpm lms:")] == [
        "hitpm lms: dee: unknown to the LMS: never launched the course from it (pushed after their first launch)"]
    # Read back through the platform's AGS results service, and compared with the gradebook's LMS file.
    csv_scores = lms_file(graded)
    results = results_of(platform, keys.read_text(), ASSIGNMENT)
    assert set(results) == {"lms-ada", "lms-bo", "lms-cy"}
    for student in ("bo", "cy"):
        assert results[f"lms-{student}"]["resultScore"] == float(csv_scores[student])
        assert results[f"lms-{student}"]["resultMaximum"] == 13
    assert float(csv_scores["bo"]) > float(csv_scores["cy"])
    scores = held(platform)
    assert csv_scores["ada"] == "" and "resultScore" not in results["lms-ada"]  # waiting: no score, not a 0
    assert scores["lms-ada"]["gradingProgress"] == "PendingManual" and "scoreGiven" not in scores["lms-ada"]
    assert {scores[f"lms-{s}"]["gradingProgress"] for s in ("bo", "cy")} == {"FullyGraded"}
    assert {score["activityProgress"] for score in scores.values()} == {"Submitted"}

    # dee launches, but the LMS course does not have them: refused by the LMS, one line, the rest untouched.
    launches = graded.root.parent / "hub" / "lti-launches.json"
    record_launch(launches, "dee", {"sub": "lms-dee", "iss": platform.issuer})
    before = platform.gradebook.snapshot()
    refused = push(graded)
    assert refused.returncode == 1
    assert f"hitpm lms: {ASSIGNMENT}: 0 sent, 3 unchanged, 1 not sent (dee)" in refused.stdout
    (line,) = [line for line in refused.stderr.splitlines() if line.startswith("hitpm lms:")]
    assert line.startswith("hitpm lms: dee: the LMS did not take the score: HTTP 403")
    assert platform.gradebook.snapshot() == before

    # Enrolled now: the next push sends dee alone.
    platform.gradebook.roster.add("lms-dee")
    rest = push(graded)
    assert rest.returncode == 0, rest.stderr
    assert rest.stdout.strip() == f"hitpm lms: {ASSIGNMENT}: 1 sent (dee), 3 unchanged"
    assert held(platform)["lms-dee"]["scoreGiven"] == float(csv_scores["dee"])

    # A second push changes nothing, on the platform either (not even a timestamp).
    before = platform.gradebook.snapshot()
    again = push(graded)
    assert again.returncode == 0 and again.stdout.strip() == f"hitpm lms: {ASSIGNMENT}: 0 sent, 4 unchanged"
    assert platform.gradebook.snapshot() == before

    # The instructor grades ada's plan: her score goes as final, and nobody else's is sent again.
    grade_by_hand(graded, "ada", 3, "A clear plan.")
    changed = push(graded)
    assert changed.returncode == 0 and changed.stdout.strip() == f"hitpm lms: {ASSIGNMENT}: 1 sent (ada), 3 unchanged"
    ada = held(platform)["lms-ada"]
    assert (ada["gradingProgress"], ada["scoreGiven"]) == ("FullyGraded", float(csv_scores["bo"]) + 3)
    assert {u: s for u, s in held(platform).items() if u != "lms-ada"} == \
        {u: s for u, s in before[1][next(iter(before[1]))].items() if u != "lms-ada"}


def test_an_unreachable_lms_or_a_refused_token_is_one_line_and_changes_nothing(graded, platform, keys, tmp_path):
    room = Classroom.copy_of(graded, tmp_path / "course")
    launches = graded.root.parent / "hub" / "lti-launches.json"
    record = room.root / PUSHED
    recorded = record.read_bytes() if record.exists() else None
    before = platform.gradebook.snapshot()

    room.set_config(lms_settings(platform, keys, launches, token_url=f"http://127.0.0.1:{free_port()}/token"))
    down = push(room)
    assert down.returncode == 1
    lines = [line for line in down.stderr.splitlines() if line.startswith("hitpm lms:")]
    assert lines[0].startswith("hitpm lms: cannot reach the LMS at http://127.0.0.1:")
    assert all("unknown to the LMS" in line for line in lines[1:])  # only a learner never launched, if any

    other_key, _ = new_rsa_key()  # a key the LMS was never given
    wrong = tmp_path / "wrong.pem"
    wrong.write_text(other_key)
    wrong.chmod(0o600)
    room.set_config(lms_settings(platform, wrong, launches))
    refused = push(room)
    assert refused.returncode == 1
    lines = [line for line in refused.stderr.splitlines() if line.startswith("hitpm lms:")]
    assert lines[0].startswith("hitpm lms: the LMS refused the tool's access token: HTTP 401")
    assert all("unknown to the LMS" in line for line in lines[1:])

    assert platform.gradebook.snapshot() == before
    assert (record.read_bytes() if record.exists() else None) == recorded


def test_a_private_key_in_the_course_or_readable_by_others_is_refused(graded, platform, keys, tmp_path):
    room = Classroom.copy_of(graded, tmp_path / "course")
    launches = graded.root.parent / "hub" / "lti-launches.json"
    inside = room.root / "tool.pem"
    inside.write_text(keys.read_text())
    inside.chmod(0o600)
    room.set_config(lms_settings(platform, inside, launches))
    result = push(room)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip() == (f"hitpm lms: the tool's private key {inside} is inside the course folder "
                                     f"{room.root}: move it out (e.g. to ~/.config/hitpm/) and set "
                                     "c.HitpmLms.private_key")
    shared = tmp_path / "shared.pem"
    shared.write_text(keys.read_text())
    os.chmod(shared, 0o640)
    room.set_config(lms_settings(platform, shared, launches))
    result = push(room)
    assert result.returncode == 2
    assert result.stderr.strip() == (f"hitpm lms: the tool's private key {shared} can be read by others than its "
                                     f"owner (mode 640): chmod 600 {shared}")
    printed = hitpm_lms_key(shared)
    assert (printed.returncode, printed.stdout) == (2, "") and "chmod 600" in printed.stderr
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a key")
    garbage.chmod(0o600)
    printed = hitpm_lms_key(garbage)
    assert printed.returncode == 2 and printed.stderr.startswith(f"hitpm lms: {garbage} is not an RSA private key")
