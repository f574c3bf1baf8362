"""The demo organisation: Tidewater, a freight logistics company of about 40 people.

Plain data, read by `build.py`. Later capabilities add objectives, check-ins and
surveys to the same company.
"""

from __future__ import annotations

DEMO_SLUG = "tidewater"
DEMO_LOGIN = "ava@tidewater.example"
DEMO_PASSWORD = "headway-demo"

ORGANISATION = {
    "name": "Tidewater Freight",
    "strategy_statement": (
        "Become the most reliable way for mid-sized shippers to move goods across "
        "Northern Europe: on time, visible end to end, and with half the paperwork."
    ),
    "timezone": "Europe/Amsterdam",
    "checkin_weekday": 0,
    # Check-ins fall on Mondays and this week's is left for the visitor, so the newest
    # is up to 13 days old on a Sunday: a week's grace keeps the healthy key results
    # from showing as overdue, while the silent one (3 weeks) still does.
    "overdue_grace_days": 7,
}

THEMES = [
    (
        "Deliveries customers can count on",
        "On-time delivery and fewer damaged or lost shipments, measured at the customer's door.",
    ),
    (
        "See every shipment, every minute",
        "Live tracking and proactive alerts so customers never have to call to ask where goods are.",
    ),
    (
        "Grow profitably with mid-sized shippers",
        "Win and keep customers of 20-500 shipments a month with healthy margins.",
    ),
]

# (slug, name, parent slug, description)
TEAMS = [
    ("tidewater", "Tidewater Freight", None, "The whole company."),
    (
        "product-engineering",
        "Product & Engineering",
        "tidewater",
        "Builds the platform shippers and drivers use.",
    ),
    ("operations", "Operations", "tidewater", "Moves the freight: planning, fleet and hubs."),
    ("commercial", "Commercial", "tidewater", "Finds, wins and keeps customers."),
    ("people-finance", "People & Finance", "tidewater", "Hiring, growth and the numbers."),
    (
        "platform",
        "Platform",
        "product-engineering",
        "Core services, reliability and data pipelines.",
    ),
    ("tracking", "Tracking", "product-engineering", "Live shipment tracking and customer alerts."),
    ("driver-app", "Driver App", "product-engineering", "The mobile app drivers use on the road."),
    ("routing-squad", "Routing Squad", "platform", "Route optimisation engine."),
    ("data-squad", "Data Squad", "platform", "Warehouse, reporting and forecasting data."),
    ("fleet", "Fleet", "operations", "Vehicles, drivers and maintenance."),
    ("hubs", "Hubs", "operations", "Cross-dock hubs in Rotterdam, Hamburg and Antwerp."),
    ("customer-care", "Customer Care", "operations", "Answers shippers and resolves incidents."),
    ("sales", "Sales", "commercial", "New business with mid-sized shippers."),
    ("marketing", "Marketing", "commercial", "Brand, demand and customer stories."),
    ("people", "People", "people-finance", "Hiring, onboarding and development."),
]

# (first name, last name, title, organisation role, [(team slug, lead|member)])
PEOPLE = [
    ("Ava", "Okafor", "Chief Executive", "owner", [("tidewater", "lead")]),
    ("Ben", "Lindqvist", "Chief Technology Officer", "admin", [("product-engineering", "lead")]),
    ("Chloé", "Martin", "Chief Operating Officer", "admin", [("operations", "lead")]),
    ("Daniel", "Reyes", "Commercial Director", "member", [("commercial", "lead")]),
    (
        "Elif",
        "Yılmaz",
        "Head of People & Finance",
        "admin",
        [("people-finance", "lead"), ("people", "lead")],
    ),
    ("Finn", "Jensen", "Platform Lead", "member", [("platform", "lead")]),
    ("Grace", "Adeyemi", "Tracking Lead", "member", [("tracking", "lead")]),
    ("Hugo", "Bakker", "Driver App Lead", "member", [("driver-app", "lead")]),
    ("Isla", "Murphy", "Senior Engineer", "member", [("routing-squad", "lead")]),
    ("Jonas", "Weber", "Data Engineer", "member", [("data-squad", "lead")]),
    ("Kira", "Novak", "Fleet Manager", "member", [("fleet", "lead")]),
    ("Liam", "O'Brien", "Hub Manager", "member", [("hubs", "lead")]),
    ("Maya", "Singh", "Customer Care Lead", "member", [("customer-care", "lead")]),
    ("Noah", "Visser", "Sales Lead", "member", [("sales", "lead")]),
    ("Olivia", "Costa", "Marketing Lead", "member", [("marketing", "lead")]),
    ("Pavel", "Horák", "Engineer", "member", [("routing-squad", "member")]),
    ("Quinn", "Taylor", "Engineer", "member", [("routing-squad", "member")]),
    ("Rosa", "Fernández", "Analyst", "member", [("data-squad", "member")]),
    ("Sami", "Haddad", "Engineer", "member", [("tracking", "member")]),
    ("Tara", "Kowalski", "Engineer", "member", [("tracking", "member")]),
    ("Umar", "Qureshi", "Mobile Engineer", "member", [("driver-app", "member")]),
    ("Vera", "Petrova", "Mobile Engineer", "member", [("driver-app", "member")]),
    ("Wim", "de Vries", "Site Reliability Engineer", "member", [("platform", "member")]),
    (
        "Xenia",
        "Georgiou",
        "Product Designer",
        "member",
        [("tracking", "member"), ("driver-app", "member")],
    ),
    ("Yusuf", "Demir", "Fleet Planner", "member", [("fleet", "member")]),
    ("Zoe", "Laurent", "Maintenance Coordinator", "member", [("fleet", "member")]),
    ("Aaron", "Schmidt", "Hub Supervisor Rotterdam", "member", [("hubs", "member")]),
    ("Bianca", "Rossi", "Hub Supervisor Hamburg", "member", [("hubs", "member")]),
    ("Caleb", "Nowak", "Hub Supervisor Antwerp", "member", [("hubs", "member")]),
    ("Dana", "Cohen", "Support Specialist", "member", [("customer-care", "member")]),
    ("Emil", "Andersen", "Support Specialist", "member", [("customer-care", "member")]),
    ("Farah", "Malik", "Account Executive", "member", [("sales", "member")]),
    ("Gustav", "Berg", "Account Executive", "member", [("sales", "member")]),
    ("Hana", "Sato", "Customer Success Manager", "member", [("sales", "member")]),
    ("Ivan", "Petrov", "Content Marketer", "member", [("marketing", "member")]),
    ("Julia", "Santos", "Recruiter", "member", [("people", "member")]),
    ("Karl", "Huber", "Financial Controller", "member", [("people-finance", "member")]),
    ("Lena", "Fischer", "Board Observer", "viewer", []),
    ("Marco", "Bianchi", "Investor Relations", "viewer", []),
    (
        "Nadia",
        "Haddou",
        "Operations Analyst",
        "member",
        [("operations", "member"), ("hubs", "member")],
    ),
]


def email_of(first: str, last: str) -> str:
    """ava.okafor -> ava@tidewater.example for the owner, first.last@ for the rest."""
    import unicodedata

    def ascii_part(text: str) -> str:
        flat = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return "".join(ch for ch in flat.lower() if ch.isalnum())

    if (first, last) == ("Ava", "Okafor"):
        return DEMO_LOGIN
    return f"{ascii_part(first)}.{ascii_part(last)}@tidewater.example"
