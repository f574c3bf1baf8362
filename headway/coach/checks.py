"""Quality checks for objectives and key results: findings that explain themselves.

Pure: no Django. The checks read plain dataclasses (:class:`KeyResultDraft`,
:class:`ObjectiveDraft`), so the web hints, the team page, the organisation summary,
the API and the benchmark all call the same functions; ``headway.coach.selectors``
turns database rows into drafts.

Each :class:`Finding` has a ``code`` (stable, for tests and clients), a ``severity``
(``info`` < ``warning`` < ``problem``), a ``message`` that says why it matters in plain
words, and a ``rewrite`` where one can be suggested ("" otherwise). ``docs/coach.md``
lists every check.

Outcome or output: the classifier (:mod:`headway.coach.classifier`) reads the title;
the key result's structure then decides how sure it must be before the coach says
"output" (:func:`output_threshold`). A milestone leans output; an increase, decrease
or maintain key result with a target leans outcome, the more so when its unit is a
percentage, money, time or people; a unit that counts our own work (stories,
releases, workshops) leans output again. A low-confidence prediction never makes a
finding.

Bad input never raises: empty text is one ``empty`` finding; text longer than
:data:`MAX_CHARS` is checked on its start, with a ``cut`` finding; text that is only
a number is one ``number_only`` finding; text that does not look like English gets a
``not_english`` finding and no wording or outcome finding (the checks on numbers and
structure still apply).

>>> [f.code for f in check_texts(["Launch the new onboarding flow"])[0].findings]
['kr.not_measurable', 'kr.output']
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from headway.coach import rewrites
from headway.coach.classifier import (
    LOW_CONFIDENCE_BAND,
    MAX_CHARS,
    NOTE_NON_ENGLISH,
    Prediction,
    classify,
    is_number_only,
    looks_non_english,
    normalise,
)
from headway.coach.features import (
    CHANGE_VERBS,
    DELIVERABLE_NOUNS,
    METRIC_NOUNS,
    PEOPLE_NOUNS,
    TARGET_VERBS,
    inflections,
    lead,
    words_of,
)

__all__ = [
    "KR_KINDS",
    "MAX_CHARS",
    "SEVERITIES",
    "Checked",
    "Finding",
    "KeyResultDraft",
    "ObjectiveDraft",
    "Severity",
    "Verdict",
    "check_key_results",
    "check_objectives",
    "check_team_cycle",
    "check_texts",
    "output_threshold",
]

Severity = Literal["info", "warning", "problem"]
Verdict = Literal["outcome", "output", "unsure"]
SEVERITIES: tuple[Severity, ...] = ("info", "warning", "problem")
KR_KINDS = ("increase", "decrease", "maintain", "milestone")
METRIC_KINDS = frozenset({"increase", "decrease", "maintain"})

OBJECTIVE_MAX_WORDS = 12
OBJECTIVE_MAX_CHARS = 100
KEY_RESULTS_MIN, KEY_RESULTS_MAX = 2, 5
TEAM_MAX_OBJECTIVES = 5

# How sure the classifier must be (its probability of *outcome* must be below this)
# before the coach calls a key result an output, by what the structure says.
CONFIDENT_OUTPUT = LOW_CONFIDENCE_BAND[0]  # 0.35: anything the classifier is sure of
CLEAR_OUTPUT = 0.2  # a measured key result: start, target, a neutral unit
STRONG_OUTPUT = 0.1  # percent, money, time or people; or a decrease or maintain


@dataclass(frozen=True)
class Finding:
    """One thing the coach noticed, why it matters, and a rewrite ("" if none)."""

    code: str
    severity: Severity
    message: str
    rewrite: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "rewrite": self.rewrite or None,
        }


@dataclass(frozen=True)
class KeyResultDraft:
    """What the checks read of a key result. ``kind`` None means only the text is
    known (an API ``texts`` item, a title typed before a kind was chosen): the checks
    then look for the numbers in the text itself."""

    title: str
    kind: str | None = None
    start_value: float | None = None
    target_value: float | None = None
    unit: str = ""
    format: str = "number"


@dataclass(frozen=True)
class ObjectiveDraft:
    """An objective's title and, when known, how many (active) key results it has."""

    title: str
    key_result_count: int | None = None


@dataclass(frozen=True)
class Checked:
    """The findings for one item, most severe first; key results also carry the
    classifier's prediction and the coach's verdict (outcome, output or unsure)."""

    text: str
    findings: tuple[Finding, ...] = ()
    prediction: Prediction | None = None
    verdict: Verdict | None = None

    @property
    def severity(self) -> Severity | None:
        """The most severe finding's severity, None when there is nothing to say."""
        return self.findings[0].severity if self.findings else None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "text": self.text,
            "findings": [f.as_dict() for f in self.findings],
        }
        if self.prediction is not None:
            p = self.prediction
            out["classification"] = {
                "label": p.label,
                "score": p.score,
                "low_confidence": p.low_confidence,
                "note": p.note,
            }
            out["verdict"] = self.verdict
        return out


def _sorted(findings: list[Finding]) -> tuple[Finding, ...]:
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    return tuple(sorted(findings, key=lambda f: -rank[f.severity]))


# --------------------------------------------------------------------------- bad input

MSG_CUT = (
    f"Only the first {MAX_CHARS} characters were checked. A key result or objective that "
    "people remember fits on one line."
)
MSG_NUMBER_ONLY = (
    "A number alone says nothing: say what it counts and where it should go, e.g. "
    "“Active customers from 120 to 400”."
)
MSG_NOT_ENGLISH = (
    "The coach reads English only: its wording checks were skipped, and its outcome or "
    "output reading would be a guess, so it gives none."
)


@dataclass
class _Text:
    """A title prepared for checking: cleaned, capped, and what was special about it."""

    raw: str
    clean: str
    findings: list[Finding] = field(default_factory=list)
    stop: bool = False  # nothing more to check (empty, only a number)
    english: bool = True


def _prepare(raw: str, empty_message: str, non_english: bool | None = None) -> _Text:
    """``non_english``: already known (from the classifier's note), else guessed here."""
    clean = normalise(raw)
    if not clean or not any(c.isalnum() for c in clean):
        return _Text(raw, "", [Finding("empty", "problem", empty_message)], stop=True)
    text = _Text(raw, clean)
    if len(clean) > MAX_CHARS:
        text.clean = clean[:MAX_CHARS].rstrip()
        text.findings.append(Finding("cut", "info", MSG_CUT))
    if is_number_only(text.clean):
        text.findings.append(Finding("number_only", "problem", MSG_NUMBER_ONLY))
        text.stop = True
    elif non_english if non_english is not None else looks_non_english(text.clean):
        text.english = False
        text.findings.append(Finding("not_english", "info", MSG_NOT_ENGLISH))
    return text


# --------------------------------------------------------------------------- words

_NUM = r"(?<![\w./])[+\-]?[€$£]?\d[\d,.]*(?:\s*(?:%|k\b|m\b|bn\b|x\b))?"
_DIGIT_NUMBER = re.compile(_NUM)
_YEAR_OR_LABEL = re.compile(r"^(?:19|20)\d\d$")
_PERCENT_OR_MONEY = re.compile(r"%|\bper ?cent\b|[€$£]|\b(?:eur|usd|gbp|k€|m€)\b", re.I)
_FROM_TO = re.compile(rf"\bfrom\s+.*?{_NUM}.*?\bto\b\s*.*?{_NUM}|{_NUM}\s*(?:->|→|=>)", re.I)
_COMPARATOR = re.compile(
    r"\b(?:by|to|below|above|under|over|at least|at most|less than|more than|fewer than|"
    r"within|or more|or less)\s+(?:[€$£]?\d|one|two|three|four|five|six|seven|eight|nine|"
    r"ten|twelve|fifteen|twenty|thirty|fifty|a hundred)\b",
    re.I,
)
_SPELLED_TARGET = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty|"
    r"fifty|a hundred)\s+(?:working\s+)?(?:%|percent|minutes?|hours?|days?|weeks?|months?|"
    r"seconds?|times)\b",
    re.I,
)
_TIME_UNIT = re.compile(
    r"^(?:ms|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?|d|days?|working days|weeks?|"
    r"months?)$",
    re.I,
)
_RATE_WORDS = frozenset(
    {"per", "rate", "ratio", "share", "score", "index", "nps", "percentage", "proportion"}
)
_VAGUE_TOKEN = re.compile(r"[a-z]+(?:-[a-z]+)*")
_VAGUE_EXCEPTIONS = re.compile(r"\bmore (?:than|of)\b|\bbest hub\b", re.I)
WORK_UNITS = DELIVERABLE_NOUNS | frozenset(
    {
        "stories", "story", "deploys", "deployments", "sessions", "trainings", "events",
        "visits", "e-mails", "emails", "interviews", "audits", "posts", "pieces", "items",
        "launches", "tasks", "projects", "tickets closed", "commits", "pull requests", "prs",
    }
)  # fmt: skip
_CHANGE_FORMS = frozenset(f for v in CHANGE_VERBS for f in inflections(v))
_HOLD_FORMS = frozenset(
    f for v in ("keep", "maintain", "stay", "remain", "sustain") for f in inflections(v)
)
_THRESHOLD = re.compile(
    r"\b(?:below|above|under|over|at least|at most|less than|more than|fewer than|within|"
    r"or more|or less|or better)\b|[<>≤≥]",
    re.I,
)
_TARGET_FORMS = frozenset(f for v in TARGET_VERBS for f in inflections(v))


def _numbers(text: str) -> list[str]:
    """Numbers that could be targets: not a year, a "Q4" or a "24/7"."""
    out = []
    for match in _DIGIT_NUMBER.finditer(text):
        token = match.group().strip()
        after = text[match.end() : match.end() + 1]
        if _YEAR_OR_LABEL.fullmatch(token) or after == "/":
            continue
        out.append(token)
    return out


def _vague_word(text: str) -> str:
    lowered = _VAGUE_EXCEPTIONS.sub(" ", text.lower())
    for word in _VAGUE_TOKEN.findall(lowered):
        if word in rewrites.VAGUE_WORDS:
            return str(word)
    return ""


def _unit_kind(draft: KeyResultDraft) -> str:
    """ "work" when the unit counts our own work, "outcome" when it is a percentage,
    money, time or people, "" otherwise."""
    unit = draft.unit.strip().lower()
    if unit in WORK_UNITS or (unit and unit.rstrip("s") in WORK_UNITS):
        return "work"
    if draft.format in ("percent", "currency") or any(c in unit for c in "%€$£¥"):
        return "outcome"
    if unit.startswith("/") or unit in PEOPLE_NOUNS or _TIME_UNIT.match(unit):
        return "outcome"
    if unit in {"eur", "usd", "gbp", "chf", "keur", "meur", "pp", "points", "percent"}:
        return "outcome"
    return ""


def _counts_work(words: list[str]) -> bool:
    """A number or "number of" right before a deliverable noun ("12 blog posts")."""
    for i, word in enumerate(words):
        counts = word[0].isdigit() or (word == "of" and i > 0 and words[i - 1] == "number")
        if counts and any(w in WORK_UNITS for w in words[i + 1 : i + 4]):
            return True
    return False


# --------------------------------------------------------------------------- outcome or output


def output_threshold(draft: KeyResultDraft, words: list[str] | None = None) -> float:
    """Below which probability of *outcome* the coach calls this key result an output.

    Only text, or a milestone: 0.35, the classifier's own confident band. An increase,
    decrease or maintain key result leans outcome, so it takes 0.2; 0.1 when its unit is
    a percentage, money, time or people or it is a decrease or maintain; but a unit or
    title that counts our own work ("stories", "12 blog posts") takes 0.35 again.
    """
    if draft.kind not in METRIC_KINDS:
        return CONFIDENT_OUTPUT
    unit = _unit_kind(draft)
    if unit == "work" or _counts_work(words if words is not None else words_of(draft.title)):
        return CONFIDENT_OUTPUT
    if unit == "outcome" or draft.kind in ("decrease", "maintain"):
        return STRONG_OUTPUT
    return CLEAR_OUTPUT


MSG_OUTPUT = (
    "This reads like an output, work the team does, rather than an outcome, a change in "
    "what customers, users or the business do. All the work can be done while nothing "
    "improves: measure the change the work should cause, and keep the work as an initiative."
)
MSG_OUTPUT_MILESTONE = " As a milestone it only says whether the work is done."


def _output(draft: KeyResultDraft, text: _Text, p: Prediction) -> tuple[Verdict, list[Finding]]:
    if not text.english or p.low_confidence:
        return "unsure", []
    if p.score >= output_threshold(draft, words_of(text.clean)):
        return "outcome", []
    message = MSG_OUTPUT + (MSG_OUTPUT_MILESTONE if draft.kind == "milestone" else "")
    message += f" (Classifier: {1 - p.score:.0%} output.)"
    return "output", [Finding("kr.output", "warning", message, rewrites.output_rewrite(text.clean))]


# --------------------------------------------------------------------------- key results

MSG_KR_EMPTY = "Nothing to check yet: write what you will measure."
MSG_NO_TARGET = (
    "No target: without a value to reach, progress can't be computed and nobody can tell "
    "at the end of the cycle whether the key result was met."
)
MSG_NOT_MEASURABLE = (
    "No number in it: a key result says how much, so that anyone can tell at the end of "
    "the cycle whether it was met. Add where it starts and where it should be."
)
MSG_NO_BASELINE = (
    "No starting value: without a baseline nobody can tell whether the target is "
    "ambitious or already met, and progress can't be computed."
)
MSG_NO_UNIT = (
    "No unit: say what the numbers count (customers, tickets, %, EUR, ms), so that "
    "“from 40 to 90” means the same to everyone who reads it."
)
MSG_VAGUE = (
    "“{word}” promises a change without saying how much. Vague words make any result look "
    "like success: name the measure and the number."
)
MSG_VAGUE_TITLE = (
    "“{word}” is vague, and the numbers are already in the key result: name the measure in "
    "the title instead (a rate, a score, a count), so that the title says what is counted."
)
MSG_MILESTONE_METRIC = (
    "This names a measure, but as a milestone it is only done or not: partial progress and "
    "slipping back stay invisible. Make it an increase, decrease or maintain key result "
    "with a start and a target."
)
MSG_MILESTONE = (
    "A milestone says whether something happened, not whether it worked. Keep milestones "
    "few, and make sure another key result measures what this one should change."
)


def check_key_results(
    drafts: Sequence[KeyResultDraft], predictions: Sequence[Prediction] | None = None
) -> list[Checked]:
    """Check each key result, in input order. The titles are classified in one batch
    (pass ``predictions`` to reuse ones already made, in the same order)."""
    drafts = list(drafts)
    ours = predictions is None
    if predictions is None:
        predictions = classify([d.title for d in drafts]) if drafts else []
    if len(predictions) != len(drafts):
        raise ValueError(f"{len(predictions)} predictions for {len(drafts)} key results")
    # The classifier has already guessed the language of what it classified itself.
    texts = [
        _prepare(d.title, MSG_KR_EMPTY, NOTE_NON_ENGLISH in p.note if ours else None)
        for d, p in zip(drafts, predictions, strict=True)
    ]
    return [_check_kr(d, t, p) for d, t, p in zip(drafts, texts, predictions, strict=True)]


def check_texts(texts: Sequence[str]) -> list[Checked]:
    """Check free-standing key-result sentences (no kind, start or target known)."""
    if isinstance(texts, str):
        raise TypeError("check_texts() takes a sequence of texts, not one string")
    return check_key_results([KeyResultDraft(str(t)) for t in texts])


def _check_kr(draft: KeyResultDraft, text: _Text, p: Prediction) -> Checked:
    findings = list(text.findings)
    if text.stop:
        return Checked(text.raw, _sorted(findings), p, "unsure")
    verdict, found = _output(draft, text, p)
    findings += found
    findings += _measurable(draft, text)
    if draft.kind == "milestone" and verdict != "output":
        findings += _milestone(draft, text)
    if text.english:
        findings += _vague(draft, text, {f.code for f in findings})
    return Checked(text.raw, _sorted(findings), p, verdict)


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def _measurable(draft: KeyResultDraft, text: _Text) -> list[Finding]:
    if draft.kind == "milestone":
        return []
    has_numbers = bool(_numbers(text.clean))
    if draft.kind in METRIC_KINDS:
        out = []
        if not _finite(draft.target_value):
            out.append(Finding("kr.no_target", "problem", MSG_NO_TARGET))
        elif draft.kind != "maintain" and not _finite(draft.start_value):
            out.append(Finding("kr.no_baseline", "warning", MSG_NO_BASELINE))
        if not draft.unit.strip() and draft.format == "number" and not _rate_title(text.clean):
            out.append(Finding("kr.no_unit", "info", MSG_NO_UNIT))
        return out
    if _finite(draft.target_value) or has_numbers:
        if _finite(draft.start_value) or _FROM_TO.search(text.clean):
            return []
        if _threshold_shaped(text.clean):
            return []
        return [Finding("kr.no_baseline", "info", MSG_NO_BASELINE, _baseline_rewrite(text.clean))]
    if text.english and _vague_word(text.clean):
        return []  # the vague-word finding says the same, with a rewrite
    return [Finding("kr.not_measurable", "problem", MSG_NOT_MEASURABLE)]


def _rate_title(text: str) -> bool:
    lowered = text.lower()
    return "%" in lowered or any(w in _RATE_WORDS for w in words_of(lowered))


def _threshold_shaped(text: str) -> bool:
    """ "Keep churn below 2%": a threshold to hold, which needs no starting value."""
    first, kind = lead(words_of(text))
    if first in _HOLD_FORMS:
        return True
    return kind != "change" and bool(_THRESHOLD.search(text))


_TARGET_START = frozenset(
    {"to", "by", "under", "below", "above", "over", "at", "within", "less", "more", "fewer"}
)


def _baseline_rewrite(text: str) -> str:
    """ "Reach 95% on-time delivery" → "Increase on-time delivery from X to 95%";
    "Reduce wait time to under 4 hours" → "Reduce wait time from X to under 4 hours"."""
    first, kind = lead(words_of(text))
    tokens = text.split()
    at = next((i for i, t in enumerate(tokens) if t.lower().strip(",.:") == first), -1)
    if kind not in ("change", "target") or at < 0:
        return ""
    rest = tokens[at + 1 :]
    if rest and _DIGIT_NUMBER.match(rest[0]):  # "Reach 95% on-time delivery"
        target, what = rest[0], rest[1:]
    else:
        cut = next(
            (i for i, t in enumerate(rest) if t.lower() in _TARGET_START or _DIGIT_NUMBER.match(t)),
            len(rest),
        )
        what, target_words = rest[:cut], rest[cut:]
        if target_words and target_words[0].lower() == "to":
            target_words = target_words[1:]
        target = " ".join(target_words)
    verb = first.capitalize() if kind == "change" else "Increase"
    while what and what[0].lower() in ("a", "an", "the", "our"):
        what = what[1:]
    while what and what[-1].lower() in ("of", "at", "for"):
        what = what[:-1]  # "Achieve an NPS of 40"
    name = rewrites.short(" ".join(what).strip(" ,."), 60)
    if not name or not target:
        return ""
    if target.lower().startswith("by "):
        return f"Say where it starts: “{verb} {name} from X to Y” (a change of {target[3:]})."
    return f"Say where it starts: “{verb} {name} from X to {target}”."


def _milestone(draft: KeyResultDraft, text: _Text) -> list[Finding]:
    words = words_of(text.clean)
    numbers = _numbers(text.clean)
    metric = bool(numbers or _PERCENT_OR_MONEY.search(text.clean)) or any(
        w in METRIC_NOUNS for w in words
    )
    if not metric:
        return [Finding("kr.milestone", "info", MSG_MILESTONE)]
    first, _ = lead(words)
    kind = (
        "decrease"
        if first in _CHANGE_FORMS and first[:3] in ("red", "cut", "low")
        else (
            "maintain" if first in _TARGET_FORMS and first[:2] in ("ke", "ma", "st") else "increase"
        )
    )
    rewrite = rewrites.milestone_metric_rewrite(text.clean, kind, numbers[-1] if numbers else "")
    return [Finding("kr.milestone_metric", "warning", MSG_MILESTONE_METRIC, rewrite)]


def _vague(draft: KeyResultDraft, text: _Text, codes: set[str]) -> list[Finding]:
    word = _vague_word(text.clean)
    if not word or _numbers(text.clean):
        return []
    if _finite(draft.target_value) or draft.kind == "milestone":
        return [Finding("kr.vague", "info", MSG_VAGUE_TITLE.format(word=word))]
    severity: Severity = "problem" if "kr.no_target" not in codes else "warning"
    return [
        Finding(
            "kr.vague",
            severity,
            MSG_VAGUE.format(word=word),
            rewrites.vague_rewrite(text.clean),
        )
    ]


# --------------------------------------------------------------------------- objectives

MSG_OBJ_EMPTY = "Nothing to check yet: write what should change."
MSG_OBJ_METRIC = (
    "An objective says in words what should change; the numbers belong in its key "
    "results, where progress is measured and balanced by the others. A number here makes "
    "the objective a key result on its own."
)
MSG_OBJ_TARGET = (
    "This objective carries a target (“{target}”). That can be a good ambition: make sure a "
    "key result measures it, so progress is tracked and not only stated."
)
MSG_OBJ_LONG = (
    "{words} words: short objectives are remembered and repeated. Aim for {most} words or "
    "fewer and put the detail in the description."
)
MSG_OBJ_TASK = (
    "This reads like a project rather than a change: when it is done, what will be "
    "different, and for whom? That difference is the objective; the project is an "
    "initiative under it."
)
MSG_NO_KRS = (
    "No key results: nothing says whether the objective is reached. Add two to five that "
    "measure it."
)
MSG_ONE_KR = (
    "One key result can be met while the objective is not, or met by cutting corners. Add "
    "a second that balances it, such as quality next to quantity."
)
MSG_MANY_KRS = (
    "{count} key results: more than five spreads attention thin and hides what matters "
    "most. Keep the two to five that best show the objective is reached."
)
MSG_TEAM_MANY = (
    "{count} objectives in {cycle}: with more than five, nothing is a priority. Pick the "
    "five that matter most this cycle and park the rest."
)
_PROJECT_VERBS = frozenset(
    f
    for base in (
        "migrate", "implement", "roll", "refactor", "upgrade", "redesign", "rebuild",
        "relaunch", "refresh", "revamp", "overhaul", "organise", "organize", "launch",
        "release", "ship", "build", "develop", "introduce", "install", "deploy", "complete",
        "finish", "publish", "create", "write", "hold", "host", "run", "set", "design",
    )
    for f in inflections(base)
)  # fmt: skip
_ALWAYS_PROJECTS = frozenset(
    f
    for base in ("migrate", "implement", "refactor", "upgrade", "redesign", "rebuild", "overhaul")
    for f in inflections(base)
)
_PROJECT_NOUNS = DELIVERABLE_NOUNS | frozenset(
    {"party", "brand", "offsite", "celebration", "crm", "erp", "intranet", "rebrand", "logo"}
)


def check_objectives(drafts: Sequence[ObjectiveDraft]) -> list[Checked]:
    """Check each objective, in input order (no classifier: it reads key results)."""
    return [_check_objective(d) for d in drafts]


def _check_objective(draft: ObjectiveDraft) -> Checked:
    text = _prepare(draft.title, MSG_OBJ_EMPTY)
    findings = list(text.findings)
    if not text.stop:
        findings += _objective_metric(text.clean)
        findings += _objective_length(text.clean)
        if text.english:
            findings += _objective_task(text.clean)
    findings += _key_result_count(draft.key_result_count)
    return Checked(text.raw, _sorted(findings))


def _objective_metric(text: str) -> list[Finding]:
    numbers = _numbers(text)
    strong = bool(
        numbers
        and (_PERCENT_OR_MONEY.search(text) or _FROM_TO.search(text) or _COMPARATOR.search(text))
    )
    if strong or (numbers and lead(words_of(text))[1] in ("change", "target")):
        return [Finding("objective.metric", "warning", MSG_OBJ_METRIC, _objective_rewrite(text))]
    spelled = _SPELLED_TARGET.search(text) or _COMPARATOR.search(text)
    if numbers or spelled:
        target = spelled.group() if spelled else numbers[0]
        return [Finding("objective.metric", "info", MSG_OBJ_TARGET.format(target=target))]
    return []


def _objective_rewrite(text: str) -> str:
    """The words without the numbers, and the number moved into a key result."""
    unit = (
        r"(?:\s*(?:percent|per cent|points|pp|eur|usd|gbp|euros?|dollars?|"
        r"(?:working\s+)?(?:days?|weeks?|months?|hours?|minutes?))(?!\w))?"
    )
    stripped = re.sub(
        rf"\s*(?:\bfrom\s+{_NUM}{unit}\s*)?(?:\b(?:by|to|of|at|under|over|above|below|within|"
        rf"at least|at most|less than|more than|fewer than)\s+)?(?!(?:19|20)\d\d\b){_NUM}" + unit,
        "",
        text,
        flags=re.I,
    )
    stripped = re.sub(r"\s{2,}", " ", stripped).strip(" ,.;:-")
    words = stripped.split()
    if len(words) < 2:
        return ""
    _, kind = lead(words_of(stripped))
    measure = words[1:] if kind in ("change", "target") else words
    what = rewrites.short(" ".join(measure), 60)
    return (
        f"Keep the words as the objective, “{rewrites.short(stripped)}”, and move the number into a key "
        f"result, e.g. “{what[:1].upper()}{what[1:]} from X to Y”."
    )


def _objective_length(text: str) -> list[Finding]:
    count = len(text.split())
    if count <= OBJECTIVE_MAX_WORDS and len(text) <= OBJECTIVE_MAX_CHARS:
        return []
    message = MSG_OBJ_LONG.format(words=count, most=OBJECTIVE_MAX_WORDS)
    return [Finding("objective.long", "info", message)]


def _objective_task(text: str) -> list[Finding]:
    words = words_of(text)
    if not words or words[0] not in _PROJECT_VERBS:
        return []
    name = rewrites.deliverable(text).thing.lower().split()
    if words[0] not in _ALWAYS_PROJECTS and not any(w in _PROJECT_NOUNS for w in name):
        return []  # "Run every hub like our best hub", "Hire the people the growth needs"
    if any(w in PEOPLE_NOUNS for w in name):
        return []
    return [Finding("objective.task", "info", MSG_OBJ_TASK, rewrites.objective_task_rewrite(text))]


def _key_result_count(count: int | None) -> list[Finding]:
    if count is None or KEY_RESULTS_MIN <= count <= KEY_RESULTS_MAX:
        return []
    if count <= 0:
        return [Finding("objective.key_results", "warning", MSG_NO_KRS)]
    if count == 1:
        return [Finding("objective.key_results", "info", MSG_ONE_KR)]
    return [Finding("objective.key_results", "warning", MSG_MANY_KRS.format(count=count))]


def check_team_cycle(objective_count: int, cycle: str = "this cycle") -> list[Finding]:
    """A team has at most five objectives a cycle."""
    if objective_count <= TEAM_MAX_OBJECTIVES:
        return []
    message = MSG_TEAM_MANY.format(count=objective_count, cycle=cycle)
    return [Finding("team.objectives", "warning", message)]
