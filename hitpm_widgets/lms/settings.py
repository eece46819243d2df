"""`hitpm lms`'s settings in nbgrader_config.py, the nbgrader way (the values the LMS gave at registration):

    c.HitpmLms.issuer = "https://canvas.instructure.com"
    c.HitpmLms.client_id = "10000000000042"
    c.HitpmLms.deployment_id = "17:8f6a..."
    c.HitpmLms.key_set_url = "https://canvas.instructure.com/api/lti/security/jwks"
    c.HitpmLms.token_url = "https://canvas.instructure.com/login/oauth2/token"
    c.HitpmLms.lineitems_url = "https://school.instructure.com/api/lti/courses/42/line_items"
    c.HitpmLms.private_key = "/etc/hitpm/lti-tool.pem"      # outside the course, readable by its owner only
    c.HitpmLms.launches = "/srv/jupyterhub/lti-launches.json"   # who launched: hub user -> LMS user
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from traitlets import Unicode
from traitlets.config import Configurable


class LmsConfigError(ValueError):
    """The LMS settings cannot be used as they are; the message says what to change."""


class HitpmLms(Configurable):
    issuer = Unicode("", help="the LMS's issuer (iss), as it gave it at registration").tag(config=True)
    client_id = Unicode("", help="the client id the LMS gave this tool").tag(config=True)
    deployment_id = Unicode("", help="the deployment id of the tool in the LMS").tag(config=True)
    key_set_url = Unicode("", help="the LMS's public key set (JWKS) URL").tag(config=True)
    token_url = Unicode("", help="the LMS's OAuth2 access token URL").tag(config=True)
    audience = Unicode("", help="the audience of the token request, if the LMS wants another than token_url"
                       ).tag(config=True)
    lineitems_url = Unicode("", help="the AGS line items URL of the course in the LMS").tag(config=True)
    private_key = Unicode("", help="the tool's RSA private key (PEM): outside the course folder, readable by its "
                          "owner only").tag(config=True)
    launches = Unicode("", help="the hub's record of LTI launches (which LMS user each hub user is)").tag(config=True)


REQUIRED = ("issuer", "client_id", "deployment_id", "key_set_url", "token_url", "lineitems_url", "private_key",
            "launches")


@dataclass(frozen=True)
class LmsSettings:
    issuer: str
    client_id: str
    deployment_id: str
    key_set_url: str
    token_url: str
    audience: str
    lineitems_url: str
    private_key: Path
    launches: Path


def read_settings(config, course_root: Path) -> LmsSettings:
    lms = HitpmLms(config=config)
    missing = [name for name in REQUIRED if not getattr(lms, name)]
    if missing:
        raise LmsConfigError("set " + ", ".join(f"c.HitpmLms.{name}" for name in missing)
                             + " in nbgrader_config.py (the README's section on connecting the LMS)")
    settings = LmsSettings(issuer=lms.issuer, client_id=lms.client_id, deployment_id=lms.deployment_id,
                           key_set_url=lms.key_set_url, token_url=lms.token_url, audience=lms.audience,
                           lineitems_url=lms.lineitems_url, private_key=Path(lms.private_key).expanduser(),
                           launches=Path(lms.launches).expanduser())
    check_private_key(settings.private_key, course_root)
    return settings


def check_private_key(path: Path, course_root: Path | None) -> None:
    """The key signs for the whole course in the LMS: never in the course folder (it is copied, shared,
    committed), never readable by anyone but its owner."""
    if not path.is_absolute():
        raise LmsConfigError(f"c.HitpmLms.private_key must be an absolute path, not {path}")
    real = path.resolve()
    if course_root is not None and real.is_relative_to(course_root.resolve()):
        raise LmsConfigError(f"the tool's private key {path} is inside the course folder {course_root}: move it out "
                             "(e.g. to ~/.config/hitpm/) and set c.HitpmLms.private_key")
    try:
        mode = real.stat().st_mode
    except OSError as error:
        raise LmsConfigError(f"cannot read the tool's private key {path}: {error.strerror}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise LmsConfigError(f"the tool's private key {path} can be read by others than its owner "
                             f"(mode {stat.S_IMODE(mode):o}): chmod 600 {path}")
    if not os.access(real, os.R_OK):
        raise LmsConfigError(f"cannot read the tool's private key {path}: it belongs to someone else")
