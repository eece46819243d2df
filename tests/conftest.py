import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright, one for the session (tests/browser and tests/hub): Playwright's
    sync API allows one instance a process. A browser that cannot start is an error, never a skip."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(autouse=True)
def answers_beside_the_notebook(monkeypatch):
    """Unit tests see the store as learners do: no test-wide answers folder, no nbgrader run."""
    monkeypatch.delenv("HITPM_ANSWERS_DIR", raising=False)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.delenv("HITPM_CASES_PATH", raising=False)


@pytest.fixture
def case_copy(tmp_path, monkeypatch):
    """A copy of the EMR case pack that a test may break; load_case finds it first."""
    folder = tmp_path / "cases"
    shutil.copytree(REPO / "cases" / "emr-rollout", folder / "emr-rollout")
    monkeypatch.setenv("HITPM_CASES_PATH", str(folder))
    return folder / "emr-rollout"
