"""A class on JupyterHub, from release to feedback, through the hub and nbgrader's HTTP endpoints.

The hub and everything on it is set up with deploy/ (conftest.py). The instructor works in
formgrader's HTTP API (what its buttons call) and runs `hitpm grade`; each learner works in the
assignment list's HTTP API and answers in the widget model, as themselves.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from ..conftest import FIXTURES, REPO
from .conftest import DEPLOY, Account, Hub, run

ASSIGNMENT = "ps01-emr-stakeholders"
COURSE = "hitpm"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
REFERENCE = json.loads((FIXTURES / "emr_stakeholder_reference.json").read_text())["stakeholders"]
# learner2 places two stakeholders wrongly (see tests/pipeline/specs/ps01.py): 4 points lost.
WRONG = {"CFO": (9, 2), "Community practices": (2, 6)}
# What the instructor gives each engagement plan (4 points), by hand, as in formgrader.
PLAN_POINTS = {"learner1": 3, "learner2": 1}

ANSWER_IN_THE_WIDGET_MODEL = """
import json, sys
from hitpm_widgets import StakeholderMap, load_case

smap = StakeholderMap(sys.argv[1], load_case("emr-rollout").stakeholders)
for name, answer in json.loads(sys.argv[2]).items():
    smap.place(name, power=answer["power"], interest=answer["interest"])
    smap.set_salience(name, **answer["salience"])
"""

TRY_TO_READ = """
import json, os, sys

seen = {}
for path in sys.argv[1:]:
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            open(path, "rb").read(1)
        seen[path] = "read"
    except PermissionError:
        seen[path] = "denied"
    except FileNotFoundError:
        seen[path] = "not found"
print(json.dumps(seen))
"""

TRY_TO_WRITE = """
import sys

try:
    open(sys.argv[1], "x").close()
    print("written")
except PermissionError:
    print("denied")
"""


@dataclass
class UserServer:
    """One user's single-user server, reached through the hub's proxy with that user's own token."""

    account: Account
    token: str
    hub: Hub

    def request(self, method: str, path: str, **kwargs):
        import requests

        return requests.request(method, f"{self.hub.url}/user/{self.account.name}{path}",
                                headers={"Authorization": f"token {self.token}"}, timeout=300, **kwargs)

    def call(self, method: str, path: str, **kwargs):
        response = self.request(method, path, **kwargs)
        assert response.status_code < 400, f"{method} {path} as {self.account.name}: " \
                                           f"{response.status_code} {response.text[:1000]}"
        return response.json() if response.content else None

    def nbgrader(self, action: str) -> None:
        """An assignment list button: fetch, submit or fetch_feedback."""
        result = self.call("POST", f"/assignments/{action}", params={"course_id": COURSE, "assignment_id": ASSIGNMENT})
        assert not (isinstance(result, dict) and result.get("success") is False), f"{action}: {result}"

    def formgrader(self, action: str) -> None:
        """A formgrader button for the whole assignment: assign (generate), release, collect, feedback."""
        result = self.call("POST", f"/formgrader/api/assignment/{ASSIGNMENT}/{action}")
        assert result["success"], f"formgrader {action}: {result.get('error') or result}"

    def contents(self, path: str, **params):
        return self.call("GET", f"/api/contents/{path}", params=params)

    def terminal(self, command: str, timeout: float = 300) -> tuple[int, str]:
        """Type `command` in a JupyterLab terminal of this server; its exit status and what it printed."""
        # In a thread of its own: the browser tests' Playwright (sync API) keeps an event loop running in
        # this one for the whole session, and asyncio.run refuses to start beside it.
        with ThreadPoolExecutor(max_workers=1) as thread:
            return thread.submit(asyncio.run, self._terminal(command, timeout)).result()

    async def _terminal(self, command: str, timeout: float) -> tuple[int, str]:
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        name = self.call("POST", "/api/terminals")["name"]
        url = f"{self.hub.url.replace('http', 'ws', 1)}/user/{self.account.name}/terminals/websocket/{name}"
        socket = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {self.token}"}))
        socket.write_message(json.dumps(["stdin", f"{command}; echo TERMINAL-EXIT=$?\r"]))
        printed = ""
        deadline = time.monotonic() + timeout
        while (done := re.search(r"TERMINAL-EXIT=(\d+)", printed)) is None:
            message = await asyncio.wait_for(socket.read_message(), max(deadline - time.monotonic(), 0.1))
            assert message is not None, f"the terminal closed:\n{printed[-3000:]}"
            kind, *content = json.loads(message)
            if kind == "stdout":
                printed += content[0]
        socket.close()
        self.call("DELETE", f"/api/terminals/{name}")
        return int(done.group(1)), printed


def start_server(hub: Hub, account: Account) -> UserServer:
    hub.api("POST", f"/users/{account.name}")
    token = hub.api("POST", f"/users/{account.name}/tokens", json={"note": "hitpm class test"})["token"]
    hub.api("POST", f"/users/{account.name}/server")
    return UserServer(account, token, hub)


def wait_until_ready(hub: Hub, names: list[str]) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        servers = {name: hub.api("GET", f"/users/{name}")["servers"].get("", {}) for name in names}
        if all(server.get("ready") for server in servers.values()):
            return
        time.sleep(1)
    raise AssertionError(f"servers not ready in 180 s: {servers}\n{hub.log.read_text()[-4000:]}")


def answers_of(learner: str) -> dict:
    wrong = WRONG if learner == "learner2" else {}
    answers = {}
    for name, reference in REFERENCE.items():
        power, interest = wrong.get(name, (reference["power"], reference["interest"]))
        answers[name] = {"power": power, "interest": interest, "salience": reference["salience"]}
    return answers


def write_plan(learner: UserServer) -> None:
    """The engagement plan, typed into the notebook and saved, as JupyterLab saves it."""
    path = f"{ASSIGNMENT}/{NOTEBOOK}"
    notebook = learner.contents(path, content=1)["content"]
    (cell,) = [c for c in notebook["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "ps01-answer-plan"]
    cell["source"] = "| stakeholder | action | by |\n| --- | --- | --- |\n| Nurses union | paid training time | 1 May |"
    learner.call("PUT", f"/api/contents/{path}", json={"type": "notebook", "format": "json", "content": notebook})


@dataclass
class GradedClass:
    servers: dict[str, UserServer]
    course: str
    totals: dict[str, tuple[float, float]]
    feedback: dict[str, str]
    grade_output: str


@pytest.fixture(scope="module")
def graded_class(server, hub) -> GradedClass:
    instructor = server.accounts["instructor"]
    run(["bash", str(DEPLOY / "setup-instructor.sh"), "--user", instructor.name, "--prefix", str(server.prefix),
         "--kit", str(REPO)], env={"PATH": server.path, "LANG": "C.UTF-8"}, cwd=server.base)
    course = instructor.home / "hitpm-course"
    # All at once, as a class logs in: the hub answers a start request only when the server is up.
    with ThreadPoolExecutor() as pool:
        started = {role: pool.submit(start_server, hub, server.accounts[role])
                   for role in ("instructor", "learner1", "learner2")}
        servers = {role: future.result() for role, future in started.items()}
    wait_until_ready(hub, [s.account.name for s in servers.values()])
    teacher = servers["instructor"]
    learners = {role: s for role, s in servers.items() if role != "instructor"}

    teacher.formgrader("assign")
    teacher.formgrader("release")

    for role, learner in learners.items():
        learner.nbgrader("fetch")
        folder = learner.account.home / ASSIGNMENT
        assert f'StakeholderMap(\\"{ASSIGNMENT}\\"' in (folder / NOTEBOOK).read_text(), "the workbook's exercise id"
        server.python_as(learner.account, ANSWER_IN_THE_WIDGET_MODEL, ASSIGNMENT, json.dumps(answers_of(role)),
                         cwd=folder)
        saved = folder / ".hitpm" / "answers" / f"{ASSIGNMENT}.json"
        assert saved.stat().st_uid == learner.account.uid, "the answer is saved by the learner, as the learner"
        write_plan(learner)
        learner.nbgrader("submit")

    teacher.formgrader("collect")
    for learner in learners.values():
        assert (course / "submitted" / learner.account.name / ASSIGNMENT / ".hitpm" / "answers"
                / f"{ASSIGNMENT}.json").is_file(), "the widget answers travel with the submission"

    # In a terminal of the instructor's JupyterLab, as the README says: the shared environment's
    # commands come first on its PATH.
    status, graded = teacher.terminal(f"command -v hitpm nbgrader && cd {course} && hitpm grade {ASSIGNMENT}")
    assert status == 0, graded
    assert f"{server.prefix}/bin/hitpm" in graded and f"{server.prefix}/bin/nbgrader" in graded, graded

    submissions = {s["student"]: s["id"] for s in teacher.call(
        "GET", f"/formgrader/api/submitted_notebooks/{ASSIGNMENT}/{ASSIGNMENT}")}
    for role, learner in learners.items():
        submission_id = submissions[learner.account.name]
        grades = teacher.call("GET", "/formgrader/api/grades", params={"submission_id": submission_id})
        (plan,) = [g for g in grades if g["name"] == "ps01-answer-plan"]
        assert plan["needs_manual_grade"], "the plan waits for the instructor after `hitpm grade`"
        teacher.call("PUT", f"/formgrader/api/grade/{plan['id']}", json={"manual_score": PLAN_POINTS[role]})

    teacher.formgrader("generate_feedback")
    teacher.formgrader("release_feedback")

    totals, feedback = {}, {}
    for role, learner in learners.items():
        submission = teacher.call("GET", f"/formgrader/api/submission/{ASSIGNMENT}/{learner.account.name}")
        totals[role] = (submission["score"], submission["max_score"])
        learner.nbgrader("fetch_feedback")
        (when,) = [item["name"] for item in learner.contents(f"{ASSIGNMENT}/feedback")["content"]]
        feedback[role] = learner.contents(f"{ASSIGNMENT}/feedback/{when}/{ASSIGNMENT}.html",
                                          content=1, type="file", format="text")["content"]
    return GradedClass(servers, str(course), totals, feedback, graded)


def test_each_learner_fetches_feedback_with_their_score_and_the_instructors_grade(graded_class):
    # learner1: every autograded point (9) and 3 of 4 for the plan; learner2: 5 autograded, 1 for the plan.
    assert graded_class.totals == {"learner1": (12.0, 13.0), "learner2": (6.0, 13.0)}, graded_class.grade_output
    for role, (score, max_score) in graded_class.totals.items():
        html = graded_class.feedback[role]
        assert f"(Score: {score} / {max_score})" in html, f"{role}'s total is not in their feedback"
        assert f"Score: {float(PLAN_POINTS[role])} / 4.0" in html, f"{role}'s plan grade is not in their feedback"


def test_every_learner_has_the_course_on_first_login_opened_on_the_start_page(graded_class, server):
    for role in ("learner1", "learner2"):
        learner = graded_class.servers[role]
        workspace = learner.account.home / "hitpm-workspace"
        start = workspace / "course" / "00-start-here.ipynb"
        assert start.is_file() and start.stat().st_uid == learner.account.uid, f"{role} has no start page"
        assert len(list((workspace / "course").rglob("*.ipynb"))) >= 10
        assert (workspace / "workbooks" / ASSIGNMENT / NOTEBOOK).is_file()
        assert "BEGIN SOLUTION" not in (workspace / "workbooks" / ASSIGNMENT / NOTEBOOK).read_text()
        opened = learner.request("GET", "/", allow_redirects=False)
        assert opened.status_code == 302, opened.status_code
        where = opened.headers["Location"].split("?")[0]
        assert where == f"/user/{learner.account.name}/lab/tree/hitpm-workspace/course/00-start-here.ipynb", where
        assert learner.contents("hitpm-workspace/course/00-start-here.ipynb")["type"] == "notebook"


def test_validate_says_what_failed_as_hitpm_check_does(graded_class):
    """The notebook toolbar's Validate on the hub (install.sh puts hitpm's in place of nbgrader's)."""
    learner = graded_class.servers["learner2"]
    result = learner.call("POST", "/assignments/validate",
                          data={"path": f"hitpm-workspace/workbooks/{ASSIGNMENT}/{NOTEBOOK}"})
    assert result["success"], result
    errors = [cell["raw_error"] for cell in result["value"]["failed"]]
    assert "Place these stakeholders on the power/interest grid first" in "\n".join(errors)
    assert not [error for error in errors if "Traceback" in error or "\x1b[" in error]


def signed_in(browser, hub: Hub, account: Account):
    """A browser page of `account`, signed in through the hub's login form, where the hub sends it."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(90_000)
    page.goto(f"{hub.url}/hub/login")
    page.fill("input[name=username]", account.name)
    page.fill("input[name=password]", account.password)
    page.locator("form [type=submit]").click()
    return context, page


def test_a_learners_first_login_opens_the_start_page_with_the_assignment_list_beside_it(graded_class, browser, hub):
    from playwright.sync_api import expect

    learner = graded_class.servers["learner1"]
    context, page = signed_in(browser, hub, learner.account)
    try:
        page.wait_for_url(f"**/user/{learner.account.name}/lab/tree/hitpm-workspace/course/00-start-here.ipynb*")
        tabs = page.locator("#jp-main-dock-panel .lm-TabBar-tab")
        start, assignments = tabs.filter(has_text="00-start-here.ipynb"), tabs.filter(has_text="Assignments")
        expect(start).to_be_visible()
        expect(assignments).to_be_visible()
        assert assignments.bounding_box()["x"] > start.bounding_box()["x"] + 400, "side by side, not behind"
        # The list is the class's: the learner's submission, and the feedback they fetched.
        view_feedback = page.get_by_text("(view feedback)")
        expect(view_feedback).to_be_visible()
        view_feedback.click()
        expect(page.locator(".jp-DirListing-item", has_text=f"{ASSIGNMENT}.html")).to_be_visible(timeout=30_000)
    finally:
        context.close()


def test_formgraders_links_clicked_in_its_own_tab_open_in_the_instructors_server(graded_class, browser, hub):
    """The assignment's name and its Preview link on formgrader's page, clicked in the instructor's browser."""
    from playwright.sync_api import expect

    teacher = graded_class.servers["instructor"]
    context, page = signed_in(browser, hub, teacher.account)
    try:
        page.wait_for_url(f"**/user/{teacher.account.name}/**")
        page.goto(f"{hub.url}/user/{teacher.account.name}/formgrader/manage_assignments")
        (assignment,) = [a for a in teacher.call("GET", "/formgrader/api/assignments") if a["name"] == ASSIGNMENT]
        row = page.locator("tr", has=page.get_by_role("link", name=ASSIGNMENT, exact=True))
        # Formgrader's links point at /tree/<the course's path> at the top of the site, where the hub answers.
        for link, path in ((row.get_by_role("link", name=ASSIGNMENT, exact=True), assignment["source_path"]),
                           (row.locator("td.preview a"), assignment["release_path"])):
            with context.expect_page() as opened:
                link.click()
            tab = opened.value
            tab.wait_for_load_state()
            assert tab.url == f"{hub.url}/user/{teacher.account.name}/tree/hitpm-course/{path}", tab.url
            expect(tab.get_by_text(NOTEBOOK).first).to_be_visible()
            tab.close()
    finally:
        context.close()


def test_formgrader_is_for_the_instructor_only(graded_class):
    assert graded_class.servers["instructor"].request("GET", "/formgrader/api/assignments").status_code == 200
    for role in ("learner1", "learner2"):
        learner = graded_class.servers[role]
        assert learner.request("GET", "/formgrader/api/assignments").status_code == 404
        assert learner.request("GET", "/assignments", params={"course_id": COURSE}).status_code == 200


def test_a_learner_cannot_reach_another_learners_server(graded_class):
    learner1, learner2 = graded_class.servers["learner1"], graded_class.servers["learner2"]
    intruder = UserServer(learner1.account, learner2.token, learner2.hub)
    assert intruder.request("GET", f"/api/contents/{ASSIGNMENT}").status_code == 403


def test_a_learner_cannot_read_the_others_work_the_course_or_the_gradebook(graded_class, server):
    learner1, learner2 = server.accounts["learner1"], server.accounts["learner2"]
    course = graded_class.course
    exchange = server.exchange / COURSE
    paths = {
        "the exchange's submissions": exchange / "inbound",
        "the exchange's feedback": exchange / "feedback",
        "the other learner's home": learner1.home,
        "the other learner's widget answers": learner1.home / ASSIGNMENT / ".hitpm" / "answers" / f"{ASSIGNMENT}.json",
        "the instructor's course folder": course,
        "the other learner's collected submission": f"{course}/submitted/{learner1.name}/{ASSIGNMENT}/{NOTEBOOK}",
        "the solutions": f"{course}/workbooks/{ASSIGNMENT}/{NOTEBOOK}",
        "the gradebook": f"{course}/gradebook.db",
        "the teaching notes": f"{course}/teaching-notes/emr-rollout.md",
        "the instructor's nbgrader settings": server.accounts["instructor"].home / ".jupyter" / "nbgrader_config.py",
    }
    # Root sees every one of them: a refusal below is a permission, not a missing file.
    for what, path in paths.items():
        assert json.loads(run([str(server.prefix / "bin" / "python"), "-c", TRY_TO_READ, str(path)]).stdout) == {
            str(path): "read"}, what
    seen = json.loads(server.python_as(learner2, TRY_TO_READ, *map(str, paths.values())).stdout)
    assert {what: seen[str(path)] for what, path in paths.items()} == {what: "denied" for what in paths}
    # What nbgrader shares with every learner stays readable: the released assignment.
    own = json.loads(server.python_as(learner2, TRY_TO_READ, str(exchange / "outbound" / ASSIGNMENT / NOTEBOOK)).stdout)
    assert list(own.values()) == ["read"]


def test_a_submission_is_the_learners_and_the_instructors_only_even_to_someone_who_knows_its_name(graded_class,
                                                                                                  server):
    learner1, learner2 = server.accounts["learner1"], server.accounts["learner2"]
    inbound = server.exchange / COURSE / "inbound"
    (submission,) = [p for p in inbound.iterdir() if p.name.startswith(f"{learner1.name}+{ASSIGNMENT}+")]
    files = [submission / NOTEBOOK, submission / ".hitpm" / "answers" / f"{ASSIGNMENT}.json"]
    seen = json.loads(server.python_as(learner2, TRY_TO_READ, *map(str, [*files, submission])).stdout)
    assert set(seen.values()) == {"denied"}, seen
    assert server.python_as(learner2, TRY_TO_WRITE, str(submission / "extra.txt")).stdout.strip() == "denied"
    assert server.python_as(learner1, TRY_TO_WRITE, str(submission / "later.txt")).stdout.strip() == "written"
    # The instructor still reads it (collect did, for the grades above), and may remove it after the course.
    instructor = server.accounts["instructor"]
    assert set(json.loads(server.python_as(instructor, TRY_TO_READ, *map(str, files)).stdout).values()) == {"read"}


def log_in(hub: Hub, account: Account, password: str, browser=None):
    """The hub's login form, as a browser (a requests session: it keeps the cookies) fills it in."""
    import requests

    browser = browser if browser is not None else requests.Session()
    browser.get(f"{hub.url}/hub/login", timeout=60)
    return browser.post(f"{hub.url}/hub/login", timeout=60, allow_redirects=False,
                        data={"username": account.name, "password": password, "_xsrf": browser.cookies["_xsrf"]})


def test_the_class_logs_in_with_unix_passwords_and_nobody_else_does(server, hub):
    learner, outsider = server.accounts["learner1"], server.accounts["outsider"]
    welcome = log_in(hub, learner, learner.password)
    assert welcome.status_code == 302 and "jupyterhub-hub-login" in welcome.cookies, welcome.text[:500]
    assert log_in(hub, learner, "not-" + learner.password).status_code == 403
    # A right password is not enough: the account is not in the class's groups.
    refused = log_in(hub, outsider, outsider.password)
    assert refused.status_code == 403 and "jupyterhub-hub-login" not in refused.cookies


def test_feedback_generated_by_formgrader_shows_no_line_of_any_hidden_test(graded_class):
    from pathlib import Path

    import nbformat

    from ..grading.test_honest_feedback import Text, hidden_test_lines

    released = Path(graded_class.course) / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    hidden = hidden_test_lines(nbformat.read(released, as_version=4))
    assert len(hidden) >= 20
    for role, page in graded_class.feedback.items():
        assert [line for line in hidden if line in str(Text(page))] == [], f"{role}'s feedback shows hidden tests"
