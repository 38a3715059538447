"""Where each role goes: the dashboard's cards and the navigation bar come from the same list."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

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
        Destination("Your requests", "web:portal", "See each request, its outcome, deadline and release."),
        Destination("New request", "web:portal_new", "Ask for student records, with your legal documents."),
    ],
    Role.RECORDS_CLERK: [
        Destination("Records office", "web:office", "What is due and overdue, students to match, releases."),
        Destination(
            "Enter a request",
            "web:office_new",
            "A request that came by fax, email, phone, mail or in person.",
        ),
        Destination("Agencies", "web:office_agencies", "Verify the agencies that ask for records."),
        Destination("Letters to mail", "web:office_letters", "Family notices that go by post."),
    ],
    Role.SUPERINTENDENT: [
        Destination("Review queue", "web:review", "Items waiting for your decision, oldest deadline first."),
    ],
    Role.LEGAL_ADVISOR: [
        Destination("Review queue", "web:review", "Items waiting for your decision, oldest deadline first."),
        Destination(
            "Non-disclosure orders",
            "web:nondisclosure_orders",
            "Entries sealed from families: when each order ends, its review, revealing early.",
        ),
    ],
    Role.PRINCIPAL: [
        Destination(
            "Record a disclosure already made",
            "web:school_record",
            "An emergency disclosure or a report of suspected abuse, within 48 hours.",
        ),
        Destination(
            "Record an incident", "incidents:record", "What happened, and on which side of the bright line."
        ),
        Destination("Incidents", "incidents:list", "Your school's incidents and their classification."),
    ],
    Role.PARENT: [
        Destination(
            "Your family's records", "web:family", "Every request and disclosure about your children."
        ),
    ],
    Role.AUDITOR: [],
}
_BY_ROLE[Role.ADMIN] = [
    *_BY_ROLE[Role.RECORDS_CLERK],
    Destination("Incidents", "incidents:list", "Every school's incidents; reclassify with a reason."),
    Destination(
        "Family-notice decisions",
        "web:family_notice_decisions",
        "Abuse investigations: whether and when the family is told, by the deadline.",
    ),
    Destination(
        "Non-disclosure orders",
        "web:nondisclosure_orders",
        "Entries sealed from families: when each order ends, its review, revealing early.",
    ),
    Destination("Settings", "web:admin_settings", "How the district is configured, and what is missing."),
]
_BY_ROLE[Role.SCHOOL_STAFF] = _BY_ROLE[Role.PRINCIPAL]
_BY_ROLE[Role.ELIGIBLE_STUDENT] = [
    Destination("Your records", "web:family", "Every request and disclosure about your records."),
]

PUBLIC = [
    Destination("The policy", "web:policy", "The rules in plain language and as the Cedar text that runs."),
    Destination(
        "Versions and comment", "policy:versions", "Drafts, the comment period, adoption and what changed."
    ),
    Destination("Verify the ledger", "web:verify", "Signed checkpoints anyone can check."),
]


TRAINING = Destination(
    "Training", "training:index", "The training for the policy in effect: required to decide or release."
)
POLICY_WORK = Destination(
    "Policy drafts", "policy:versions", "Draft a change, open it for comment, see what it would change."
)


def destinations_for(user: User) -> list[Destination]:
    destinations = list(_BY_ROLE.get(getattr(user, "role", ""), []))
    if getattr(user, "role", "") in (Role.ADMIN, Role.SUPERINTENDENT, Role.LEGAL_ADVISOR):
        destinations.append(POLICY_WORK)
    if getattr(user, "is_district_staff", False):
        destinations.append(TRAINING)
    return destinations
