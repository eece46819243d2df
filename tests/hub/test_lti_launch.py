"""LTI 1.3 launches from an LMS into the class hub (deploy/jupyterhub_config.py with HITPM_LTI=1), from a real
LTI 1.3 platform (lti1p3platform, tests/lms/platform.py): OIDC login initiation, the tool's authentication
request, the signed id_token posted back, and the learner on their own server, as their Unix account."""

from __future__ import annotations

import grp
import html.parser
import os
import stat

import jwt
import pytest
import requests

from hitpm_widgets.lms.ags import public_jwk
from hitpm_widgets.lms.launches import lms_users

from ..lms.platform import INSTRUCTOR, LEARNER, Member, TestPlatform, new_rsa_key
from .conftest import running_hub
from .test_hub_class import wait_until_ready


class Form(html.parser.HTMLParser):
    """The auto-submitting form a platform gives the browser: its action and hidden fields."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.action, self.fields = None, {}
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.action = attrs["action"]
        elif tag == "input":
            self.fields[attrs["name"]] = attrs["value"]


@pytest.fixture(scope="module")
def platform():
    platform = TestPlatform(public_jwk(new_rsa_key()[0])).start()
    yield platform
    platform.stop()


@pytest.fixture(scope="module")
def lti_hub(server, platform):
    env = {"HITPM_LTI": "1", "HITPM_LTI_ISSUER": platform.issuer, "HITPM_LTI_CLIENT_ID": platform.client_id,
           "HITPM_LTI_AUTHORIZE_URL": platform.authorize_url, "HITPM_LTI_JWKS_URL": platform.key_set_url,
           "HITPM_INSTRUCTORS_GROUP": server.groups["instructors"]}
    with running_hub(server, "lti", env=env) as hub:
        # What the LMS administrator types in when registering the tool (the README's table).
        platform.register_tool(f"{hub.url}/hub/lti13/oauth_login", f"{hub.url}/")
        platform.enrol(Member("5f1c0e2a-learner", server.accounts["learner1"].name, [LEARNER]))
        platform.enrol(Member("9b7d44c1-teacher", server.accounts["instructor"].name, [INSTRUCTOR]))
        yield hub


def launch_form(platform: TestPlatform, browser: requests.Session, sub: str) -> Form:
    """Click the course's link: the platform's login initiation, the hub's authentication request, the form."""
    page = browser.get(platform.launch_url(sub), timeout=60)
    assert page.status_code == 200 and page.url.startswith(platform.authorize_url), page.text[:500]
    assert [r.url.split("?")[0] for r in page.history][1].endswith("/hub/lti13/oauth_login")
    return Form(page.text)


def test_a_learner_launched_from_the_lms_lands_on_their_own_server(lti_hub, platform, server):
    learner = server.accounts["learner1"]
    browser = requests.Session()
    form = launch_form(platform, browser, "5f1c0e2a-learner")
    assert form.action == f"{lti_hub.url}/hub/lti13/oauth_callback"
    launched = browser.post(form.action, data=form.fields, timeout=60, allow_redirects=False)
    assert launched.status_code == 302, f"{launched.text[:300]}\n{lti_hub.log.read_text()[-3000:]}"
    browser.get(f"{lti_hub.url}{launched.headers['Location']}", timeout=120)  # the hub starts their server
    wait_until_ready(lti_hub, [learner.name])
    lab = browser.get(f"{lti_hub.url}/user/{learner.name}/lab", timeout=120)
    assert lab.status_code == 200 and lab.url == f"{lti_hub.url}/user/{learner.name}/lab"
    assert "JupyterLab" in lab.text
    # Their server runs as their own Unix account: the hub user is the login the LMS sent.
    owners = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if b"jupyterhub-singleuser" in open(f"/proc/{entry}/cmdline", "rb").read():
                    owners.add(os.stat(f"/proc/{entry}").st_uid)
            except OSError:
                pass
    assert learner.uid in owners
    user = lti_hub.api("GET", f"/users/{learner.name}")
    assert user["groups"] == []
    # The launch recorded the LMS's user id for `hitpm lms push`, for instructors' eyes only.
    record = server.prefix / "var" / "lti-launches.json"
    assert lms_users(record, platform.issuer)[learner.name] == "5f1c0e2a-learner"
    info = os.stat(record)
    assert stat.S_IMODE(info.st_mode) == 0o640
    assert grp.getgrgid(info.st_gid).gr_name == server.groups["instructors"]


def test_the_lms_instructor_joins_the_instructors_group(lti_hub, platform, server):
    teacher = server.accounts["instructor"]
    browser = requests.Session()
    form = launch_form(platform, browser, "9b7d44c1-teacher")
    launched = browser.post(form.action, data=form.fields, timeout=60, allow_redirects=False)
    assert launched.status_code == 302, launched.text[:300]
    assert lti_hub.api("GET", f"/users/{teacher.name}")["groups"] == [server.groups["instructors"]]
    assert lms_users(server.prefix / "var" / "lti-launches.json", platform.issuer)[teacher.name] == "9b7d44c1-teacher"


def test_a_launch_not_signed_by_the_platform_is_refused(lti_hub, platform, server):
    browser = requests.Session()
    form = launch_form(platform, browser, "5f1c0e2a-learner")
    claims = jwt.decode(form.fields["id_token"], options={"verify_signature": False})
    header = jwt.get_unverified_header(form.fields["id_token"])
    claims["https://purl.imsglobal.org/spec/lti/claim/custom"] = {"username": server.accounts["outsider"].name}
    forged = jwt.encode(claims, new_rsa_key()[0], algorithm="RS256", headers={"kid": header["kid"]})
    refused = browser.post(form.action, data={**form.fields, "id_token": forged}, timeout=60, allow_redirects=False)
    assert refused.status_code in (400, 401)
    names = {user["name"] for user in lti_hub.api("GET", "/users")}
    assert server.accounts["outsider"].name not in names
