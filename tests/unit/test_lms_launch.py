"""LTI 1.3 launches into the class hub (deploy/jupyterhub_config.py with HITPM_LTI=1): who the hub user is,
the record of launches that `hitpm lms push` reads, and the LMS's instructors in the instructors' group."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest
from traitlets.config import Config

from hitpm_widgets.lms.launches import ROLES_CLAIM, lms_users, read_launches, record_launch

from ..conftest import REPO

ISSUER = "https://lms.example.edu"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


def hub_config(monkeypatch, tmp_path) -> Config:
    """deploy/jupyterhub_config.py as the hub reads it, switched to LTI 1.3."""
    for name, value in {"HITPM_LTI": "1", "HITPM_LTI_ISSUER": ISSUER, "HITPM_LTI_CLIENT_ID": "125900000001",
                        "HITPM_LTI_AUTHORIZE_URL": f"{ISSUER}/auth", "HITPM_LTI_JWKS_URL": f"{ISSUER}/jwks",
                        "HITPM_INSTRUCTORS_GROUP": "class-instructors"}.items():
        monkeypatch.setenv(name, value)
    config = Config()
    source = (REPO / "deploy" / "jupyterhub_config.py").read_text()
    source = source.replace('LTI_LAUNCHES = PREFIX / "var" / "lti-launches.json"',
                            f"LTI_LAUNCHES = Path({str(tmp_path / 'launches.json')!r})")
    exec(compile(source, "jupyterhub_config.py", "exec"), {"get_config": lambda: config})
    return config


def id_token(sub: str, username: str, roles: list[str]) -> dict:
    return {"iss": ISSUER, "sub": sub, ROLES_CLAIM: roles,
            "https://purl.imsglobal.org/spec/lti/claim/custom": {"username": username}}


def test_a_launch_names_the_hub_user_after_the_login_and_records_the_lms_user(monkeypatch, tmp_path):
    from ltiauthenticator.lti13.auth import LTI13Authenticator

    config = hub_config(monkeypatch, tmp_path)
    assert config.JupyterHub.authenticator_class == "ltiauthenticator.lti13.auth.LTI13Authenticator"
    authenticator = LTI13Authenticator(config=config)
    assert authenticator.client_id == {"125900000001"} and authenticator.issuer == ISSUER
    hook = config.LTI13Authenticator.post_auth_hook

    token = id_token("8f2c-77", "jdoe", [LEARNER])
    name = authenticator.get_username(token)
    assert name == "jdoe"  # the institution login: the Unix account and the nbgrader student id
    learner = hook(authenticator, None, {"name": name, "auth_state": token})
    assert learner["groups"] == []
    teacher_token = id_token("c1d0-01", "mteach", [INSTRUCTOR])
    teacher = hook(authenticator, None, {"name": authenticator.get_username(teacher_token),
                                         "auth_state": teacher_token})
    assert teacher["groups"] == ["class-instructors"]

    record = tmp_path / "launches.json"
    assert lms_users(record, ISSUER) == {"jdoe": "8f2c-77", "mteach": "c1d0-01"}
    assert lms_users(record, "https://another.lms.example") == {}
    assert stat.S_IMODE(os.stat(record).st_mode) == 0o640  # learners cannot read who is who


def test_a_later_launch_updates_the_record_and_keeps_the_others(tmp_path):
    record = tmp_path / "hub" / "launches.json"
    record_launch(record, "jdoe", {"sub": "old", "iss": ISSUER})
    record_launch(record, "asmith", {"sub": "a-1", "iss": ISSUER})
    record_launch(record, "jdoe", {"sub": "new", "iss": ISSUER})
    assert lms_users(record, ISSUER) == {"jdoe": "new", "asmith": "a-1"}
    assert set(read_launches(record)["jdoe"]) == {"sub", "iss", "launched"}
    assert [p.name for p in record.parent.iterdir()] == ["launches.json"]  # no staging file left
    assert read_launches(tmp_path / "none.json") == {}
    (tmp_path / "bad.json").write_text(json.dumps(["not", "a", "record"]))
    with pytest.raises(ValueError, match="not a record of LTI launches"):
        read_launches(tmp_path / "bad.json")


def test_without_hitpm_lti_the_hub_keeps_unix_passwords(monkeypatch):
    monkeypatch.delenv("HITPM_LTI", raising=False)
    config = Config()
    exec(compile((REPO / "deploy" / "jupyterhub_config.py").read_text(), "jupyterhub_config.py", "exec"),
         {"get_config": lambda: config})
    assert config.JupyterHub.authenticator_class == "pam"
    assert "LTI13Authenticator" not in config


def test_the_learner_package_does_not_pull_in_the_lms_libraries():
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert not [d for d in project["dependencies"] if d.startswith(("pylti1p3", "jupyterhub-lti", "lti1p3"))]
    assert any(d.startswith("pylti1p3") for d in project["optional-dependencies"]["lms"])
    code = ("import sys, hitpm_widgets, hitpm_widgets.cli; hitpm_widgets.cli.build_parser(); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pylti1p3', 'ltiauthenticator', 'jwt')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
