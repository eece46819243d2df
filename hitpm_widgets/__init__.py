"""hitpm: exercises, case packs and grading tools for a healthcare IT project management course.

Importing the package stays light: pandas, matplotlib and ipywidgets load when first used.
"""

from importlib import import_module

__version__ = "0.1.0"

_EXPORTS = {
    "StakeholderMap": "stakeholders",
    "quadrant_of": "stakeholders",
    "salience_class_of": "stakeholders",
    "load_case": "cases",
    "available_cases": "cases",
    "CaseDataError": "cases",
    "AnswerKindError": "answers",
    "QuestionSheet": "questions",
    "Question": "questions",
    "ChangeReadiness": "change_readiness",
    "unit_scores": "change_readiness",
    "ADKAR_ELEMENTS": "change_readiness",
    "SUGGESTED_FOCUS": "change_readiness",
    "RaciChart": "raci",
    "LeadershipScenarios": "leadership",
    "style_for": "leadership",
    "cpoe_share": "adoption",
    "adoption_rate": "adoption",
    "override_rate": "adoption",
    "adoption_table": "adoption",
    "ticket_trends": "adoption",
    "ticket_change": "adoption",
    "CompetencySelfAssessment": "careers",
    "EarnedValue": "earned_value",
    "EarnedValueSeries": "earned_value",
    "EarnedValueStatus": "earned_value",
    "KanbanBoard": "agile",
    "burndown": "agile",
    "velocity": "agile",
    "SelfCheck": "lesson",
    "show_figure": "lesson",
    "TraceabilityMatrix": "validation",
    "Part11Checklist": "validation",
    "PART11_CONTROLS": "validation",
    "part11_controls": "validation",
    "RiskRegister": "risk",
    "band_of": "risk",
    "ScheduleRisk": "schedule",
    "simulate": "schedule",
    "critical_path": "schedule",
    "task_network": "schedule",
    "pert_mean": "schedule",
    "pert_sd": "schedule",
    "triangular_mean": "schedule",
    "CommandCentre": "command_centre",
    "CommandCentreStaffing": "command_centre",
    "StaffingPlan": "command_centre",
}

__all__ = [*_EXPORTS, "__version__"]


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'hitpm_widgets' has no attribute {name!r}")
