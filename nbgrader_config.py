"""The repository is an nbgrader course root: stock nbgrader commands work here unchanged."""

import os

c = get_config()  # noqa: F821 (nbgrader provides get_config)

# The course is the folder this file is in: stock nbgrader run in a copy of the course works on that copy,
# never on the course an instructor's ~/.jupyter/nbgrader_config.py names (deploy/setup-instructor.sh).
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "hitpm"
c.CourseDirectory.source_directory = "workbooks"

# Widget exercises are answered in the widget or in code: a stub that raised NotImplementedError
# would stop "Run All" before the widget's answer reaches the tests below it.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE (or answer with the widget above)\n"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# A workbook's answer key (workbooks/<assignment>/answer_key.py) is the instructor's: never released, never
# overwritten into a submission; only the test kernel, where no learner code runs, gets it.
from hitpm_widgets.grading.answer_key import KEY_FILE  # noqa: E402

c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", KEY_FILE]

# Feedback shows each test's result and message, never a hidden test's code (so a course can be
# used again), also from formgrader's Generate Feedback button and `nbgrader generate_feedback`.
from hitpm_widgets.grading.learner_feedback import FEEDBACK_PREPROCESSORS  # noqa: E402

c.GenerateFeedback.preprocessors = FEEDBACK_PREPROCESSORS

# Autograde runs the tests in a kernel of their own, on the learner's answers as data, never in the kernel
# that ran the learner's code (which could otherwise make every test pass): as `hitpm grade` does.
from hitpm_widgets.grading.nbgrader_execute import AUTOGRADE_PREPROCESSORS  # noqa: E402

c.Autograde.autograde_preprocessors = AUTOGRADE_PREPROCESSORS
