"""Answer key of ps01-emr-stakeholders (instructors only: never released, never in the learner package).

Every answer of this workbook is a judgement on the case's evidence, so the key holds what it accepts
(each defensible answer) rather than computing figures. The teaching note (cases/emr-rollout/
teaching-note.md, "Workbook ps01") gives the reasons.
"""

ASSIGNMENT = "ps01-emr-stakeholders"
CASE = "emr-rollout"
POINTS = {
    "ps01-test-complete": 1,
    "ps01-test-quadrants-executive": 1,
    "ps01-test-quadrants-clinical": 1,
    "ps01-test-quadrants-operations": 1,
    "ps01-test-quadrants-external": 1,
    "ps01-test-salience-internal": 1,
    "ps01-test-salience-others": 1,
    "ps01-test-manage-closely": 2,
}
MANUAL = {"ps01-answer-plan": 4}
GIVEN: dict = {}
TOLERANCES: dict = {}

ACCEPTED = {
    # {group graded by one test cell: {stakeholder: quadrants accepted}}
    "quadrants": {
        "executive stakeholders": {
            "CMIO": ["manage closely"],
            "CNO": ["manage closely"],
            "CFO": ["manage closely"],
            "CEO": ["manage closely"],
            "Board": ["keep satisfied"],
        },
        "clinical stakeholders": {
            "Nurse managers": ["manage closely"],
            "Physicians group": ["manage closely"],
            "Pharmacy": ["manage closely", "keep informed"],
            "Emergency department": ["keep informed", "manage closely"],
            "Lab and radiology": ["keep informed"],
        },
        "operations stakeholders": {
            "Health information management": ["keep informed"],
            "IT operations": ["manage closely"],
            "Unit clerks": ["keep informed"],
        },
        "external stakeholders": {
            "Nurses union": ["manage closely"],
            "Vendor": ["manage closely"],
            "Patients council": ["keep informed"],
            "Former vendor": ["keep satisfied"],
            "Local press": ["keep satisfied", "monitor"],
            "Opt-out petitioners": ["keep informed"],
            "Community practices": ["monitor"],
        },
    },
    # {group: {stakeholder: salience class (Mitchell, Agle and Wood)}}
    "salience_classes": {
        "executive and clinical stakeholders": {
            "CMIO": "definitive",
            "CNO": "definitive",
            "CFO": "definitive",
            "CEO": "definitive",
            "Nurse managers": "definitive",
            "Physicians group": "definitive",
            "Lab and radiology": "discretionary",
        },
        "operations and external stakeholders": {
            "Health information management": "dependent",
            "IT operations": "dominant",
            "Unit clerks": "dependent",
            "Nurses union": "definitive",
            "Vendor": "definitive",
            "Patients council": "discretionary",
            "Former vendor": "dangerous",
            "Community practices": "discretionary",
        },
    },
    # The stakeholders the engagement plan must manage closely before go-live, and those it must not.
    "manage_closely": {
        "must": ["CMIO", "CNO", "CFO", "Nurse managers", "Physicians group", "Nurses union"],
        "must_not": ["Board", "Former vendor", "Unit clerks", "Patients council", "Opt-out petitioners",
                     "Community practices", "Local press"],
    },
}


def answers(case=None) -> dict:
    """No figure is computed here: ps01 grades judgements only (see ACCEPTED)."""
    return {}
