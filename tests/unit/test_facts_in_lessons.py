"""Rules and numbers of the field as the lessons and case texts state them (text only, nothing is run).

Each test guards a fact a reviewer once found wrong: the breach-notification thresholds, the states that
mandate nurse-to-patient ratios, EMRAM's stage 1 since 2018, the salience classes and Kotter's step names.
"""

import re

import nbformat
import pytest

from hitpm_widgets.stakeholders import SALIENCE_CLASSES

from ..conftest import REPO

LESSONS = sorted(p for p in (REPO / "course").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
CASE_TEXTS = sorted((REPO / "cases").glob("*/*.md"))


def lesson_text(path) -> str:
    return "\n".join(cell.source for cell in nbformat.read(path, as_version=4).cells)


def text_of(path) -> str:
    return lesson_text(path) if path.suffix == ".ipynb" else path.read_text(encoding="utf-8")


def sentences(text: str) -> list[str]:
    """Sentences (and table rows, list items) with line breaks and string-literal seams joined up."""
    flat = re.sub(r'"\s*\n\s*"', "", text)  # a Python string split over lines is one sentence
    flat = re.sub(r"\s+", " ", flat)
    return [s for s in re.split(r"(?<=[.;|])\s+|\s+-\s+", flat) if s.strip()]


ALL_TEXTS = LESSONS + CASE_TEXTS
IDS = [p.relative_to(REPO).as_posix() for p in ALL_TEXTS]


@pytest.mark.parametrize("path", ALL_TEXTS, ids=IDS)
def test_the_media_are_told_only_above_500_residents_of_one_state(path):
    # 45 CFR 164.406: the media for more than 500 residents of a State or jurisdiction, not "500 or more".
    for sentence in sentences(text_of(path)):
        if re.search(r"\bmedia\b", sentence) and "500" in sentence:
            assert "more than 500" in sentence and "resident" in sentence, (
                f"{path.name}: the media notice is for more than 500 residents of one State: {sentence!r}")


@pytest.mark.parametrize("name", ["healthcare-it-today.ipynb", "patient-access-systems.ipynb"])
def test_the_lessons_on_hipaa_state_both_thresholds(name):
    (path,) = [p for p in LESSONS if p.name == name]
    text = re.sub(r"\s+", " ", lesson_text(path))
    assert re.search(r"HHS[^.]*500 or more|500 or more[^.]*HHS", text), f"{name}: HHS within 60 days for 500 or more"
    assert re.search(r"more than 500 residents of one State", text), f"{name}: the media rule"
    assert re.search(r"(yearly|once a year|annual)", text), f"{name}: smaller breaches go to HHS once a year"


@pytest.mark.parametrize("path", ALL_TEXTS, ids=IDS)
def test_no_text_calls_california_the_only_state_with_ratios(path):
    text = re.sub(r"\s+", " ", text_of(path)).lower()
    for wrong in ("only us state", "only state", "mandated only in california", "only california"):
        assert wrong not in text, f"{path.name} says {wrong!r}: Oregon mandates ratios too (HB 2697, 2023)"


def test_the_staffing_lesson_names_both_ratio_states():
    (path,) = [p for p in LESSONS if p.name == "running-the-hospital.ipynb"]
    text = lesson_text(path)
    assert "California" in text and "Oregon" in text


@pytest.mark.parametrize("path", [REPO / "course" / "01-healthcare-it-today" / "healthcare-it-today.ipynb",
                                  REPO / "cases" / "emr-rollout" / "narrative.md"], ids=["lesson 01", "EMR narrative"])
def test_emram_stage_1_includes_pacs_since_2018(path):
    stage_1 = [s for s in sentences(text_of(path)) if re.search(r"stage 1\b|^\| ?1 \|", s)]
    assert any("PACS" in s for s in stage_1), f"{path.name}: EMRAM 2018 stage 1 includes PACS"


def test_the_salience_table_of_lesson_05_matches_the_graded_classes():
    (path,) = [p for p in LESSONS if p.name == "stakeholder-analysis.ipynb"]
    rows = re.findall(r"^\| (yes|no) \| (yes|no) \| (yes|no) \| ([a-z-]+) \|", lesson_text(path), re.MULTILINE)
    taught = {tuple(flag == "yes" for flag in row[:3]): row[3] for row in rows}
    assert taught == SALIENCE_CLASSES
    assert SALIENCE_CLASSES[(True, False, False)] == "dormant"  # Mitchell, Agle and Wood: power alone


KOTTER_1996 = ["Establish a sense of urgency", "Create the guiding coalition", "Develop a vision and strategy",
               "Communicate the change vision", "Empower broad-based action", "Generate short-term wins",
               "Consolidate gains and produce more change", "Anchor new approaches in the culture"]


def test_kotters_steps_are_named_from_one_version():
    (path,) = [p for p in LESSONS if p.name == "change-management.ipynb"]
    text = lesson_text(path)
    steps = re.findall(r"^\| (\d)\. ([^|]+?) \|", text, re.MULTILINE)
    assert [name for _, name in steps] == KOTTER_1996
    assert "1996" in text and "2014" in text, "name the version used, and the other one"
