"""`hitpm lms push ASSIGNMENT` and `hitpm lms key`: grades into the LMS over LTI 1.3 Assignment and Grade Services."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

EXIT_NOT_ALL_SENT = 1
EXIT_USAGE = 2


def add_lms_command(commands) -> None:
    lms = commands.add_parser(
        "lms", help="send grades to the LMS (LTI 1.3 Assignment and Grade Services)",
        description="The class's LMS over LTI 1.3: `push` sends an assignment's grades to its gradebook, `key` "
        "prints the tool's public key for the LMS's registration form. Settings: c.HitpmLms.* in "
        "nbgrader_config.py (see the README). Needs the lms extra: pip install 'hitpm[lms]'.",
    )
    actions = lms.add_subparsers(dest="lms_command", metavar="ACTION", required=True)
    push = actions.add_parser(
        "push", help="send each learner's score of an assignment to the LMS's line item for it",
        description="Send each graded submission's score to the assignment's line item in the LMS (found by its "
        "tag, the assignment's name, or made). A submission with answers waiting for manual grading goes as "
        "PendingManual, with no score, never as final. Only what changed since the last push is sent: run it "
        "again after grading by hand, or after a push that did not send everything.",
    )
    push.add_argument("assignment", help="the assignment, e.g. ps01-emr-stakeholders")
    push.add_argument("--course", help="the course root (default: the course this command runs in)")
    push.add_argument("--dry-run", action="store_true", help="print what would be sent, send nothing")
    push.add_argument("--force", action="store_true", help="send every score again, changed or not")
    push.set_defaults(run=run_push)
    key = actions.add_parser("key", help="print the tool's public key (JWK) to paste into the LMS",
                             description="Print the public key of the tool's private key file as a JWK, for the "
                             "LMS's tool registration (Canvas: Public JWK). The file must be readable by its "
                             "owner only.")
    key.add_argument("private_key", help="the tool's RSA private key (PEM), e.g. ~/.config/hitpm/lti-tool.pem")
    key.set_defaults(run=run_key)


def _course_and_settings(args):
    from ..grading.cli import course_root
    from ..grading.course import GradingCourse
    from .settings import read_settings

    root = course_root(args)
    course = GradingCourse(root, args.assignment, logging.getLogger("hitpm.lms"))
    return course, read_settings(course.config, root)


def _setup(args, err):
    """The course and its LMS settings; None (after one line) when they cannot be used."""
    from ..grading.course import CourseError
    from ..workspace import WorkspaceError
    from .settings import LmsConfigError

    root = logging.getLogger()
    saved = root.handlers[:]
    root.handlers[:] = [logging.NullHandler()]  # nbgrader's log lines are not for this terminal
    try:
        return _course_and_settings(args)
    except (CourseError, WorkspaceError, LmsConfigError) as error:
        print(f"hitpm lms: {error}", file=err)
        return None
    except ModuleNotFoundError as error:
        print(f"hitpm lms: {error.name} is missing: install the lms extra (pip install 'hitpm[lms]')", file=err)
        return None
    finally:
        root.handlers[:] = saved


def run_key(args, out=None, err=None) -> int:
    from .settings import LmsConfigError, check_private_key

    path = Path(args.private_key).expanduser().absolute()
    try:
        check_private_key(path, None)
        from .ags import public_jwk

        jwk = public_jwk(path.read_text(encoding="utf-8"))
    except LmsConfigError as error:
        print(f"hitpm lms: {error}", file=err or sys.stderr)
        return EXIT_USAGE
    except ValueError as error:
        print(f"hitpm lms: {path} is not an RSA private key in PEM: {error}", file=err or sys.stderr)
        return EXIT_USAGE
    print(json.dumps(jwk, indent=1), file=out or sys.stdout)
    return 0


def record_path(course) -> Path:
    """Beside `hitpm grade`'s outputs: what was sent to the LMS, per assignment."""
    return course.root / "grading" / f"{course.assignment}-lms-pushed.json"


def run_push(args, out=None, err=None) -> int:
    from nbgrader.api import Gradebook, MissingEntry

    from .launches import lms_users
    from .push import PushRecord, plan_scores

    out, err = out or sys.stdout, err or sys.stderr
    setup = _setup(args, err)
    if setup is None:
        return EXIT_USAGE
    course, settings = setup
    try:
        with Gradebook(course.db_url) as gradebook:
            plan = plan_scores(gradebook, course.assignment)
        users = lms_users(settings.launches, settings.issuer)
    except MissingEntry:
        print(f"hitpm lms: {course.assignment} is not in the gradebook yet: grade it first (hitpm grade "
              f"{course.assignment})", file=err)
        return EXIT_USAGE
    except (OSError, ValueError) as error:
        print(f"hitpm lms: cannot read the record of launches {settings.launches}: {error}", file=err)
        return EXIT_USAGE
    record = PushRecord(record_path(course))
    if args.dry_run:
        return _dry_run(plan, users, record, args.force, out)
    return _push(args, plan, users, record, settings, out, err)


def _dry_run(plan, users, record, force, out) -> int:
    from .push import wanted

    scores, unknown = wanted(plan, users)
    print(f"hitpm lms: dry run: {plan.assignment}: line item tagged {plan.assignment!r}, {plan.maximum:g} points",
          file=out)
    for student, score in scores.items():
        if not force and record.sent(None, student) == score:
            print(f"hitpm lms: {student}: unchanged, not sent again", file=out)
        else:
            print(f"hitpm lms: {student}: would send {json.dumps(score, sort_keys=True)}", file=out)
    for student, why in unknown.items():
        print(f"hitpm lms: {student}: {why}", file=out)
    return 0


def _push(args, plan, users, record, settings, out, err) -> int:
    from .ags import Lms
    from .push import push

    try:
        lms = Lms(settings)
    except ValueError as error:
        print(f"hitpm lms: {settings.private_key} is not an RSA private key in PEM: {error}", file=err)
        return EXIT_USAGE
    outcome = push(lms, plan, users, record, force=args.force)
    if outcome.stopped:
        print(f"hitpm lms: {outcome.stopped}", file=err)
    for student, why in sorted(outcome.not_sent.items()):
        if why != "not sent":  # those a stopped push did not reach: the summary names them
            print(f"hitpm lms: {student}: {why}", file=err)
    print(f"hitpm lms: {plan.assignment}: {len(outcome.sent)} sent"
          + (f" ({', '.join(outcome.sent)})" if outcome.sent else "")
          + f", {len(outcome.unchanged)} unchanged"
          + (f", {len(outcome.not_sent)} not sent ({', '.join(sorted(outcome.not_sent))}): run the same command "
             "again to send them" if outcome.not_sent else ""), file=out)
    return EXIT_NOT_ALL_SENT if outcome.not_sent else 0
