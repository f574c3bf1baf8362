"""Suggested rewrites for the coach's findings, from templates keyed on what was detected.

Pure: no Django. A key result that reads like an output names a piece of work (a
deliverable, "the new onboarding flow") and usually the verb that produces it
("launch"). :func:`deliverable` finds both; :func:`category` sorts the work into one of
a few kinds (onboarding, hiring, content, training, an internal event, documents,
reports, a product feature, engineering delivery, sales activity, a survey, an audit,
brand); each kind has a template for the outcome that work is usually meant to move,
with the deliverable's own name put in where it reads well.

>>> deliverable("Launch the new onboarding flow")
Deliverable(verb='launch', thing='onboarding flow')
>>> output_rewrite("Launch the new onboarding flow")
'Keep “Launch the new onboarding flow” as an initiative, and measure what it should change: “Increase day-7 retention of new customers from X% to Y%”.'

The templates are starting points, not answers: X and Y are left for the team, and
the wording says "e.g." where the measure depends on what the work is for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from headway.coach.features import (
    CHANGE_VERBS,
    DELIVERY_VERBS,
    DONE_PARTICIPLES,
    PEOPLE_NOUNS,
    TARGET_VERBS,
    inflections,
    lead_class,
)

__all__ = [
    "VAGUE_WORDS",
    "Category",
    "Deliverable",
    "category",
    "deliverable",
    "milestone_metric_rewrite",
    "objective_task_rewrite",
    "output_rewrite",
    "short",
    "vague_rewrite",
]

_TOKEN = re.compile(r"[^\s]+")
_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_PREFIX = re.compile(r"^\s*(?:(?:kr|key result)\s*\d*\s*[:.)\-]\s*|\d+\s*[.)]\s+|[-*•]\s+)", re.I)
_FILLERS = frozenset({"we", "will", "i", "to", "must", "should", "shall", "successfully", "fully"})
# Particles that belong to the verb: "roll out", "set up", "sign off", "kick off".
_PARTICLES = frozenset({"out", "up", "off", "through"})
# Where the name of the work ends: "Roll out the new CRM | to all sales teams".
_STOP = frozenset(
    {"to", "for", "by", "in", "on", "at", "before", "after", "across", "with", "within",
     "from", "into", "so", "that", "which", "per", "each", "every", "a", "an", "and", "or"}
)  # fmt: skip
_LEADING = frozenset(
    {"the", "a", "an", "our", "all", "every", "each", "its", "their", "new", "first", "one"}
)  # fmt: skip
_EXTRA_VERBS = frozenset({"fill", "refresh", "revamp", "relaunch", "overhaul", "teach", "give"})
_VERB_FORMS: dict[str, str] = {
    form: base for base in (*DELIVERY_VERBS, *_EXTRA_VERBS) for form in inflections(base)
}
_OTHER_VERBS = frozenset(
    form for base in (*CHANGE_VERBS, *TARGET_VERBS) for form in inflections(base)
)
_DONE = DONE_PARTICIPLES | {
    "filled", "held", "sent", "hired", "trained", "organised", "hosted", "made", "given", "run"
}  # fmt: skip
_COUNTS = frozenset({"number", "count", "amount", "total", "volume"})
_DONE_PHRASES = ("signed off", "in place", "in production", "up and running", "go live", "live")


@dataclass(frozen=True)
class Deliverable:
    """The work a key result or objective names: ``verb`` is the base form of the
    verb that produces it ("" if none), ``thing`` the work as written, without a
    leading article or number ("" if none could be told apart)."""

    verb: str
    thing: str


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _trim(tokens: list[str]) -> str:
    """The name of the work: leading articles and numbers off, cut at a preposition."""
    out: list[str] = []
    for token in tokens:
        bare = token.lower().strip(",.;:!?()“”\"'")
        if not out and (bare in _LEADING or bare in _STOP or bare[:1].isdigit() or not bare):
            continue
        if out and bare in _STOP:
            break
        out.append(token.strip(',.;:!?()“”"'))
        if token.endswith((",", ";", ":")):
            break
    return " ".join(out)


def _lower_first(text: str) -> str:
    """Lower-case the first letter unless the first word looks like a name or acronym."""
    first = text.split(" ", 1)[0]
    if len(first) > 1 and (first.isupper() or any(c.isupper() for c in first[1:])):
        return text
    return text[:1].lower() + text[1:]


def deliverable(text: str) -> Deliverable:
    """The verb and the work a title names.

    "Launch the new onboarding flow" → (launch, new onboarding flow); "Alert rules
    editor released" → (release, Alert rules editor → "alert rules editor");
    "Published customer stories" → (publish, customer stories); "Deploys per week"
    → ("", deploys).
    """
    tokens = _TOKEN.findall(_PREFIX.sub("", text))
    while tokens and tokens[0].lower() in _FILLERS:
        tokens = tokens[1:]
    if not tokens:
        return Deliverable("", "")
    lowered = [t.lower().strip(",.;:") for t in tokens]
    done = _done_at(lowered)
    if done and lowered[0] not in _DONE:
        # "Open roles filled": the participle names the work done, "open" is an adjective.
        return Deliverable(_VERB_FORMS.get(lowered[done], lowered[done]), _name(tokens[:done]))
    if _is_lead_verb(lowered):
        rest = tokens[1:]
        if rest and rest[0].lower() in _PARTICLES:
            rest = rest[1:]
        return Deliverable(_VERB_FORMS[lowered[0]], _name(rest))
    return Deliverable("", _name(tokens))


def _name(tokens: list[str]) -> str:
    if len(tokens) > 2 and tokens[1].lower() == "of" and tokens[0].lower() in _COUNTS:
        tokens = tokens[2:]  # "Number of webinars"
    return _lower_first(_trim(tokens))


def _done_at(lowered: list[str]) -> int:
    """Where a done participle ("released", "signed off") follows the work; 0 if none."""
    for i, word in enumerate(lowered[1:], start=1):
        if word in _DONE or " ".join(lowered[i : i + 2]) in _DONE_PHRASES or word in _DONE_PHRASES:
            return i
    return 0


def _is_lead_verb(lowered: list[str]) -> bool:
    """An imperative or participle opening ("Launch the…", "Published…"), not a plural
    noun ("Deploys per week") nor an "-ing" noun ("Onboarding survey score")."""
    first = lowered[0]
    if first not in _VERB_FORMS or (first.endswith("s") and first != _VERB_FORMS[first]):
        return False
    following = lowered[1] if len(lowered) > 1 else ""
    return first in _DONE or lead_class(first, following) != "other" or first in _EXTRA_VERBS


# --------------------------------------------------------------------------- categories


@dataclass(frozen=True)
class Category:
    """A kind of work and the outcome it is usually meant to move.

    ``nouns`` and ``verbs`` detect it (nouns in the work's name first, then anywhere in
    the title, then the verb); ``measure`` is a key result to suggest, with ``{thing}``
    for the work's name; ``measure_plain`` is used when no name was found;
    ``objective`` is an objective to suggest above the work.
    """

    name: str
    nouns: frozenset[str]
    verbs: frozenset[str]
    measure: str
    measure_plain: str
    objective: str


def _c(
    name: str, nouns: str, verbs: str, measure: str, plain: str = "", objective: str = ""
) -> Category:
    return Category(
        name,
        frozenset(nouns.split()),
        frozenset(verbs.split()),
        measure,
        plain or measure,
        objective,
    )


CATEGORIES: tuple[Category, ...] = (
    _c(
        "onboarding",
        "onboarding signup signups sign-up sign-ups registration welcome",
        "onboard",
        "Increase day-7 retention of new customers from X% to Y%",
        objective="New customers get value in their first week",
    ),
    _c(
        "hiring",
        "role roles hires vacancy vacancies positions candidates recruitment hiring",
        "hire recruit fill",
        "Increase the share of new hires fully productive after 90 days from X% to Y%",
        objective="Teams have the people they need, productive from their first month",
    ),
    _c(
        "internal event",
        "party offsite celebration gala festival away-day town-hall all-hands social",
        "organise organize",
        "Increase the share of staff who can name someone to ask in another team from X% to Y%",
        objective="People across teams know and help each other",
    ),
    _c(
        "external event",
        "conference conferences fair fairs expo trade summit meetup meetups",
        "attend sponsor exhibit",
        "Increase qualified leads met at the {thing} that become opportunities from X to Y",
        "Increase qualified leads from events that become opportunities from X to Y",
        "The buyers we want meet us and remember us",
    ),
    _c(
        "training",
        "training trainings course courses workshop workshops session sessions lesson lessons "
        "bootcamp coaching mentoring e-learning curriculum masterclass",
        "train coach mentor teach",
        "Increase the share of participants who use what the {thing} taught 30 days later "
        "from X% to Y%",
        "Increase the share of people who apply what they were taught 30 days later from X% to Y%",
        "People use new skills in their daily work",
    ),
    _c(
        "definitions",
        "definition definitions metric metrics kpi kpis glossary",
        "define",
        "Increase the share of reports that use the agreed {thing} from X% to Y%",
        "Increase the share of reports that use the agreed definitions from X% to Y%",
        "Everyone decides from the same numbers",
    ),
    _c(
        "documents",
        "guideline guidelines policy policies handbook guide guides playbook playbooks process "
        "processes procedure procedures standard standards documentation runbook runbooks "
        "template templates checklist checklists framework charter manual",
        "document draft approve ratify agree",
        "Increase the share of teams working to the {thing} from X% to Y%",
        "Increase the share of teams working to the new way of working from X% to Y%",
        "Everyone works the same, proven way",
    ),
    _c(
        "reports",
        "report reports dashboard dashboards analysis analytics scorecard",
        "",
        "Increase the number of teams who use the {thing} every month from X to Y",
        objective="Decisions are made on facts, not guesses",
    ),
    _c(
        "content",
        "story stories post posts blog blogs article articles video videos newsletter "
        "newsletters podcast podcasts campaign campaigns case studies brochure brochures "
        "leaflets flyers ads advert adverts content webinar webinars press whitepaper",
        "publish write post film shoot",
        "Increase inbound leads that came through the {thing} from X to Y a month",
        "Increase inbound leads from published content from X to Y a month",
        "Prospects see what customers achieve with us",
    ),
    _c(
        "brand",
        "brand rebrand logo identity",
        "",
        "Increase unaided awareness of our brand among target customers from X% to Y%",
        objective="The customers we want know us and choose us",
    ),
    _c(
        "engineering",
        "deploy deploys deployment deployments release releases refactor refactoring pipeline ci",
        "deploy refactor rebuild rewrite",
        "Reduce lead time from merge to production from X to Y hours",
        objective="A platform that changes safely and often",
    ),
    _c(
        "migration",
        "migration upgrade database infrastructure servers server kubernetes cloud legacy "
        "mainframe datacentre datacenter",
        "migrate upgrade replace decommission retire sunset",
        "Reduce the incidents or running cost that the change to the {thing} should remove, "
        "from X to Y a month",
        "Reduce the incidents or running cost the change should remove, from X to Y a month",
        "Systems that stay up and cost less to run",
    ),
    _c(
        "automation",
        "automation script scripts bot bots",
        "automate",
        "Reduce the hours of manual work the {thing} should remove from X to Y a month",
        "Reduce the hours of manual work spent on it from X to Y a month",
        "People spend their time on work only people can do",
    ),
    _c(
        "sales activity",
        "call calls meeting meetings demo demos visit visits pitch pitches outreach email "
        "emails e-mails mailing mailings proposal proposals",
        "pitch call visit",
        "Increase the share of {thing} that turn into qualified opportunities from X% to Y%",
        "Increase the share of sales conversations that turn into qualified opportunities "
        "from X% to Y%",
        "Our pipeline fills with buyers who need us",
    ),
    _c(
        "survey",
        "survey surveys interview interviews questionnaire poll",
        "survey interview",
        "Increase the satisfaction score the {thing} measures from X to Y",
        "Increase the satisfaction score you survey from X to Y",
        "We act on what customers tell us",
    ),
    _c(
        "audit",
        "audit audits review reviews assessment assessments inspection inspections certification",
        "audit review assess inspect certify",
        "Reduce open findings from the {thing} from X to Y",
        "Reduce open audit findings from X to Y",
        "We pass every inspection without a scramble",
    ),
    _c(
        "product",
        "feature features editor app apps application portal tool tools flow page pages website "
        "site mode api integration integrations module version crm erp system systems platform "
        "search checkout form chatbot service kiosk kiosks screen widget plugin extension",
        "launch release ship build develop roll introduce design redesign implement relaunch "
        "refresh revamp overhaul install integrate",
        "Increase the share of target users who use the {thing} each week from X% to Y%",
        "Increase the share of target users who use what you build each week from X% to Y%",
        "Customers get their job done without asking us",
    ),
)
DEFAULT = Category(
    "work",
    frozenset(),
    frozenset(),
    "e.g. “Increase the share of <the people it is for> who <do what it should help them do> "
    "from X% to Y%”",
    "e.g. “Increase the share of <the people it is for> who <do what it should help them do> "
    "from X% to Y%”",
    "",
)


# Each noun's first category (by position in CATEGORIES: the earlier wins).
_BY_NOUN: dict[str, int] = {}
for _i, _cat in enumerate(CATEGORIES):
    for _noun in _cat.nouns:
        _BY_NOUN.setdefault(_noun, _i)

# Kinds of work whose verb says more than the thing it acts on.
_VERB_FIRST = frozenset({"automation", "hiring", "training", "migration"})


def category(text: str, found: Deliverable | None = None) -> Category:
    """The kind of work a title names: by a strong verb ("automate"), by a noun in the
    work's name, then by a noun anywhere in the title, then by its verb;
    :data:`DEFAULT` when nothing fits."""
    return _categorised(text, found or deliverable(text))[0]


def _categorised(text: str, found: Deliverable) -> tuple[Category, bool]:
    """The category, and whether the work's name is what it was recognised by (only
    then does the name fit the template: "Give a talk at the meetup" is an event by
    "meetup", but its name is not "meetup")."""
    for cat in CATEGORIES:
        if cat.name in _VERB_FIRST and found.verb in cat.verbs:
            return cat, True  # "Automate the release checklist" is automation, not documents
    for words, by_name in ((_words(found.thing), True), (_words(text), False)):
        matched = [_BY_NOUN[w] for w in words if w in _BY_NOUN]
        if matched:
            return CATEGORIES[min(matched)], by_name
    for cat in CATEGORIES:
        if found.verb in cat.verbs:
            return cat, True
    return DEFAULT, False


def _measure(text: str, found: Deliverable) -> str:
    cat, by_name = _categorised(text, found)
    # "Train all managers": the work's name is the people, which the templates don't fit.
    head = found.thing.split()[-1:] or [""]
    if by_name and found.thing and "{thing}" in cat.measure and not is_about_people(head[0]):
        return cat.measure.format(thing=found.thing)
    return cat.measure_plain


def _quoted(measure: str) -> str:
    return measure if measure.startswith("e.g.") else f"“{measure}”"


def short(title: str, most: int = 80) -> str:
    """The title to quote in a rewrite: stripped, and cut with "…" past ``most`` characters."""
    title = " ".join(title.split())
    return title if len(title) <= most else title[: most - 1].rstrip() + "…"


def output_rewrite(title: str) -> str:
    """ "Keep <title> as an initiative, and measure what it should change: <measure>"."""
    found = deliverable(title)
    found = Deliverable(found.verb, short(found.thing, 60))
    measure = _measure(title, found)
    return (
        f"Keep “{short(title)}” as an initiative, and measure what it should change: "
        f"{_quoted(measure)}."
    )


def milestone_metric_rewrite(title: str, kind: str, number: str) -> str:
    """A milestone that names a measure: the measure as a key result with a target."""
    words = [w for w in _TOKEN.findall(title) if not any(c.isdigit() for c in w)]
    while words and (words[0].lower() in _OTHER_VERBS or words[0].lower() in _FILLERS):
        words = words[1:]
    measure = short(" ".join(words).strip(" ,."), 60)
    if not measure:
        return ""
    measure = measure[:1].upper() + measure[1:]
    target = f" to {number}" if number else " to the target"
    return f"“{measure}” as an {kind} key result, from today's value{target}."


def vague_rewrite(title: str) -> str:
    """A vague title ("Improve onboarding") with the measure named."""
    cat = category(title)
    if cat is not DEFAULT:
        found = deliverable(title)
        found = Deliverable(found.verb, short(found.thing, 60))
        return f"Name the measure and the change, e.g. “{_measure(title, found)}”."
    rest = " ".join(
        w for w in _TOKEN.findall(title) if w.lower().strip(",.") not in VAGUE_WORDS
    ).strip(" ,.")
    rest = short(_lower_first(_trim(rest.split())), 60) if rest else ""
    if not rest:
        return ""
    return f"Name the measure and the change, e.g. “Increase the {rest} score from X to Y”."


def objective_task_rewrite(title: str) -> str:
    """A project-shaped objective: the reason above it as the objective."""
    cat = category(title)
    if not cat.objective:
        return ""
    return (
        f"Keep “{short(title)}” as an initiative, and make the objective what it is for, "
        f"e.g. “{cat.objective}”."
    )


def is_about_people(text: str) -> bool:
    return any(w in PEOPLE_NOUNS for w in _words(text))


VAGUE_WORDS = frozenset(
    {
        "improve", "improved", "improving", "improvement", "improvements", "better", "best",
        "optimise", "optimised", "optimising", "optimize", "optimized", "optimizing",
        "optimisation", "optimization", "enhance", "enhanced", "enhancing", "enhancement",
        "more", "world-class", "best-in-class", "great", "greater", "excellent", "excellence",
        "stronger", "strengthen", "robust", "seamless", "streamline", "streamlined",
        "awesome", "amazing", "superior", "leading", "cutting-edge", "state-of-the-art",
    }
)  # fmt: skip
"""Words that promise a change without saying how much (matched in lower case)."""
