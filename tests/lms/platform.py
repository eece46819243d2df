"""An LTI 1.3 platform (an LMS's side) on 127.0.0.1, built on lti1p3platform, for the tests.

lti1p3platform brings the platform's logic: the OAuth2 client-credentials token (checking the tool's
signed assertion against the tool's public key), token checks on every AGS call with their scopes, and
the AGS line item, score and result handlers. What is here is what a framework adapter does (a small
Tornado app) and the platform's storage: its course roster, line items and scores, in memory.
"""

from __future__ import annotations

import asyncio
import copy
import html
import itertools
import json
import socket
import threading
import typing as t
from dataclasses import dataclass, field

import tornado.web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lti1p3platform.exceptions import LineItemNotFoundException
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request
from lti1p3platform.score import UpdateScoreStatus
from lti1p3platform.service_connector import AssignmentsGradesService


def new_rsa_key() -> tuple[str, str]:
    """A new RSA key pair, PEM: (private, public)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


@dataclass
class Gradebook:
    """The LMS course's gradebook: who is enrolled (their LTI user ids), line items, and each score as posted."""

    roster: set[str] = field(default_factory=set)
    line_items: dict[str, dict] = field(default_factory=dict)
    scores: dict[str, dict[str, dict]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def snapshot(self) -> tuple[dict, dict]:
        with self.lock:
            return copy.deepcopy(self.line_items), copy.deepcopy(self.scores)


class TornadoRequest(Request):
    def build_metadata(self, request) -> dict:
        body = request.body.decode() if request.body else ""
        content_type = request.headers.get("Content-Type", "")
        return {
            "method": request.method,
            "form_data": {k: v[-1].decode() for k, v in request.body_arguments.items()},
            "get_data": {k: v[-1].decode() for k, v in request.query_arguments.items()},
            "headers": request.headers,
            "content_type": content_type,
            "path": request.path,
            "json": json.loads(body) if body and "json" in content_type else None,
        }


class PlatformConf(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, registration: Registration) -> None:
        self._registration = registration

    def get_registration_by_params(self, **kwargs: t.Any) -> Registration:
        return self._registration


class Ags(AssignmentsGradesService):
    """lti1p3platform's AGS handlers on the in-memory gradebook."""

    ids = itertools.count(1)

    def __init__(self, request, platform: TestPlatform) -> None:
        super().__init__(request, platform.conf, platform.lineitems_url)
        self.platform = platform
        self.book = platform.gradebook

    def _item(self, line_item_id: str) -> dict:
        if line_item_id not in self.book.line_items:
            raise LineItemNotFoundException(line_item_id)
        return self.book.line_items[line_item_id]

    def find_lineitems(self, page=1, limit=None, line_item_id=None, resource_link_id=None, resource_id=None,
                       tag=None):
        items = [item for item in self.book.line_items.values()
                 if (tag is None or item.get("tag") == tag) and (resource_id is None or item.get("resourceId") ==
                                                                 resource_id)]
        return {"content": items, "has_next": False}

    def find_lineitem(self, line_item_id):
        return self._item(line_item_id)

    def create_lineitem(self, creation_data):
        with self.book.lock:
            number = str(next(self.ids))
            item = {**creation_data, "id": f"{self.platform.lineitems_url}/{number}"}
            self.book.line_items[number] = item
            self.book.scores[number] = {}
        return item

    def update_lineitem(self, update_data):
        number = update_data["id"]
        self._item(number).update({k: v for k, v in update_data.items() if k != "id"})
        return self._item(number)

    def delete_lineitem(self, line_item_id):
        self._item(line_item_id)
        del self.book.line_items[line_item_id]

    def update_score(self, line_item_id, score):
        self._item(line_item_id)
        with self.book.lock:
            if score.get("userId") not in self.book.roster:
                return UpdateScoreStatus.NOTAPPLIED  # nobody of this course: 403
            before = self.book.scores[line_item_id].get(score["userId"])
            if before is not None and before["timestamp"] >= score["timestamp"]:
                return UpdateScoreStatus.OLD_TIMESTAMP  # 409, as the AGS specification asks
            self.book.scores[line_item_id][score["userId"]] = score
        return UpdateScoreStatus.SUCCESS if before else UpdateScoreStatus.CREATED

    def get_results(self, line_item_id, page=1, limit=None, user_id=None):
        item = self._item(line_item_id)
        results = []
        for user, score in self.book.scores[line_item_id].items():
            result = {"id": f"{item['id']}/results/{user}", "userId": user, "scoreOf": item["id"],
                      "resultMaximum": score.get("scoreMaximum", 1)}
            if "scoreGiven" in score:
                result["resultScore"] = score["scoreGiven"]
            results.append(result)
        return {"content": results, "has_next": False}


@dataclass
class Member:
    """Someone of the LMS course: their LTI user id, their institution login, their roles."""

    sub: str
    login: str
    roles: list[str]


LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


class OidcLogin(OIDCLoginAbstract):
    """lti1p3platform's login initiation: the browser goes to the tool's OIDC login URL."""

    def set_lti_message_hint(self, **kwargs: t.Any) -> None:
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url: str) -> str:
        return url


class Launch(LTIAdvantageMessageLaunchAbstract):
    """lti1p3platform's launch: checks the tool's authentication request, signs the id_token with the platform's
    key, and gives the form the browser posts to the tool's redirect URI."""

    def get_preflight_response(self) -> dict[str, t.Any]:
        return self._request.get_data

    def render_launch_form(self, launch_data: dict[str, t.Any], **kwargs: t.Any) -> str:
        fields = "".join(f'<input type="hidden" name="{name}" value="{html.escape(launch_data[name])}">'
                         for name in ("id_token", "state"))
        return (f'<form id="launch" method="post" action="{html.escape(launch_data["launch_url"])}">{fields}</form>'
                "<script>document.getElementById('launch').submit()</script>")


class _Handler(tornado.web.RequestHandler):
    def initialize(self, platform: TestPlatform) -> None:
        self.platform = platform

    def check_xsrf_cookie(self) -> None:  # server-to-server calls: no cookies
        pass

    def answer(self, response) -> None:
        self.set_status(response.code)
        self.set_header("Content-Type", response.media_type)
        result = response.result
        if isinstance(result, dict) and "content" in result:  # a page of a container
            if result.get("next"):
                self.set_header("Link", f'<{result["next"]}>; rel="next"')
            result = result["content"]
        if result is not None:
            self.write(json.dumps(result))
        elif response.code >= 400:
            self.write(json.dumps({"error": response.message}))

    def ags(self) -> Ags:
        return Ags(TornadoRequest(self.request), self.platform)


class StartLaunchHandler(_Handler):
    """A member opens the tool's link in the course: the platform starts the OIDC login with the tool."""

    def get(self) -> None:
        member = self.platform.members[self.get_argument("sub")]
        login = OidcLogin(TornadoRequest(self.request), self.platform.conf)
        login.set_lti_message_hint(hint="hitpm-course-link")
        self.redirect(login.initiate_login(member.sub))


class AuthorizeHandler(_Handler):
    """The tool's authentication request comes back here; the launch form goes to the tool."""

    def get(self) -> None:
        member = self.platform.members[self.get_argument("login_hint")]
        launch = Launch(TornadoRequest(self.request), self.platform.conf)
        launch.set_user_data(member.sub, member.roles)
        launch.set_resource_link_claim("hitpm-course-link", title="hitpm course")
        launch.set_custom_parameters_claim({"username": member.login})
        launch.set_ags(self.platform.lineitems_url)
        self.write(launch.lti_launch())


class TokenHandler(_Handler):
    def post(self) -> None:
        form = {k: v[-1].decode() for k, v in self.request.body_arguments.items()}
        try:
            token = self.platform.conf.get_access_token(form)
        except Exception as error:  # noqa: BLE001 - whatever the check: the tool is refused, as an LMS does
            self.set_status(401)
            self.write({"error": "invalid_client", "error_description": str(error)})
            return
        self.write(token)


class KeySetHandler(_Handler):
    def get(self) -> None:
        self.write(self.platform.conf.get_jwks())


class LineItemsHandler(_Handler):
    def get(self) -> None:
        ags = self.ags()
        self.answer(ags.handle_resp(ags.handle_get_lineitems))

    def post(self) -> None:
        ags = self.ags()
        self.answer(ags.handle_resp(ags.handle_create_lineitem))


class LineItemHandler(_Handler):
    def get(self, number: str) -> None:
        ags = self.ags()
        self.answer(ags.handle_resp(ags.handle_get_lineitem, line_item_id=number))


class ScoresHandler(_Handler):
    def post(self, number: str) -> None:
        ags = self.ags()
        self.answer(ags.handle_resp(ags.handle_update_score, line_item_id=number))


class ResultsHandler(_Handler):
    def get(self, number: str) -> None:
        ags = self.ags()
        self.answer(ags.handle_resp(ags.handle_get_results, line_item_id=number))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class TestPlatform:
    """The platform, with its own keys, serving on a port of its own in a thread of its own."""

    __test__ = False  # not a test class, for pytest

    def __init__(self, tool_jwk: dict, client_id: str = "hitpm-tool", deployment_id: str = "1") -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.issuer = self.url
        self.client_id, self.deployment_id = client_id, deployment_id
        private, public = new_rsa_key()
        registration = (Registration().set_iss(self.issuer).set_client_id(client_id).set_deployment_id(deployment_id)
                        .set_platform_private_key(private).set_platform_public_key(public)
                        .set_tool_key_set({"keys": [tool_jwk]}))
        self.conf = PlatformConf(registration=registration)
        self.gradebook = Gradebook()
        #: LTI user id -> member, for launches
        self.members: dict[str, Member] = {}
        self.registration = registration
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def token_url(self) -> str:
        return f"{self.url}/token"

    @property
    def key_set_url(self) -> str:
        return f"{self.url}/jwks"

    @property
    def lineitems_url(self) -> str:
        return f"{self.url}/courses/1/lineitems"

    @property
    def authorize_url(self) -> str:
        return f"{self.url}/auth"

    def register_tool(self, oidc_login_url: str, target_link_uri: str) -> None:
        """The tool's URLs, as an administrator types them into the LMS."""
        self.registration.set_oidc_login_url(oidc_login_url).set_launch_url(target_link_uri)

    def enrol(self, member: Member) -> None:
        self.members[member.sub] = member
        self.gradebook.roster.add(member.sub)

    def launch_url(self, sub: str) -> str:
        """The course's link to the tool, as `sub` clicks it."""
        return f"{self.url}/launch?sub={sub}"

    def app(self) -> tornado.web.Application:
        args = {"platform": self}
        items = r"/courses/1/lineitems"
        return tornado.web.Application([
            (r"/launch", StartLaunchHandler, args),
            (r"/auth", AuthorizeHandler, args),
            (r"/token", TokenHandler, args),
            (r"/jwks", KeySetHandler, args),
            (items, LineItemsHandler, args),
            (items + r"/(\d+)", LineItemHandler, args),
            (items + r"/(\d+)/scores", ScoresHandler, args),
            (items + r"/(\d+)/results", ResultsHandler, args),
        ])

    def start(self) -> TestPlatform:
        started = threading.Event()

        def serve() -> None:
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            server = self.app().listen(self.port, "127.0.0.1")
            started.set()
            self._loop.run_forever()
            server.stop()
            self._loop.close()

        self._thread = threading.Thread(target=serve, daemon=True, name="lti-platform")
        self._thread.start()
        started.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)


def results_of(platform: TestPlatform, tool_private_key: str, tag: str) -> dict[str, dict]:
    """The AGS results of the line item tagged `tag`, read over HTTP as any tool would (pylti1p3 as a plain
    client): LTI user id -> result."""
    from pylti1p3.assignments_grades import AssignmentsGradesService as Client
    from pylti1p3.registration import Registration as ToolRegistration
    from pylti1p3.service_connector import ServiceConnector

    public = serialization.load_pem_private_key(tool_private_key.encode(), None).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    registration = (ToolRegistration().set_issuer(platform.issuer).set_client_id(platform.client_id)
                    .set_auth_token_url(platform.token_url).set_tool_private_key(tool_private_key)
                    .set_tool_public_key(public))
    scopes = ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
              "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"]
    client = Client(ServiceConnector(registration), {"scope": scopes, "lineitems": platform.lineitems_url})
    item = client.find_lineitem_by_tag(tag)
    return {} if item is None else {result["userId"]: result for result in client.get_grades(item)}
