"""Grading a whole class on top of nbgrader's gradebook: `hitpm grade`.

How the pieces fit, in the order a run uses them:

- cli.py: the command line (`add_grade_command` registers `hitpm grade`);
- launch.py: the run's scratch folder and the kernels' environment; starts the fork-server early;
- zygote.py / forkserver.py: the fork-server process (imports once, forks a kernel per submission)
  and the grader's side of it;
- sandbox.py: what each kernel is fenced in with (limits, own user, no network, hidden folders);
- course.py: the course as nbgrader sees it (configuration, folders, submissions, what is graded);
- sourcebook.py: the assignment's source cells, read from the gradebook once;
- prepare.py, checksums.py, answer_files.py: a submission laid out and sanitized as nbgrader does,
  with what it changed that it must not;
- kernels.py, runner.py: a notebook run in a fenced kernel by nbgrader's Execute, surviving it;
- outcomes.py, findings.py: what a run means for the person grading;
- gradebook.py: the one writer of the gradebook, one transaction per submission;
- grade.py: the class, several submissions at a time; progress.py: the terminal's progress bar;
- feedback.py, exports.py, report.py, charts.py: what the instructor gets afterwards.
"""
