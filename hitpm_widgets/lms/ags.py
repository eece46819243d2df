"""The LMS's Assignment and Grade Services, through pylti1p3 (its OAuth2 client-credentials token, signed
with the tool's key, and its line item and score calls): no JWT is made here."""

from __future__ import annotations

import requests

from .settings import LmsSettings

SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]
#: Seconds to wait for the LMS: a push never hangs on an LMS that does not answer.
TIMEOUT = 30


class LmsUnreachable(RuntimeError):
    pass


class LmsRefused(RuntimeError):
    pass


class _Session(requests.Session):
    """pylti1p3's calls, with a time limit (it sets none)."""

    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", TIMEOUT)
        return super().request(*args, **kwargs)


def public_key_pem(private_pem: str) -> str:
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def public_jwk(private_pem: str) -> dict:
    """The tool's public key as the LMS asks for it at registration (Canvas: Public JWK; Moodle: RSA key)."""
    from pylti1p3.registration import Registration

    return dict(Registration.get_jwk(public_key_pem(private_pem)))


def explain(error: Exception) -> str:
    """One line: an HTTP error's status and the start of its body; a network error's cause."""
    response = getattr(error, "response", None)
    if response is not None:
        body = " ".join(response.text.split())[:160]
        return f"HTTP {response.status_code} from {response.url}" + (f": {body}" if body else "")
    return " ".join(str(error).split())[:200]


class Lms:
    """One course in the LMS, reached with the tool's registration."""

    def __init__(self, settings: LmsSettings) -> None:
        from pylti1p3.assignments_grades import AssignmentsGradesService
        from pylti1p3.registration import Registration
        from pylti1p3.service_connector import ServiceConnector

        private_pem = settings.private_key.read_text(encoding="utf-8")
        registration = (Registration().set_issuer(settings.issuer).set_client_id(settings.client_id)
                        .set_key_set_url(settings.key_set_url).set_auth_token_url(settings.token_url)
                        .set_tool_private_key(private_pem).set_tool_public_key(public_key_pem(private_pem)))
        if settings.audience:
            registration.set_auth_audience(settings.audience)
        self.settings = settings
        self.connector = ServiceConnector(registration, requests_session=_Session())
        self.ags = AssignmentsGradesService(self.connector, {"scope": SCOPES, "lineitems": settings.lineitems_url})

    def connect(self) -> None:
        """The access token, first: an LMS that cannot be reached or refuses the tool stops the push here."""
        from pylti1p3.exception import LtiServiceException

        try:
            self.connector.get_access_token(SCOPES)
        except requests.RequestException as error:
            raise LmsUnreachable(f"cannot reach the LMS at {self.settings.token_url}: {explain(error)}") from None
        except LtiServiceException as error:
            raise LmsRefused(f"the LMS refused the tool's access token: {explain(error)} (check client_id, "
                             "token_url and that the LMS has the tool's public key)") from None

    def line_item(self, assignment: str, label: str, maximum: float):
        """The assignment's line item (tag and resourceId: the assignment's name), made if it is missing."""
        from pylti1p3.exception import LtiException
        from pylti1p3.lineitem import LineItem

        wanted = LineItem().set_tag(assignment).set_resource_id(assignment).set_label(label)
        wanted.set_score_maximum(maximum)
        try:
            return self.ags.find_or_create_lineitem(wanted, find_by="tag")
        except requests.RequestException as error:
            raise LmsUnreachable(f"cannot reach the LMS at {self.settings.lineitems_url}: {explain(error)}") from None
        except LtiException as error:
            raise LmsRefused(f"the LMS did not give the line item of {assignment}: {explain(error)}") from None

    def put_score(self, line_item, score: dict) -> None:
        """One learner's score; requests.RequestException or pylti1p3's LtiException when it did not go."""
        from pylti1p3.grade import Grade

        grade = (Grade().set_user_id(score["userId"]).set_score_maximum(score["scoreMaximum"])
                 .set_activity_progress(score["activityProgress"]).set_grading_progress(score["gradingProgress"])
                 .set_timestamp(score["timestamp"]))
        if score.get("scoreGiven") is not None:
            grade.set_score_given(score["scoreGiven"])
        self.ags.put_grade(grade, line_item)
