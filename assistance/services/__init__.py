"""Writes of the assistance app (one module per subject); the names below are its public API."""

from .applications import application_create, application_from_alert, referral_answer, referral_create
from .common import AssistanceError, StaleApplicationError
from .findings import findings_collect, findings_refresh
from .grants import grant_create
from .notices import notice_publish, objection_decide, objection_record
from .standards import standard_add, standard_problem
from .steps import (
    application_record_visit,
    application_set_amount,
    application_withdraw,
    finding_confirm,
    step_pass,
    step_reject,
)

__all__ = [
    "AssistanceError",
    "StaleApplicationError",
    "application_create",
    "application_from_alert",
    "application_record_visit",
    "application_set_amount",
    "application_withdraw",
    "finding_confirm",
    "findings_collect",
    "findings_refresh",
    "grant_create",
    "notice_publish",
    "objection_decide",
    "objection_record",
    "referral_answer",
    "referral_create",
    "standard_add",
    "standard_problem",
    "step_pass",
    "step_reject",
]
