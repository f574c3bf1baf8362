"""The demo's purpose surveys: what Tidewater's people said the purpose of their work is.

Written for the demo. The autumn survey shows three pictures: Operations repeats the
strategy in its own words, People & Finance describes its daily tasks, and Product &
Engineering is split between building modern technology and letting customers see
their shipments. The spring survey, before the OKR pilot, is the baseline it is
compared with.
"""

from __future__ import annotations

# team slug → answers; None for people who chose no team
AUTUMN: dict[str | None, list[str]] = {
    "operations": [
        "Getting our customers' freight to them on time, every time, so they can rely on us.",
        "Making Tidewater the carrier shippers trust to deliver on time, when we said we would.",
        "Reliable deliveries across Northern Europe, with no surprises for the customer.",
        "I make sure every shipment arrives on time and undamaged at the customer's door.",
        "On-time delivery that mid-sized shippers can count on.",
        "To move our customers' goods reliably and let them see where they are at any moment.",
        "Being the most dependable way to ship goods on time between Rotterdam, Hamburg and Antwerp.",
        "Deliver on time and keep the customer informed end to end.",
        "Our customers should never have to worry whether their delivery will arrive on time.",
        "Reliable freight with less paperwork for the shipper.",
        "I plan routes so deliveries reach customers on time and reliably.",
        "Keeping promises to shippers: the right goods, on time, visible all the way.",
        "Making sure freight arrives when promised, so customers can plan around us.",
        "To be the logistics partner that delivers on time across Northern Europe.",
        "Fewer late and damaged deliveries, so shippers trust us with more of their freight.",
        "Customers can count on their goods arriving on time, and can track them live.",
        "Delivering reliably for mid-sized shippers, with less paperwork on their side.",
        "Getting goods across Europe on time and visible end to end.",
    ],
    "people-finance": [
        "I run payroll every month and answer questions about payslips.",
        "Processing supplier invoices and reconciling the bank accounts.",
        "Scheduling interviews and sending offer letters to new hires.",
        "Preparing the monthly management accounts and the VAT returns.",
        "Updating employee records and handling leave requests.",
        "Chasing overdue invoices and booking payments.",
        "Organising onboarding days and ordering laptops for new starters.",
        "Filing expense claims and checking receipts.",
        "Running the budget spreadsheet and month-end close.",
        "Answering HR tickets and keeping contracts up to date.",
        "Writing job adverts and screening CVs.",
        "Booking training courses and tracking certificates.",
    ],
    "product-engineering": [
        "Building a modern, well-tested platform with clean architecture.",
        "Writing high-quality code and paying down the technical debt in our platform.",
        "Moving our services to Kubernetes and improving the CI pipeline.",
        "Keeping the platform's infrastructure stable and the on-call rota quiet.",
        "Adopting the latest technology so our engineering stays state of the art.",
        "Refactoring the legacy monolith into modern, well-designed microservices.",
        "Improving developer experience, build times and test coverage.",
        "Shipping code quickly on a modern, scalable engineering platform.",
        "Engineering excellence: good code reviews, automated tests and fast deploys.",
        "Modernising our tech stack and infrastructure.",
        "Letting customers see exactly where their shipment is, live, without calling us.",
        "Real-time tracking so shippers always know where their goods are.",
        "Proactive alerts that tell customers about a delay before they have to ask.",
        "Giving shippers end-to-end visibility of every delivery.",
        "Making shipment status visible to customers every minute of the journey.",
        "Customers should never have to phone us to find out where their goods are.",
        "Live shipment tracking that customers trust.",
        "Helping drivers report deliveries so customers see them straight away.",
        "Visible, predictable deliveries for our customers through good tracking.",
        "Showing customers live arrival times they can plan with.",
    ],
    "commercial": [
        "Winning new mid-sized shippers and keeping the ones we have happy.",
        "Growing revenue with customers who ship 20 to 500 times a month.",
        "Telling customer stories that show we deliver reliably.",
        "Finding shippers who value reliable, visible freight and signing them up.",
        "Hitting my sales target each quarter.",
        "Growing our share of mid-sized shippers profitably.",
        "Bringing in leads for the sales team.",
    ],
    None: [
        "Keeping the company running.",
        "Doing my best every day.",
        "Moving freight for customers.",
    ],
}

# Before the pilot: Operations still talked about its own tasks, the rest as in autumn.
SPRING: dict[str | None, list[str]] = {
    "operations": [
        "Loading and unloading trucks at the hub.",
        "Planning the drivers' shifts for the week.",
        "Fixing vehicles and booking maintenance.",
        "Answering calls from customers about their deliveries.",
        "Getting deliveries to customers on time.",
        "Scanning parcels and updating the warehouse system.",
        "Filling in delivery paperwork and customs forms.",
        "Checking tachographs and driver hours.",
        "Dispatching trucks from the Rotterdam hub.",
        "Moving freight from A to B.",
    ],
    "people-finance": AUTUMN["people-finance"][:8],
    "product-engineering": AUTUMN["product-engineering"][:6] + AUTUMN["product-engineering"][10:14],
    "commercial": AUTUMN["commercial"][:5],
}
