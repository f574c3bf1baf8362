"""Features for the outcome/output classifier: the text engine's vector plus hand-made cues.

Pure: numpy and ``headway.text`` only, no Django.

A key result is turned into one row: the sentence vector from the text engine
(``engine.dim`` numbers, unit length) followed by the hand-made features below, each a
number in [0, 1]. The classifier standardises every column with the training set's
mean and spread before applying its weights, so the scales here need not match.

Hand-made features (name: what it measures; why it helps):

- ``lead_delivery``: the first word (after a "KR1:"-style prefix and "we will"-style
  fillers) is a delivery verb: launch, ship, build, run, hold, publish, create,
  implement, migrate, write, hire, train, ... Outputs usually start with the work.
  The lead word is not taken for a verb when it is an "-ing" form not followed by a
  determiner or a number ("Onboarding survey score", but "Launching the app"), nor
  when a delivery or target verb is followed by a compound head such as rate, time,
  frequency or coverage ("Win rate", "Build time", "Run rate", but "Keep uptime
  above 99.9%"): those are noun phrases.
- ``lead_change``: the first word is a change verb: increase, reduce, grow, raise,
  lower, improve, cut, double, halve, shorten, ... Outcomes usually name a change.
- ``lead_target``: the first word is a target verb: reach, achieve, keep, maintain,
  hit, exceed, stay, ... ("Keep churn below 2%").
- ``lead_other``: none of the three: a metric name ("On-time delivery rate") or a
  state ("Customers find what they need ..."), common for outcomes, or a milestone
  title ("Hiring handbook published").
- ``done_participle``: a delivery verb's past participle after the first word
  ("... released", "... published", "... signed off", "in production", "is live"):
  the milestone form of an output.
- ``from_to``: a "from X to Y" pattern with numbers on both sides, or "X -> Y":
  a baseline and a target, the signature of a measured change.
- ``has_number``: the text contains a digit. Both classes use numbers ("Ship 5
  features"), so this is weak alone and useful with the others.
- ``percent``: a percentage ("%", "percent", "per cent").
- ``currency``: an amount of money (EUR, USD, GBP signs or words).
- ``duration``: a number followed by a time unit ("4 hours", "30 days", "250 ms"):
  speed and waiting-time targets.
- ``comparator``: a threshold word: below, above, under, at least, at most, fewer
  than, within, or more, ... ("Keep the error rate below 0.1%").
- ``per_ratio``: "per" or "out of": a rate or a ratio ("per 1,000 patient days").
- ``metric_nouns``: how many metric nouns it has (rate, retention, churn, NPS,
  revenue, time, share, satisfaction, cost, latency, ...), capped at 2, scaled to [0, 1].
- ``deliverable_nouns``: how many deliverable nouns it has (feature, workshop,
  campaign, report, policy, release, document, handbook, dashboard, ...), capped at 2.
- ``people_nouns``: how many people who might change it names (customers, users,
  patients, students, employees, donors, residents, ...), capped at 2: outcomes are
  often about what those people do or experience.
- ``counted_deliverable``: a number or "number of" right before a deliverable noun
  ("Publish 12 blog posts", "the number of webinars"): counting our own work.
- ``word_count``: the number of words, capped at 25, scaled to [0, 1].

Word lists are lower-case and matched on whole words; verbs are matched in their
base, "-s", "-ed" and "-ing" forms.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from headway.text import Engine

FloatMatrix = NDArray[np.float64]

# Irregular forms and consonant doubling the regular rules below would get wrong.
_IRREGULAR: dict[str, tuple[str, ...]] = {
    "build": ("built",),
    "buy": ("bought",),
    "hold": ("held",),
    "make": ("made",),
    "run": ("ran", "running"),
    "send": ("sent",),
    "set": ("setting",),
    "write": ("wrote", "written"),
    "begin": ("began", "begun", "beginning"),
    "cut": ("cutting",),
    "hit": ("hitting",),
    "get": ("got", "gotten", "getting"),
    "keep": ("kept",),
    "win": ("won", "winning"),
    "grow": ("grew", "grown"),
    "shoot": ("shot",),
    "choose": ("chose", "chosen"),
    "undertake": ("undertook", "undertaken"),
    "draw": ("drew", "drawn"),
}
_DOUBLE_FINAL = {"ship", "plan", "drop", "stop", "map", "trim", "slim", "step", "scrap", "chat"}


def inflections(base: str) -> set[str]:
    """A verb's base, third-person, past and -ing forms (regular rules plus _IRREGULAR)."""
    forms = {base}
    if base in _DOUBLE_FINAL:
        forms |= {base + "s", base + base[-1] + "ed", base + base[-1] + "ing"}
    elif base.endswith("e"):
        forms |= {base + "s", base + "d", base[:-1] + "ing"}
    elif base.endswith("y") and len(base) > 1 and base[-2] not in "aeiou":
        forms |= {base[:-1] + "ies", base[:-1] + "ied", base + "ing"}
    elif base.endswith(("s", "x", "z", "ch", "sh")):
        forms |= {base + "es", base + "ed", base + "ing"}
    else:
        forms |= {base + "s", base + "ed", base + "ing"}
    forms |= set(_IRREGULAR.get(base, ()))
    return forms


def _verb_forms(bases: Iterable[str]) -> frozenset[str]:
    out: set[str] = set()
    for base in bases:
        out |= inflections(base)
    return frozenset(out)


DELIVERY_VERBS = (
    "launch", "ship", "build", "run", "hold", "publish", "create", "implement", "migrate",
    "deliver", "write", "design", "develop", "roll", "introduce", "set", "hire", "recruit",
    "train", "organise", "organize", "host", "complete", "finish", "release", "deploy",
    "install", "draft", "conduct", "send", "produce", "open", "establish", "define",
    "document", "redesign", "refactor", "automate", "integrate", "replace", "upgrade",
    "rewrite", "add", "pilot", "start", "begin", "kick", "prepare", "attend", "present",
    "map", "audit", "review", "update", "translate", "select", "choose", "buy", "procure",
    "sign", "negotiate", "submit", "apply", "distribute", "plant", "digitise", "digitize",
    "shoot", "sponsor", "post", "issue", "schedule", "interview", "survey", "test",
    "configure", "connect", "sunset", "retire", "decommission", "archive", "rebuild",
    "restructure", "reorganise", "reorganize", "onboard", "coach", "mentor", "make",
    "answer", "do", "perform", "undertake", "carry", "facilitate", "draw", "prototype",
    "validate", "approve", "finalise", "finalize", "announce", "adopt",
)  # fmt: skip
CHANGE_VERBS = (
    "increase", "reduce", "grow", "raise", "lower", "improve", "decrease", "cut", "boost",
    "double", "halve", "triple", "lift", "shrink", "shorten", "speed", "accelerate",
    "expand", "minimise", "minimize", "maximise", "maximize", "eliminate", "drop", "decline",
    "limit", "save", "slash", "trim", "enhance", "strengthen", "widen", "narrow", "close",
    "prevent", "avoid", "drive", "push", "move", "bring", "recover", "restore", "fall",
    "rise", "climb", "gain", "convert", "retain",
)  # fmt: skip
TARGET_VERBS = (
    "reach", "achieve", "hit", "maintain", "keep", "sustain", "stay", "remain", "attain",
    "exceed", "ensure", "get", "become", "meet", "surpass", "beat", "secure", "win",
)  # fmt: skip

# If a word were in more than one list, the first class here would win.
_LEAD_CLASSES: tuple[tuple[str, frozenset[str]], ...] = (
    ("change", _verb_forms(CHANGE_VERBS)),
    ("target", _verb_forms(TARGET_VERBS)),
    ("delivery", _verb_forms(DELIVERY_VERBS)),
)

# Past participles that mark a finished deliverable ("Handbook published").
DONE_PARTICIPLES = frozenset(
    {
        "released", "launched", "published", "completed", "approved", "signed", "submitted",
        "implemented", "deployed", "documented", "finished", "installed", "adopted",
        "drafted", "written", "created", "introduced", "built", "designed", "developed",
        "rolled", "migrated", "agreed", "ratified", "finalised", "finalized",
        "established", "defined", "done", "ready", "available",
    }
)  # fmt: skip
DONE_PHRASES = re.compile(
    r"\b(?:in production|in place|(?:is|are|goes|go|went)[ -]live|go-live|signed off|up and running)\b"
)

METRIC_NOUNS = frozenset(
    {
        "rate", "rates", "retention", "churn", "nps", "enps", "csat", "ces", "revenue",
        "arr", "mrr", "time", "times", "share", "satisfaction", "score", "scores", "margin",
        "conversion", "cost", "costs", "latency", "uptime", "availability", "error",
        "errors", "defects", "defect", "complaints", "delay", "delays", "wait", "waiting",
        "turnover", "attrition", "engagement", "adoption", "usage", "accuracy", "ratio",
        "average", "median", "p95", "p99", "yield", "throughput", "growth", "profit",
        "profitability", "cash", "income", "speed", "frequency", "coverage", "compliance",
        "utilisation", "utilization", "efficiency", "productivity", "quality", "reliability",
        "punctuality", "absenteeism", "volume", "traffic", "awareness", "trust", "wellbeing",
        "loyalty", "value", "percentage", "proportion", "level", "levels", "index", "rating",
        "readmissions", "infections", "injuries", "incidents", "outages", "downtime",
        "emissions", "consumption", "ebitda", "dso", "oee", "roi", "ltv", "cac", "gap",
        "runway", "variance", "backlog", "bookings", "pipeline", "sales", "spend",
        "drop-off", "abandonment", "outcomes", "experience", "perception", "mttr",
        "dropout", "absence", "vacancy", "unemployment", "fatalities", "no-show", "lead-time",
        "returns", "claims", "referrals", "leads", "signups", "sign-ups", "renewals",
    }
)  # fmt: skip
DELIVERABLE_NOUNS = frozenset(
    {
        "feature", "features", "workshop", "workshops", "campaign", "campaigns", "report",
        "reports", "policy", "policies", "release", "releases", "document", "documents",
        "documentation", "handbook", "guide", "guides", "guidelines", "plan", "plans",
        "strategy", "website", "site", "page", "pages", "app", "application", "dashboard",
        "dashboards", "tool", "tools", "system", "systems", "portal", "procedure",
        "procedures", "training", "course", "courses", "curriculum", "programme", "program",
        "event", "events", "webinar", "webinars", "meeting", "meetings", "calls", "post", "posts", "article", "articles", "blog", "video",
        "videos", "newsletter", "newsletters", "version", "prototype", "pilot", "roadmap",
        "framework", "integration", "integrations", "api", "module", "migration", "audit",
        "audits", "survey", "surveys", "template", "templates", "playbook", "checklist",
        "contract", "contracts", "agreement", "partnership", "centre", "center", "clinic",
        "clinics", "lab", "interviews", "mvp", "specification", "requirements", "proposal",
        "manual", "runbook", "runbooks", "leaflets", "flyers", "brochure", "case", "studies",
        "deck", "worksheets", "lessons", "fair", "fairs", "sprint", "hackathon", "bash",
        "kaizen", "inspections", "assemblies", "mailings", "emails", "demos", "flow",
        "process", "model", "protocol", "scheme", "office", "hours", "podcast", "podcasts",
        "applications", "updates", "experiments", "tests", "machine", "conference",
    }
)  # fmt: skip
PEOPLE_NOUNS = frozenset(
    {
        "customer", "customers", "user", "users", "patient", "patients", "student",
        "students", "pupil", "pupils", "resident", "residents", "citizen", "citizens",
        "donor", "donors", "employee", "employees", "member", "members", "visitor",
        "visitors", "client", "clients", "buyer", "buyers", "learner", "learners", "parent",
        "parents", "people", "families", "households", "shippers", "prospects", "graduates",
        "beneficiaries", "candidates", "hires", "joiners", "developers", "engineers",
        "managers", "volunteers", "children", "subscribers", "readers", "attendees",
        "accounts", "teams", "smokers", "carers", "travellers", "passengers", "drivers",
    }
)  # fmt: skip
_TIME_UNITS = (
    "ms|milliseconds?|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?|days?|"
    "working days?|weeks?|months?|quarters?|years?"
)

# Words before the lead word that say nothing about it: "KR 1:", "We will", "To".
_PREFIX = re.compile(r"^\s*(?:(?:kr|key result)\s*\d*\s*[:.)\-]\s*|\d+\s*[.)]\s+|[-*•]\s+)", re.I)
_FILLERS = frozenset(
    {"we", "will", "i", "to", "must", "should", "shall", "successfully", "fully", "also",
     "please", "let", "lets", "let's", "us", "our", "team", "the", "then", "and", "can"}
)  # fmt: skip
WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
NUMBER = r"[+\-]?[€$£]?\d[\d,.]*\s*(?:%|[km]\b|bn\b)?"
_FROM_TO = re.compile(
    rf"\bfrom\s+(?:an?\s+|the\s+)?(?:\w+\s+){{0,2}}?{NUMBER}(?:\s+\S+){{0,3}}?\s+to\s+"
    rf"(?:under\s+|below\s+|above\s+|over\s+|at least\s+|less than\s+|more than\s+)?{NUMBER}"
)
_ARROW = re.compile(r"\d\s*(?:%|[kmb]n?\b)?\s*(?:->|→|=>)\s*[€$£]?\s*\d")
_PERCENT = re.compile(r"%|\bper ?cent\b|\bpercentage points?\b|\bpp\b")
_CURRENCY = re.compile(
    r"[€$£¥]|\b(?:eur|usd|gbp|chf|euros?|dollars?|pounds? sterling)\b|\b\d[\d,.]*\s*(?:k|m|bn)\s*(?:eur|usd|gbp)\b"
)
_DURATION = re.compile(rf"\d[\d,.]*\s*(?:{_TIME_UNITS})\b")
_COMPARATOR = re.compile(
    r"\b(?:below|above|under|over|at least|at most|less than|more than|fewer than|"
    r"no more than|no less than|no longer than|within|or more|or less|or better|or above|"
    r"or below|or higher|or lower|up to|zero|none)\b|[<>≤≥]"
)
_PER = re.compile(r"\bper\b|\bout of\b|\bin every\b")


@dataclass(frozen=True)
class HandFeature:
    name: str
    description: str
    compute: Callable[[str, list[str], str], float]
    """(lower-cased text, its words, the class of its lead word) -> a number in [0, 1]."""


# After a delivery or target verb, these make it a noun phrase ("Win rate", "Build time").
COMPOUND_HEADS = frozenset(
    {"rate", "rates", "ratio", "time", "times", "frequency", "coverage", "score", "cadence",
     "speed", "volume", "count", "cost", "costs", "date", "success", "failure", "velocity"}
)  # fmt: skip
# After an "-ing" lead word, these make it a verb with an object ("Launching the app").
_OBJECT_START = frozenset(
    {"the", "a", "an", "our", "all", "every", "each", "new", "more", "two", "three"}
)


def lead_word(words: Sequence[str]) -> str:
    """The first word that is not a filler ("we", "will", "to", ...), or ""."""
    return lead(words)[0]


def lead(words: Sequence[str]) -> tuple[str, str]:
    """The lead word and its class: "change", "target", "delivery" or "other"."""
    for i, word in enumerate(words):
        if word not in _FILLERS:
            following = words[i + 1] if i + 1 < len(words) else ""
            return word, _lead_class(word, following)
    return "", "other"


def _lead_class(word: str, following: str) -> str:
    kind = next((kind for kind, forms in _LEAD_CLASSES if word in forms), "other")
    if kind == "other":
        return kind
    if word.endswith("ing") and not (following in _OBJECT_START or following[:1].isdigit()):
        return "other"  # "Onboarding survey score", "Shipping costs"
    if kind != "change" and following in COMPOUND_HEADS:
        return "other"  # "Win rate", "Build time", "Run rate"
    return kind


def lead_class(word: str, following: str = "") -> str:
    """The class of a lead word ("change", "target", "delivery", "other"), given the word after it."""
    return _lead_class(word, following)


def words_of(text: str) -> list[str]:
    """Lower-cased words and numbers, with a leading "KR1:" or bullet removed."""
    return WORD.findall(_PREFIX.sub("", text).lower())


def _capped(count: int, cap: int) -> float:
    return min(count, cap) / cap


def _done(text: str, words: list[str], lead: str) -> float:
    later = words[1:]
    return float(any(w in DONE_PARTICIPLES for w in later) or bool(DONE_PHRASES.search(text)))


def _counted(text: str, words: list[str], lead: str) -> float:
    """A deliverable noun among the three words after a number or "number of"."""
    for i, word in enumerate(words):
        counts = word[0].isdigit() or (word == "of" and i > 0 and words[i - 1] == "number")
        if counts and any(w in DELIVERABLE_NOUNS for w in words[i + 1 : i + 4]):
            return 1.0
    return 0.0


HAND_FEATURES: tuple[HandFeature, ...] = (
    HandFeature(
        "lead_delivery",
        "starts with a delivery verb (launch, ship, build, run, hold, publish, ...)",
        lambda t, w, lead: float(lead == "delivery"),
    ),
    HandFeature(
        "lead_change",
        "starts with a change verb (increase, reduce, grow, raise, lower, improve, ...)",
        lambda t, w, lead: float(lead == "change"),
    ),
    HandFeature(
        "lead_target",
        "starts with a target verb (reach, achieve, keep, maintain, hit, exceed, ...)",
        lambda t, w, lead: float(lead == "target"),
    ),
    HandFeature(
        "lead_other",
        "starts with no known verb: a metric name, a state or a milestone title",
        lambda t, w, lead: float(lead == "other"),
    ),
    HandFeature(
        "done_participle",
        'a delivery participle after the first word ("... released", "is live", "signed off")',
        _done,
    ),
    HandFeature(
        "from_to",
        '"from X to Y" with numbers on both sides, or "X -> Y": a baseline and a target',
        lambda t, w, lead: float(bool(_FROM_TO.search(t) or _ARROW.search(t))),
    ),
    HandFeature(
        "has_number", "contains a digit", lambda t, w, lead: float(any(c.isdigit() for c in t))
    ),
    HandFeature(
        "percent",
        'a percentage ("%", "percent")',
        lambda t, w, lead: float(bool(_PERCENT.search(t))),
    ),
    HandFeature(
        "currency",
        "an amount of money (currency sign or word)",
        lambda t, w, lead: float(bool(_CURRENCY.search(t))),
    ),
    HandFeature(
        "duration",
        'a number with a time unit ("4 hours", "250 ms")',
        lambda t, w, lead: float(bool(_DURATION.search(t))),
    ),
    HandFeature(
        "comparator",
        "a threshold word (below, above, under, at least, within, or more, ...)",
        lambda t, w, lead: float(bool(_COMPARATOR.search(t))),
    ),
    HandFeature(
        "per_ratio",
        '"per" or "out of": a rate or a ratio',
        lambda t, w, lead: float(bool(_PER.search(t))),
    ),
    HandFeature(
        "metric_nouns",
        "metric nouns (rate, retention, churn, NPS, revenue, time, share, ...), capped at 2",
        lambda t, w, lead: _capped(sum(1 for x in w if x in METRIC_NOUNS), 2),
    ),
    HandFeature(
        "deliverable_nouns",
        "deliverable nouns (feature, workshop, campaign, report, policy, ...), capped at 2",
        lambda t, w, lead: _capped(sum(1 for x in w if x in DELIVERABLE_NOUNS), 2),
    ),
    HandFeature(
        "people_nouns",
        "people whose behaviour could change (customers, users, patients, ...), capped at 2",
        lambda t, w, lead: _capped(sum(1 for x in w if x in PEOPLE_NOUNS), 2),
    ),
    HandFeature(
        "counted_deliverable",
        'a number or "number of" before a deliverable noun ("12 blog posts")',
        _counted,
    ),
    HandFeature(
        "word_count",
        "number of words, capped at 25, scaled to [0, 1]",
        lambda t, w, lead: _capped(len(w), 25),
    ),
)
HAND_FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in HAND_FEATURES)


def hand_features(text: str) -> dict[str, float]:
    """The hand-made features of one text, by name (for tests and explanations)."""
    return dict(zip(HAND_FEATURE_NAMES, _hand_row(text), strict=True))


def _hand_row(text: str) -> list[float]:
    lowered = _PREFIX.sub("", text).lower()
    words = WORD.findall(lowered)
    kind = lead(words)[1]
    return [feature.compute(lowered, words, kind) for feature in HAND_FEATURES]


def hand_matrix(texts: Sequence[str]) -> FloatMatrix:
    """The hand-made features of each text: shape (len(texts), len(HAND_FEATURES))."""
    out = np.zeros((len(texts), len(HAND_FEATURES)), dtype=np.float64)
    for i, text in enumerate(texts):
        out[i] = _hand_row(text)
    return out


def feature_names(engine_dim: int) -> list[str]:
    """Column names of :func:`build_matrix`: ``emb_0 .. emb_{d-1}`` then the hand features."""
    return [f"emb_{i}" for i in range(engine_dim)] + list(HAND_FEATURE_NAMES)


def build_matrix(texts: Sequence[str], engine: Engine) -> FloatMatrix:
    """One row per text: the engine's sentence vector, then the hand-made features
    (float64, ``len(feature_names(engine.dim))`` columns)."""
    batch = list(texts)
    vectors = np.asarray(engine.embed(batch), dtype=np.float64)
    return np.hstack([vectors, hand_matrix(batch)])
