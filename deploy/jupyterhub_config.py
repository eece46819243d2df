"""JupyterHub for a hitpm class: one server, Unix accounts, each user's JupyterLab run as that user.

install.sh copies this file to <prefix>/etc/jupyterhub_config.py; start the hub from the same
environment, as root:  <prefix>/bin/jupyterhub -f <prefix>/etc/jupyterhub_config.py
Edit the settings below (or add your own after them) for your server.
"""

import os
import sys
from pathlib import Path
from urllib.parse import quote

from jupyterhub.handlers import BaseHandler
from jupyterhub.utils import url_path_join

c = get_config()  # noqa: F821 (JupyterHub provides get_config)

#: The environment install.sh made, which this hub runs from: learners' servers run from it too.
PREFIX = Path(sys.prefix)
#: Where the hub keeps its own state (its database of users and tokens, its cookie secret).
STATE = Path("/srv/jupyterhub")
#: Unix groups whose members may log in: learners and instructors (see the README).
CLASS_GROUPS = {"hitpm-learners", "hitpm-instructors"}

# -- who may log in: Unix accounts and passwords (PAM), members of the class's groups only --------
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.allowed_groups = CLASS_GROUPS
# Accounts are made by the administrator (useradd), never by the hub on someone's first login.
c.LocalAuthenticator.create_system_users = False

# -- or: LTI 1.3 launches from the LMS (install.sh --lms; the README's "Connecting the LMS") -------
# Start the hub with HITPM_LTI=1 and the HITPM_LTI_* values the LMS gave when the tool was registered
# (or write them here). The LMS sends each learner's institution login as the custom parameter
# `username`: that is the hub user, their Unix account (made by the administrator, as above) and
# their nbgrader student id. The hub records each launch's LMS user id (`sub`) in LTI_LAUNCHES, where
# `hitpm lms push` finds it; the LMS's instructors (and teaching assistants) join the hub group
# INSTRUCTORS_GROUP, everyone else leaves it.
LTI = os.environ.get("HITPM_LTI") == "1"
LTI_LAUNCHES = PREFIX / "var" / "lti-launches.json"
INSTRUCTORS_GROUP = os.environ.get("HITPM_INSTRUCTORS_GROUP", "hitpm-instructors")
if LTI:
    from hitpm_widgets.lms.launches import lti_post_auth_hook

    c.JupyterHub.authenticator_class = "ltiauthenticator.lti13.auth.LTI13Authenticator"
    c.LTI13Authenticator.issuer = os.environ["HITPM_LTI_ISSUER"]  # Canvas: https://canvas.instructure.com
    c.LTI13Authenticator.client_id = set(os.environ["HITPM_LTI_CLIENT_ID"].split())
    c.LTI13Authenticator.authorize_url = os.environ["HITPM_LTI_AUTHORIZE_URL"]  # the LMS's OIDC auth endpoint
    c.LTI13Authenticator.jwks_endpoint = os.environ["HITPM_LTI_JWKS_URL"]  # the LMS's public key set
    c.LTI13Authenticator.username_key = "custom_username"
    # The LMS decides who is in the class: whoever it launches may log in (a Unix account must exist).
    c.LTI13Authenticator.allow_all = True
    c.LTI13Authenticator.manage_groups = True
    c.LTI13Authenticator.post_auth_hook = lti_post_auth_hook(LTI_LAUNCHES, INSTRUCTORS_GROUP, INSTRUCTORS_GROUP)

# -- each user's server: a local process run as that Unix user, in their home folder -------------
c.JupyterHub.spawner_class = "localprocess"
# Each start first puts the course in ~/hitpm-workspace (the lessons and the workbooks' student versions: new
# ones added, lessons the learner has not changed updated, their work never overwritten), then runs
# jupyterhub-singleuser. JupyterLab opens on the start page; the assignment list is under Nbgrader → Assignments.
c.Spawner.cmd = [str(PREFIX / "bin" / "python"), "-m", "hitpm_widgets.hub_server"]
c.Spawner.default_url = "/lab/tree/hitpm-workspace/course/00-start-here.ipynb"
c.Spawner.notebook_dir = "~"
# nbgrader runs tools by name (alembic for the gradebook) and the kit runs `hitpm`: they are found
# in the shared environment first.
c.Spawner.environment = {"PATH": f"{PREFIX / 'bin'}:/usr/local/bin:/usr/bin:/bin"}
# The first start of a server imports JupyterLab, nbgrader and the kit: give it time on a busy host.
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 90



# -- formgrader's links: in its own browser tab, formgrader links an assignment's name and Preview to
# /tree/<path> (and notebooks to /notebooks/ or /edit/) at the top of the site, without /user/<name>/, where
# the hub answers 404. The hub sends them on to the signed-in user's own server.
class FormgraderLink(BaseHandler):
    def get(self, kind: str, path: str) -> None:
        self.redirect(url_path_join(self.hub.base_url, "user-redirect", kind, quote(path)))


# (JupyterHub adds its /hub/ prefix, and sends /tree/... there first.)
c.JupyterHub.extra_handlers = [(r"/(tree|notebooks|edit)/(.*)", FormgraderLink)]

# -- the hub's own files ---------------------------------------------------------------------------
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")

# -- where it listens: this machine only, until you choose how a class reaches it over TLS ----------
# For a class on a network, either keep this and put a reverse proxy with TLS in front (nginx, Caddy), or
# listen on every interface with the hub's own TLS (README, "A class on a network"):
#   c.JupyterHub.bind_url = "https://:443"
#   c.JupyterHub.ssl_cert = "/etc/letsencrypt/live/<server>/fullchain.pem"
#   c.JupyterHub.ssl_key = "/etc/letsencrypt/live/<server>/privkey.pem"
c.JupyterHub.bind_url = "http://127.0.0.1:8000"
