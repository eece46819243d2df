"""Grading a whole class on top of nbgrader's gradebook: `hitpm grade`.

How the pieces fit, in the order a run uses them:

- cli.py: the command line (`add_grade_command` registers `hitpm grade`);
- settings.py: the limits and workers, from the command line or nbgrader_config.py (HitpmGrade);
- isolation/: process containment, apart from the nbgrader pipeline: launch.py (the run's scratch
  folder, the kernels' environment, the fork-server started early), zygote.py / forkserver.py (the
  fork-server process, which imports once and forks a kernel per submission, and the grader's side
  of it), fence.py and syscalls.py (what each kernel is fenced in with: limits, own user, its own
  mount, PID and network namespaces), kernels.py (a jupyter_client kernel manager over it);
- preflight.py: one kernel, fenced as the others, must pass the assignment's own solution first;
- course.py: the course as nbgrader sees it (configuration, folders, submissions, what is graded);
- sourcebook.py: the assignment's source cells, read from the gradebook once;
- prepare.py, checksums.py, answer_files.py: a submission laid out and sanitized as nbgrader does,
  with what it changed that it must not;
- runner.py: a notebook run in a fenced kernel by nbgrader's Execute, surviving it;
- outcomes.py, findings.py: what a run means for the person grading;
- gradebook.py: the one writer of the gradebook, one transaction per submission;
- grade.py: the class, several submissions at a time; progress.py: the terminal's progress bar;
- feedback.py, exports.py, report.py, charts.py: what the instructor gets afterwards.
"""
