"""nbgrader's settings for every user of the hub (install.sh puts it in the environment's etc/jupyter).

Learners need no more than this: which course they are in and where its exchange is. The
instructor's own file (~/.jupyter/nbgrader_config.py, made by setup-instructor.sh) adds the course
folder and, if wanted, a PostgreSQL gradebook.
"""

c = get_config()  # noqa: F821 (nbgrader provides get_config)

# The course id of the kit's nbgrader_config.py: released assignments, submissions and feedback
# travel under <exchange>/hitpm/.
c.CourseDirectory.course_id = "hitpm"
c.Exchange.root = "@EXCHANGE@"

# A submission is for the learner and the instructors only: stock nbgrader leaves it readable (and its
# folder writable) by anyone who learns its random name.
c.ExchangeFactory.submit = "hitpm_widgets.exchange.PrivateSubmit"
