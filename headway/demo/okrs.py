"""The demo's OKRs for the current quarter, aligned level by level to the themes, with
weekly check-ins that tell the stories Headway is built to show.

Each key result follows a *story* (a trajectory over the quarter): on track, stalled,
recovered after a change of approach, a watermelon (confident but far behind), an
over-achiever, a maintain key result breached once, milestones. Values are a function
of the fraction of the quarter elapsed, so the stories read the same on any day the
demo is built.
"""

from __future__ import annotations

# Objectives: (key, owner team slug, title, parent, [key results]). The parent is an
# objective's key, "theme:N" (the organisation's Nth theme), "bubble:N" (the Nth theme
# of the bubble below) or None: an objective aligned to nothing (an orphan).
# Key results: (title, kind, start, target, unit, format, story)
OBJECTIVES = [
    (
        "c1",
        "tidewater",
        "Deliveries our customers can plan around",
        "theme:0",
        [
            ("On-time delivery rate", "increase", 88, 95, "%", "percent", "steady"),
            ("Damaged or lost shipments per 1,000", "decrease", 4.0, 2.0, "", "number", "behind"),
        ],
    ),
    (
        "c2",
        "tidewater",
        "Customers see their freight without calling us",
        "theme:1",
        [
            ("Shipments with live tracking", "increase", 40, 90, "%", "percent", "recovered"),
            (
                "'Where is my shipment?' calls per week",
                "decrease",
                600,
                250,
                "calls",
                "number",
                "steady",
            ),
        ],
    ),
    (
        "c3",
        "tidewater",
        "Grow profitably with mid-sized shippers",
        "theme:2",
        [
            (
                "New mid-sized shippers signed",
                "increase",
                0,
                24,
                "shippers",
                "number",
                "watermelon",
            ),
            ("Gross margin on mid-sized accounts", "increase", 18, 23, "%", "percent", "steady"),
        ],
    ),
    (
        "pe1",
        "product-engineering",
        "Make live tracking the default",
        "c2",
        [
            (
                "Customers using the tracking portal weekly",
                "increase",
                120,
                400,
                "customers",
                "number",
                "recovered",
            ),
            ("Tracking events delivered within 60 s", "increase", 70, 98, "%", "percent", "steady"),
        ],
    ),
    (
        "pe2",
        "product-engineering",
        "A platform that never stops the trucks",
        "theme:0",
        [
            ("Platform availability", "maintain", None, 99.9, "%", "percent", "maintain_breach"),
            ("Incidents that delayed a delivery", "decrease", 9, 2, "incidents", "number", "over"),
        ],
    ),
    (
        "op1",
        "operations",
        "Run every hub like our best hub",
        "c1",
        [
            (
                "Trucks loaded within the 45-minute slot",
                "increase",
                71,
                90,
                "%",
                "percent",
                "stalled",
            ),
            ("Hub-caused delays per week", "decrease", 35, 15, "delays", "number", "steady"),
        ],
    ),
    (
        "cm1",
        "commercial",
        "Win mid-sized shippers in Benelux and Germany",
        "c3",
        [
            (
                "Qualified opportunities",
                "increase",
                10,
                60,
                "opportunities",
                "number",
                "watermelon",
            ),
            ("Win rate on qualified opportunities", "increase", 15, 25, "%", "percent", "silent"),
        ],
    ),
    (
        "pf1",
        "people-finance",
        "Hire the people the growth needs",
        "bubble:0",
        [
            ("Open roles filled", "increase", 0, 8, "roles", "number", "steady"),
            ("Offer acceptance rate", "increase", 60, 80, "%", "percent", "over"),
        ],
    ),
    (
        "pl1",
        "platform",
        "Deploy calmly, many times a day",
        "pe2",
        [
            ("Deploys per week", "increase", 5, 25, "deploys", "number", "over"),
            ("Change failure rate", "decrease", 18, 8, "%", "percent", "steady"),
        ],
    ),
    (
        "tr1",
        "tracking",
        "Proactive alerts before customers notice",
        "pe1",
        [
            (
                "Delays alerted before the customer asks",
                "increase",
                10,
                70,
                "%",
                "percent",
                "recovered",
            ),
            ("Alert e-mails opened", "increase", 25, 50, "%", "percent", "stalled"),
            (
                "Alert rules editor released",
                "milestone",
                None,
                None,
                "",
                "number",
                "milestone_done",
            ),
        ],
    ),
    (
        "da1",
        "driver-app",
        "Drivers update status in one tap",
        "pe1",
        [
            ("Stops with a driver status update", "increase", 55, 90, "%", "percent", "steady"),
            ("App crash-free sessions", "maintain", None, 99.5, "%", "percent", "maintain_held"),
        ],
    ),
    (
        "rs1",
        "routing-squad",
        "Routes that respect loading slots",
        "pl1",
        [
            ("Routes planned within slot windows", "increase", 62, 85, "%", "percent", "stalled"),
            ("Route planning time", "decrease", 40, 10, "min", "number", "steady"),
        ],
    ),
    (
        "ds1",
        "data-squad",
        "One trusted number for on-time delivery",
        "c1",
        [
            (
                "Reports using the shared on-time metric",
                "increase",
                2,
                12,
                "reports",
                "number",
                "steady",
            ),
            (
                "Metric definitions signed off",
                "milestone",
                None,
                None,
                "",
                "number",
                "milestone_open",
            ),
        ],
    ),
    (
        "fl1",
        "fleet",
        "Fewer trucks standing still",
        "op1",
        [
            ("Unplanned truck downtime", "decrease", 6.0, 3.0, "%", "percent", "watermelon"),
            ("Preventive maintenance done on time", "increase", 70, 95, "%", "percent", "steady"),
        ],
    ),
    (
        "hb1",
        "hubs",
        "Cross-dock in under two hours",
        "op1",
        [
            ("Pallets cross-docked within 2 h", "increase", 58, 85, "%", "percent", "recovered"),
            ("Mis-sorted pallets per 1,000", "decrease", 12, 5, "", "number", "stalled"),
        ],
    ),
    (
        "cc1",
        "customer-care",
        "Resolve incidents on first contact",
        "c2",
        [
            ("Incidents resolved on first contact", "increase", 48, 75, "%", "percent", "steady"),
            (
                "Customer satisfaction after an incident",
                "maintain",
                None,
                4.2,
                "/5",
                "number",
                "maintain_breach",
            ),
        ],
    ),
    (
        "sa1",
        "sales",
        "A pipeline we can trust",
        "cm1",
        [
            ("Opportunities with a next step dated", "increase", 30, 90, "%", "percent", "over"),
            ("Signed mid-sized shippers", "increase", 0, 12, "shippers", "number", "watermelon"),
        ],
    ),
    (
        "mk1",
        "marketing",
        "Shippers hear our customers' stories",
        "cm1",
        [
            ("Published customer stories", "increase", 0, 6, "stories", "number", "steady"),
            (
                "Inbound demo requests per month",
                "increase",
                15,
                45,
                "requests",
                "number",
                "stalled",
            ),
        ],
    ),
    (
        "pf2",
        "people-finance",
        "Close the books in five working days",
        "bubble:1",
        [
            ("Working days to close the month", "decrease", 12, 5, "days", "number", "steady"),
            ("Teams with a monthly budget report", "increase", 3, 16, "teams", "number", "over"),
        ],
    ),
    # Aligned to nothing: nobody above sees how it helps (alignment health: an orphan).
    (
        "mk2",
        "marketing",
        "Refresh our brand and website",
        None,
        [
            ("Brand guidelines published", "milestone", None, None, "", "number", "milestone_open"),
            ("Website visitors per month", "increase", 8000, 12000, "visitors", "number", "steady"),
        ],
    ),
    # Aligned to an objective its words have nothing to do with (a link to check).
    (
        "mk3",
        "marketing",
        "Organise the summer party",
        "cm1",
        [("Staff at the summer party", "increase", 0, 40, "people", "number", "steady")],
    ),
    (
        "pp1",
        "people",
        "New joiners productive in their first month",
        "pf1",
        [
            ("New joiners with a buddy on day one", "increase", 50, 100, "%", "percent", "over"),
            ("Onboarding survey score", "increase", 3.4, 4.3, "/5", "number", "steady"),
        ],
    ),
]

# Weekly check-in notes per story; the week's index picks one.
NOTES = {
    "steady": [
        "Moving as planned.",
        "On plan this week.",
        "Steady progress.",
        "Small gain, as expected.",
    ],
    "silent": ["Slower than hoped.", "Still behind; looking for causes."],
    "behind": [
        "Slower than hoped.",
        "Still behind; looking for causes.",
        "Some progress, not enough.",
    ],
    "stalled": [
        "No change this week.",
        "Flat again.",
        "Same as last week.",
        "Waiting on the same blocker.",
    ],
    "recovered": [
        "No movement yet.",
        "Still flat.",
        "Trying a different approach.",
        "The new approach is working.",
        "Good week.",
        "Catching up.",
    ],
    "watermelon": [
        "Pipeline looks good, deals will land.",
        "Confident we get there.",
        "Big week coming.",
        "Still confident.",
    ],
    "over": ["Ahead of plan.", "Better than expected.", "Well ahead."],
    "maintain_breach": ["Holding the line.", "Within target."],
    "maintain_held": ["Holding the line.", "Within target."],
    "milestone_done": ["In progress.", "Nearly there."],
    "milestone_open": ["Drafts in review.", "Waiting for sign-off."],
}

STALL_BLOCKER = "Waiting for the warehouse system vendor to expose slot data."
PIVOT_NOTE = (
    "Changed approach: stopped building reports nobody opened and put the alert in the "
    "customer's existing e-mail thread instead."
)
WATERMELON_BLOCKER = ""

# A "silent" key result's owner stopped checking in this many weeks ago: overdue.
SILENT_WEEKS = 3

# The pivots recorded on the recovered key results, each answering its stall flag.
PIVOTS = {
    "Delays alerted before the customer asks": {
        "tried": "A weekly delay report for each customer's planners, as a PDF in the portal.",
        "learned": (
            "Nobody opened the reports: planners act on alerts where they already read "
            "mail, not in another portal."
        ),
        "next_step": "Put each delay alert in the customer's existing e-mail thread, as it happens.",
    },
    "Shipments with live tracking": {
        "tried": "Asked subcontracted carriers to e-mail a status at pick-up and delivery.",
        "learned": (
            "Two e-mails a day is not live tracking, and busy subcontractors skipped them."
        ),
        "next_step": "Fit the driver app's GPS feed to every subcontracted truck.",
    },
    "Pallets cross-docked within 2 h": {
        "tried": "An extra evening shift at the Hamburg hub.",
        "learned": "The wait was for a free dock door, not for people: pallets queued outside.",
        "next_step": "Re-zone the dock doors by destination so pallets go straight across.",
    },
    "Customers using the tracking portal weekly": {
        "tried": "A monthly newsletter pointing customers to the tracking portal.",
        "learned": "Customers open the portal when something is late, and then they call.",
        "next_step": "Link every delay alert straight to the shipment's page in the portal.",
    },
}

# Units of things that come in whole numbers.
COUNTED = {
    "shippers",
    "calls",
    "customers",
    "incidents",
    "delays",
    "opportunities",
    "roles",
    "deploys",
    "reports",
    "stories",
    "requests",
    "min",
    "days",
    "teams",
    "visitors",
    "people",
}
BREACH_NOTE = "Breached: a storage outage on Tuesday took us below the threshold for six hours."

# People & Finance's own hiring objective also supports the company's growth: how the
# bubble connects to the organisation's strategy.
SUPPORTS = [("da1", "c1"), ("cc1", "c1"), ("pf1", "c3")]

# People & Finance is a bubble: the company's strategy says nothing about people or
# money, so its head set the department's own direction.
BUBBLE = "people-finance"
BUBBLE_STATEMENT = (
    "Until the company sets goals for people and money, People & Finance sets its own: "
    "hire and keep the people our growth depends on, and give every team numbers it can trust."
)
BUBBLE_THEMES = [
    ("Hire and keep great people", "Fill every role the growth needs with people who stay."),
    (
        "Numbers every team can trust",
        "Budgets and actuals every team reads the same way, every month.",
    ),
]

# (objective key, title, status, indexes of the objective's key results it moves)
INITIATIVES = [
    ("pl1", "Canary releases for every service", "done", [0, 1]),
    ("tr1", "Put delay alerts in the customer's own e-mail thread", "in_progress", [0, 1]),
    ("hb1", "Re-zone the Hamburg dock doors", "in_progress", [0]),
    ("rs1", "Import loading slots from the warehouse system", "planned", [0]),
    ("sa1", "Weekly pipeline review with a dated next step", "in_progress", [0]),
    ("fl1", "Telematics alerts for early maintenance", "planned", [0]),
]


def story_point(story: str, week: int, elapsed: list[float]) -> tuple[float, int, str, str]:
    """(share of the way to the target, confidence, note, blockers) for one week's check-in.

    `elapsed[w]` is the fraction of the quarter behind us on week w's check-in day. For
    maintain key results the share is 1 when held and 0 when breached; for milestones,
    1 when done.
    """
    weeks, now = len(elapsed), elapsed[week]
    notes = NOTES[story]
    note = notes[week % len(notes)]
    if story == "steady":
        return now * (0.94 + 0.03 * (week % 3)), 7, note, ""
    if story in ("behind", "silent"):
        return now * 0.55, 5 if week < weeks // 2 else 4, note, ""
    if story == "stalled":
        stall_from = max(1, weeks - 5)
        if week >= stall_from:
            return elapsed[stall_from] * 0.9, 5, "No change this week.", STALL_BLOCKER
        return now * 0.9, 6, note, ""
    if story == "recovered":
        pivot = max(2, weeks // 3)
        if week < pivot:
            return 0.04, 5, note, ""
        if week == pivot:
            return 0.06, 5, PIVOT_NOTE, ""
        return 0.06 + (now * 0.97 - 0.06) * (week - pivot) / max(1, weeks - 1 - pivot), 7, note, ""
    if story == "watermelon":
        return now * 0.2, 9 if week % 2 else 8, note, WATERMELON_BLOCKER
    if story == "over":
        return min(1.4, now * 2.6), 9, note, ""
    if story == "maintain_breach":
        breached = week == weeks // 2
        return (
            (0.0 if breached else 1.0),
            6 if breached else 8,
            BREACH_NOTE if breached else note,
            "",
        )
    if story == "maintain_held":
        return 1.0, 8, note, ""
    if story == "milestone_done":
        done = week >= weeks - 3
        return (1.0 if done else 0.0), 8, "Released to all customers." if done else note, ""
    return 0.0, 6, note, ""  # milestone_open
