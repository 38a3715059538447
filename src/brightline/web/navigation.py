"""Where each role goes: the dashboard's cards and the navigation bar come from the same list. Titles and
descriptions stay English here (`gettext_noop` marks them for the catalogs); the pages translate them."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_noop

from brightline.accounts.models import Role, User


@dataclass(frozen=True)
class Destination:
    title: str
    url_name: str
    description: str

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_BY_ROLE: dict[str, list[Destination]] = {
    Role.REQUESTER: [
        Destination(
            gettext_noop("Your requests"),
            "web:portal",
            gettext_noop("See each request, its outcome, deadline and release."),
        ),
        Destination(
            gettext_noop("New request"),
            "web:portal_new",
            gettext_noop("Ask for student records, with your legal documents."),
        ),
    ],
    Role.RECORDS_CLERK: [
        Destination(
            gettext_noop("Records office"),
            "web:office",
            gettext_noop("What is due and overdue, students to match, releases."),
        ),
        Destination(
            gettext_noop("Enter a request"),
            "web:office_new",
            gettext_noop("A request that came by fax, email, phone, mail or in person."),
        ),
        Destination(
            gettext_noop("Agencies"),
            "web:office_agencies",
            gettext_noop("Verify the agencies that ask for records."),
        ),
        Destination(
            gettext_noop("Letters to mail"),
            "web:office_letters",
            gettext_noop("Family notices that go by post."),
        ),
    ],
    Role.SUPERINTENDENT: [
        Destination(
            gettext_noop("Review queue"),
            "web:review",
            gettext_noop("Items waiting for your decision, oldest deadline first."),
        ),
    ],
    Role.LEGAL_ADVISOR: [
        Destination(
            gettext_noop("Review queue"),
            "web:review",
            gettext_noop("Items waiting for your decision, oldest deadline first."),
        ),
        Destination(
            gettext_noop("Non-disclosure orders"),
            "web:nondisclosure_orders",
            gettext_noop("Entries sealed from families: when each order ends, its review, revealing early."),
        ),
    ],
    Role.PRINCIPAL: [
        Destination(
            gettext_noop("Record a disclosure already made"),
            "web:school_record",
            gettext_noop("An emergency disclosure or a report of suspected abuse, within 48 hours."),
        ),
        Destination(
            gettext_noop("Record an incident"),
            "incidents:record",
            gettext_noop("What happened, and on which side of the bright line."),
        ),
        Destination(
            gettext_noop("Incidents"),
            "incidents:list",
            gettext_noop("Your school's incidents and their classification."),
        ),
    ],
    Role.PARENT: [
        Destination(
            gettext_noop("Your family's records"),
            "web:family",
            gettext_noop("Every request and disclosure about your children."),
        ),
    ],
    Role.AUDITOR: [],
}
_BY_ROLE[Role.ADMIN] = [
    *_BY_ROLE[Role.RECORDS_CLERK],
    Destination(
        gettext_noop("Incidents"),
        "incidents:list",
        gettext_noop("Every school's incidents; reclassify with a reason."),
    ),
    Destination(
        gettext_noop("Family-notice decisions"),
        "web:family_notice_decisions",
        gettext_noop("Abuse investigations: whether and when the family is told, by the deadline."),
    ),
    Destination(
        gettext_noop("Non-disclosure orders"),
        "web:nondisclosure_orders",
        gettext_noop("Entries sealed from families: when each order ends, its review, revealing early."),
    ),
    Destination(
        gettext_noop("Settings"),
        "web:admin_settings",
        gettext_noop("How the district is configured, and what is missing."),
    ),
]
_BY_ROLE[Role.SCHOOL_STAFF] = _BY_ROLE[Role.PRINCIPAL]
_BY_ROLE[Role.ELIGIBLE_STUDENT] = [
    Destination(
        gettext_noop("Your records"),
        "web:family",
        gettext_noop("Every request and disclosure about your records."),
    ),
]

PUBLIC = [
    Destination(
        gettext_noop("The policy"),
        "web:policy",
        gettext_noop("The rules in plain language and as the Cedar text that runs."),
    ),
    Destination(
        gettext_noop("Versions and comment"),
        "policy:versions",
        gettext_noop("Drafts, the comment period, adoption and what changed."),
    ),
    Destination(
        gettext_noop("Verify the ledger"), "web:verify", gettext_noop("Signed checkpoints anyone can check.")
    ),
]


TRAINING = Destination(
    gettext_noop("Training"),
    "training:index",
    gettext_noop("The training for the policy in effect: required to decide or release."),
)
POLICY_WORK = Destination(
    gettext_noop("Policy drafts"),
    "policy:versions",
    gettext_noop("Draft a change, open it for comment, see what it would change."),
)


def destinations_for(user: User) -> list[Destination]:
    destinations = list(_BY_ROLE.get(getattr(user, "role", ""), []))
    if getattr(user, "role", "") in (Role.ADMIN, Role.SUPERINTENDENT, Role.LEGAL_ADVISOR):
        destinations.append(POLICY_WORK)
    if getattr(user, "is_district_staff", False):
        destinations.append(TRAINING)
    return destinations


@dataclass(frozen=True)
class Menu:
    """A top-level item of the header that opens a list of destinations (USWDS nav dropdown)."""

    title: str
    key: str
    destinations: tuple[Destination, ...]


ABOUT = Menu(
    gettext_noop("The policy and the ledger"),
    "about",
    (
        *PUBLIC,
        Destination(
            gettext_noop("Transparency reports"),
            "transparency:index",
            "",
        ),
    ),
)
# At most this many top-level items in the header for any role (the dashboard, the role's first page,
# the rest of its pages, the public pages, and the person's own menu): wider, it wraps on a laptop.
TOP_LEVEL_LIMIT = 5


def header_for(user: User | None, *, signed_in: bool) -> list[Destination | Menu]:
    """The header's items for a person: a signed-in person (second factor shown) gets the dashboard, the
    role's first page, a menu with the rest of the role's pages and a menu of the public pages; a visitor
    (or a person between password and second factor) gets the public pages alone."""
    if not signed_in or user is None:
        return list(ABOUT.destinations)
    own = destinations_for(user)
    items: list[Destination | Menu] = [Destination(gettext_noop("Dashboard"), "web:home", "")]
    if own:
        items.append(own[0])
    rest = tuple(own[1:])
    if len(rest) == 1:
        items.append(rest[0])
    elif rest:
        items.append(Menu(gettext_noop("More pages"), "work", rest))
    items.append(ABOUT)
    return items
