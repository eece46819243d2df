"""The hub's record of LTI launches: which LMS user (`sub`) each hub user is.

The hub names a learner after their institution login (the LMS sends it as a custom parameter, see
the README), and that name is the learner's Unix account and nbgrader student id. AGS wants the LMS's
own user id, the launch's `sub`: the hub writes it here at every launch, and `hitpm lms push` reads
it. A learner who has never launched the course from the LMS is not here yet; their grade is sent by
the first push after their first launch.

The record is a JSON object {hub user: {"sub": ..., "iss": ..., "launched": ISO time}}.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

#: The LTI 1.3 roles that make a hub user an instructor of the class (LIS context roles, long and short).
INSTRUCTOR_ROLES = {
    "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
    "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant",
    "Instructor",
}
ROLES_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/roles"


def read_launches(path: Path) -> dict[str, dict]:
    """Every recorded launch; an empty record when the hub has recorded none yet."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    if not isinstance(data, dict):
        raise ValueError(f"{path} is not a record of LTI launches (a JSON object)")
    return data


def lms_users(path: Path, issuer: str) -> dict[str, str]:
    """Hub user -> LMS user id, for the launches from `issuer` only (another LMS's ids mean nothing here)."""
    return {user: entry["sub"] for user, entry in read_launches(path).items()
            if isinstance(entry, dict) and entry.get("iss") == issuer and entry.get("sub")}


def record_launch(path: Path, user: str, id_token: dict, group: str | None = None) -> None:
    """Write (or update) one user's launch, atomically: a push never reads half a file."""
    launches = read_launches(path)
    launches[user] = {"sub": id_token["sub"], "iss": id_token["iss"],
                      "launched": datetime.now(UTC).isoformat(timespec="seconds")}
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, staging = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        json.dump(launches, stream, indent=1, sort_keys=True)
    # The instructors read it (hitpm lms push); learners have no business with it.
    os.chmod(staging, 0o640)
    if group is not None and os.geteuid() == 0:
        import grp

        try:
            os.chown(staging, 0, grp.getgrnam(group).gr_gid)
        except KeyError:  # no such Unix group: the record stays root's, and the push says it cannot read it
            pass
    os.replace(staging, path)


def is_instructor(id_token: dict) -> bool:
    return bool(INSTRUCTOR_ROLES & set(id_token.get(ROLES_CLAIM, [])))


def lti_post_auth_hook(path: Path, instructors_group: str, group_owner: str | None = None):
    """JupyterHub's post_auth_hook for LTI 1.3 launches: record the launch, and put the LMS's instructors in
    the hub's instructors group (`c.Authenticator.manage_groups = True`) and everyone else out of it."""

    def hook(authenticator, handler, authentication):
        id_token = authentication.get("auth_state") or {}
        if "sub" in id_token and "iss" in id_token:
            record_launch(path, authentication["name"], id_token, group_owner)
            authentication["groups"] = [instructors_group] if is_instructor(id_token) else []
        return authentication

    return hook
