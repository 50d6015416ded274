"""The table of request cues and fact words (data/requests.yaml), shared by request.py and facts.py."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from service.language.data import load_table


class RequestsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: int
    request_cues: dict[str, tuple[str, ...]]
    id_words: dict[str, tuple[str, ...]]
    deadline_words: dict[str, tuple[str, ...]]
    time_words: dict[str, tuple[str, ...]]
    months: dict[str, tuple[str, ...]]
    error_words: dict[str, tuple[str, ...]]
    tried_words: dict[str, tuple[str, ...]]
    devices: tuple[str, ...]
    relative_dates: dict[str, tuple[str, ...]] = {}
    strong_request_cues: dict[str, tuple[str, ...]] = {}
    condition_openers: dict[str, tuple[str, ...]] = {}
    negative_openers: dict[str, tuple[str, ...]] = {}
    negations: dict[str, tuple[str, ...]] = {}
    closings: dict[str, tuple[str, ...]] = {}
    nudges: dict[str, tuple[str, ...]] = {}
    tag_questions: dict[str, tuple[str, ...]] = {}
    thanking_verbs: dict[str, tuple[str, ...]] = {}
    thanks_objects: dict[str, tuple[str, ...]] = {}
    question_openers: dict[str, tuple[str, ...]] = {}
    question_opener_not_before: dict[str, tuple[str, ...]] = {}
    imperative_verbs: dict[str, tuple[str, ...]] = {}
    imperative_shapes: dict[str, tuple[str, ...]] = {}
    duration_units: dict[str, tuple[str, ...]] = {}
    number_words: dict[str, tuple[str, ...]] = {}
    weekdays: dict[str, tuple[str, ...]] = {}
    day_number_before: dict[str, tuple[str, ...]] = {}
    month_before: dict[str, tuple[str, ...]] = {}
    ambiguous_months: tuple[str, ...] = ()
    device_nouns: dict[str, tuple[str, ...]] = {}
    id_tail_words: dict[str, tuple[str, ...]] = {}
    referral_words: dict[str, tuple[str, ...]] = {}
    within_words: dict[str, tuple[str, ...]] = {}
    duration_qualifiers: dict[str, tuple[str, ...]] = {}
    list_joiners: dict[str, tuple[str, ...]] = {}


def table() -> RequestsFile:
    return load_table("requests", RequestsFile)
