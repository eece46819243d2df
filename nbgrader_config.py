"""The repository is an nbgrader course root: stock nbgrader commands work here unchanged."""

c = get_config()  # noqa: F821 (nbgrader provides get_config)

c.CourseDirectory.course_id = "hitpm"
c.CourseDirectory.source_directory = "workbooks"

# Widget exercises are answered in the widget or in code: a stub that raised NotImplementedError
# would stop "Run All" before the widget's answer reaches the tests below it.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE (or answer with the widget above)\n"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Feedback shows each test's result and message, never a hidden test's code (so a course can be
# used again), also from formgrader's Generate Feedback button and `nbgrader generate_feedback`.
from hitpm_widgets.grading.learner_feedback import FEEDBACK_PREPROCESSORS  # noqa: E402

c.GenerateFeedback.preprocessors = FEEDBACK_PREPROCESSORS
