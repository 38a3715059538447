"""A simulated year of requests, played through the real services, so that every page and report of the
demo district has something true to show.

Time is moved with `time_machine` while the year is played, so each request, decision, determination,
notice and release carries the moment it would have happened. Nothing here decides an outcome: the
policy in effect at each request's receipt triages it, the simulated reviewers may only approve on a
lawful basis the engine accepts, and an emergency waits for the district's determination when the policy
says so (rule R1 of version 2). The district's own acts (the demo adopts a new policy version during the
year) are played at their moments between the requests.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import time_machine
from django.conf import settings
from django.utils import timezone

from brightline.accounts.models import Role, User
from brightline.agencies.models import Agency
from brightline.casework import services
from brightline.casework.models import Item, ItemState, Request, RequestState
from brightline.casework.selectors import emergencies_to_determine
from brightline.disclosures.services import after_the_fact_record, packet_release
from brightline.errors import ServiceError
from brightline.incidents.selectors import schools_for
from brightline.notices.models import FamilyNotice, NoticeState
from brightline.notices.services import notice_mark_mailed
from brightline.roster.models import Student
from brightline.roster.selectors import inventory_fields
from brightline.training.selectors import is_trained

DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Scenario:
    """One kind of request the district sees, with how often it comes."""

    weight: int
    kind: str
    purpose: str
    categories: tuple[str, ...]
    legal_process: str = "none"
    nondisclosure: bool = False
    emergency: bool = False
    consent: tuple[str, ...] = ()
    certification: bool = False
    onward: tuple[str, ...] = ()
    by_name: bool = False
    # A request naming a whole list of students (rule B: more than 10), as (fewest, most).
    bulk: tuple[int, int] | None = None


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        18, "municipal_police", "criminal_investigation", ("directory", "contact", "attendance"), by_name=True
    ),
    Scenario(8, "municipal_police", "criminal_investigation", ("law_enforcement_unit", "discipline")),
    Scenario(
        6, "transit_police", "criminal_investigation", ("directory", "enrollment", "discipline"), by_name=True
    ),
    Scenario(
        3, "state_police", "criminal_investigation", ("contact", "attendance"), legal_process="subpoena"
    ),
    Scenario(
        2,
        "federal_law_enforcement",
        "criminal_investigation",
        ("academic",),
        legal_process="grand_jury_subpoena",
        nondisclosure=True,
    ),
    Scenario(
        3,
        "immigration_enforcement",
        "civil_immigration_enforcement",
        ("contact", "enrollment", "immigration"),
    ),
    Scenario(
        1,
        "immigration_enforcement",
        "civil_immigration_enforcement",
        ("enrollment",),
        legal_process="administrative_warrant",
    ),
    Scenario(1, "fusion_center", "criminal_investigation", ("discipline", "directory")),
    Scenario(2, "municipal_police", "criminal_investigation", ("contact",), onward=("gang_database",)),
    Scenario(4, "prosecutor", "court_proceeding", ("attendance", "discipline"), legal_process="subpoena"),
    Scenario(5, "court", "court_proceeding", ("attendance", "academic")),
    Scenario(2, "court", "court_proceeding", ("attendance", "health"), legal_process="court_order"),
    Scenario(2, "probation", "juvenile_justice", ("attendance",)),
    Scenario(3, "juvenile_justice", "juvenile_justice", ("attendance", "academic"), certification=True),
    Scenario(
        10,
        "child_protective_services",
        "child_abuse_investigation",
        ("contact", "attendance", "health", "counseling"),
    ),
    Scenario(
        4,
        "child_protective_services",
        "foster_care_case_plan",
        ("academic", "attendance", "special_education"),
    ),
    Scenario(2, "public_health", "health_safety_emergency", ("contact", "health"), emergency=True),
    Scenario(2, "municipal_police", "welfare_check", ("contact", "enrollment"), emergency=True),
    Scenario(8, "school_district", "school_transfer", ("academic", "attendance", "special_education")),
    Scenario(3, "school_official", "educational_interest", ("academic", "discipline")),
    Scenario(3, "military_recruiter", "recruitment", ("directory", "contact"), by_name=True),
    Scenario(2, "college", "recruitment", ("contact", "academic"), by_name=True),
    Scenario(2, "researcher", "research", ("attendance", "academic"), consent=("attendance",)),
    Scenario(2, "media", "journalism", ("directory",), by_name=True),
    Scenario(2, "other", "other", ("contact", "attendance"), consent=("contact", "attendance")),
    # Requests the first policy answered one way and version 2 another: an emergency from transit police,
    # an emergency stated by a requester who is no emergency responder, records meant for a joint task
    # force with immigration enforcement, a federal agency without process, a sealed judicial warrant, a
    # parent's consent handed to police for discipline records, and lists of students.
    Scenario(
        2, "transit_police", "health_safety_emergency", ("contact", "attendance", "academic"), emergency=True
    ),
    Scenario(1, "other", "health_safety_emergency", ("contact", "health"), emergency=True),
    Scenario(
        1,
        "municipal_police",
        "criminal_investigation",
        ("directory", "contact"),
        onward=("immigration_enforcement",),
    ),
    Scenario(1, "federal_law_enforcement", "criminal_investigation", ("directory", "law_enforcement_unit")),
    Scenario(
        1,
        "state_police",
        "criminal_investigation",
        ("contact", "attendance"),
        legal_process="judicial_warrant",
        nondisclosure=True,
    ),
    Scenario(
        1,
        "municipal_police",
        "criminal_investigation",
        ("discipline", "attendance"),
        consent=("discipline", "attendance"),
    ),
    Scenario(1, "military_recruiter", "recruitment", ("directory",), by_name=True, bulk=(11, 24)),
    Scenario(
        1, "public_health", "health_safety_emergency", ("contact", "health"), emergency=True, bulk=(11, 18)
    ),
    Scenario(1, "municipal_police", "criminal_investigation", ("law_enforcement_unit",), bulk=(11, 15)),
)

PROCESS_DOCUMENT_HINT = {
    "subpoena": "Subpoena",
    "grand_jury_subpoena": "Grand jury subpoena",
    "court_order": "Court order",
}


@dataclass
class Cast:
    clerk: User
    superintendent: User
    legal_advisor: User
    agencies: dict[str, Agency]
    principal: User | None = None


def _cast() -> Cast:
    def first(role: str) -> User:
        user = User.objects.filter(role=role, is_active=True).order_by("pk").first()
        if user is None:
            raise LookupError(f"the demo needs a user with role {role}")
        return user

    agencies: dict[str, Agency] = {}
    for agency in Agency.objects.order_by("pk"):
        agencies.setdefault(agency.kind, agency)
    return Cast(
        first(Role.RECORDS_CLERK),
        first(Role.SUPERINTENDENT),
        first(Role.LEGAL_ADVISOR),
        agencies,
        User.objects.filter(role=Role.PRINCIPAL, is_active=True).order_by("pk").first(),
    )


def _document(
    scenario: Scenario, students: list[Student], when: dt.datetime, rng: random.Random
) -> dict[str, Any]:
    named: list[dict[str, str]] = []
    for student in students:
        if scenario.by_name and student.birth_date is not None:
            named.append(
                {
                    "first_name": student.first_name,
                    "last_name": student.last_name,
                    "birth_date": student.birth_date.isoformat(),
                }
            )
        else:
            named.append({"student_id": student.sis_id})
    # No `identified_by`: the district takes it from how the students were named.
    document: dict[str, Any] = {
        "purpose": scenario.purpose,
        "description": f"Simulated {scenario.purpose.replace('_', ' ')} request",
        "categories": list(scenario.categories),
        "students": named,
        "legal_process": {"kind": scenario.legal_process, "nondisclosure_order": scenario.nondisclosure},
        "emergency": None,
        "consent": None,
        "certification_no_redisclosure": scenario.certification,
        "onward_recipients": list(scenario.onward),
    }
    if scenario.emergency:
        threat = rng.choice(
            [
                "Student reported missing after school",
                "Credible threat of self-harm",
                "Exposure to a communicable disease",
            ]
        )
        document["emergency"] = {"threat": threat, "ends_at": (when + dt.timedelta(hours=8)).isoformat()}
    if scenario.consent:
        document["consent"] = {
            "signed_by": "Parent of the student",
            "signed_on": (when - 3 * DAY).date().isoformat(),
            "purpose": scenario.purpose.replace("_", " "),
            "recipient": scenario.kind.replace("_", " "),
            "categories": list(scenario.consent),
        }
    return document


def _decide(item: Item, cast: Cast, rng: random.Random) -> None:
    """A simulated reviewer: approves on the first lawful basis the engine accepts, now and then
    withholding a field; denies when the policy accepts no basis."""
    reviewer = cast.superintendent if item.reviewer == "superintendent" else cast.legal_advisor
    fields = inventory_fields(item.category)
    narrow = len(fields) > 1 and rng.random() < 0.2
    accepted = [basis for basis, allowed, _ in services.lawful_bases_for(item) if allowed]
    if accepted and rng.random() < 0.9:
        basis = accepted[0]
        services.item_decide(
            item_id=item.pk,
            reviewer=reviewer,
            action="narrow" if narrow else "approve",
            rationale=f"Approved: {basis.replace('_', ' ')} shown in the request file.",
            lawful_basis=basis,
            fields_removed=[rng.choice(fields)] if narrow else None,
        )
        return
    services.item_decide(
        item_id=item.pk,
        reviewer=reviewer,
        action="deny",
        rationale="No lawful basis for this disclosure was shown.",
    )


def _decide_pending(request: Request, cast: Cast, rng: random.Random) -> None:
    for item in Item.objects.filter(request=request, state=ItemState.PENDING_REVIEW).order_by("position"):
        _decide(item, cast, rng)


# What the records office finds when it calls back the requester of an emergency (rule R1 of version 2):
# mostly a real threat, sometimes none, and now and then nobody gets to it before the emergency ends.
FOUND, DECLINED, LEFT = "found", "declined", "left"
FOUND_RATIONALE = (
    "Called the requester back on the agency's published number and spoke with the school: the threat is "
    "articulable and significant, and the requester is the one who can act on it."
)
DECLINED_RATIONALE = (
    "Called the requester back and reached the school: the student is in class and safe. No articulable "
    "and significant threat to the student's health or safety."
)


def _emergency_fate(rng: random.Random) -> str:
    roll = rng.random()
    return FOUND if roll < 0.8 else DECLINED if roll < 0.92 else LEFT


def _determine(request: Request, cast: Cast, *, found: bool, principal_schools: frozenset[int]) -> int:
    """The district's determination for every student of the request whose records wait for one: the
    student's principal when the demo's principal leads that school and is trained, else the records
    clerk. Returns how many students were determined."""
    determined = 0
    for waiting in emergencies_to_determine(request=request):
        rs = waiting["request_student"]
        official = cast.clerk
        if (
            cast.principal is not None
            and rs.student is not None
            and rs.student.school_id in principal_schools
            and is_trained(cast.principal)
        ):
            official = cast.principal
        services.emergency_determine(
            request_student_id=rs.pk,
            official=official,
            found=found,
            threat=request.emergency_threat if found else "",
            rationale=FOUND_RATIONALE if found else DECLINED_RATIONALE,
        )
        determined += 1
    return determined


def simulate_year(
    *,
    end: dt.datetime,
    requests: int = 2500,
    seed: int = 2026,
    progress: Callable[[str], None] = lambda message: None,
    acts: Sequence[tuple[dt.datetime, Callable[[], str]]] = (),
) -> Counter[str]:
    """Play `requests` requests over the year before `end` through the real services.

    `acts` are the district's own acts, each played when the clock reaches its moment (before the first
    request received after it); each returns a line for `progress`."""
    rng = random.Random(seed)  # noqa: S311 - a repeatable demo, not security
    cast = _cast()
    principal_schools = (
        frozenset(schools_for(cast.principal).values_list("pk", flat=True))
        if cast.principal is not None
        else frozenset()
    )
    student_ids = list(Student.objects.order_by("pk").values_list("pk", flat=True))
    if not student_ids:
        raise LookupError("the demo roster has no students")
    scenarios = [s for s in SCENARIOS if s.kind in cast.agencies]
    weights = [s.weight for s in scenarios]
    start = end - dt.timedelta(days=365)
    moments = sorted(start + dt.timedelta(seconds=rng.uniform(0, 365 * 86400)) for _ in range(requests))
    pending_acts = sorted(acts, key=lambda act: act[0])
    tally: Counter[str] = Counter()
    # School staff record what they disclosed for students of their own school; the records office for
    # students of a school with no one placed at it.
    school_staff = [
        (user, frozenset(schools_for(user).values_list("pk", flat=True)))
        for user in User.objects.filter(role__in=(Role.PRINCIPAL, Role.SCHOOL_STAFF)).order_by("pk")
    ]
    with time_machine.travel(moments[0] if moments else start, tick=False) as traveller:

        def act_until(moment: dt.datetime) -> None:
            while pending_acts and pending_acts[0][0] <= moment:
                at, act = pending_acts.pop(0)
                traveller.move_to(at)
                progress(f"  {act()}")

        for number, moment in enumerate(moments, start=1):
            act_until(moment)
            traveller.move_to(moment)
            scenario = rng.choices(scenarios, weights)[0]
            if scenario.bulk:
                count = rng.randint(*scenario.bulk)
            else:
                count = 1 if rng.random() < 0.85 else rng.randint(2, 4)
            students = list(Student.objects.filter(pk__in=rng.sample(student_ids, count)))
            document = _document(scenario, students, moment, rng)
            agency = cast.agencies[scenario.kind]
            office = rng.random() < 0.25
            request = services.request_submit(
                agency=agency,
                document=document,
                channel=rng.choice(["fax", "email", "mail", "in_person"]) if office else "api",
                entered_by=cast.clerk if office else None,
                received_at=moment if office else None,
            ).request
            tally[f"kind:{scenario.kind}"] += 1
            if scenario.bulk:
                tally["bulk"] += 1
            # The records office resolves students it could not match: within the hour in an emergency,
            # else the next business morning.
            matched_at = moment + dt.timedelta(
                hours=rng.uniform(0.2, 1.5) if scenario.emergency else rng.uniform(2, 20)
            )
            traveller.move_to(matched_at)
            for rs in request.students.filter(student__isnull=True):
                candidates = rs.candidates or [rng.choice(student_ids)]
                services.student_match_resolve(
                    request_student_id=rs.pk, student_id=candidates[0], resolved_by=cast.clerk
                )
            fate = ""
            if scenario.emergency:
                # Under version 2 an emergency waits for the district's call back (determine_emergency);
                # the superintendent looks at the other records the same afternoon. Whichever comes first.
                fate = _emergency_fate(rng)
                determine_at = matched_at + dt.timedelta(hours=rng.uniform(0.2, 4.5))
                decide_at = moment + dt.timedelta(hours=rng.uniform(4.8, 7.2))
                for at, step in sorted([(determine_at, "determine"), (decide_at, "decide")]):
                    traveller.move_to(at)
                    if step == "decide":
                        _decide_pending(request, cast, rng)
                    elif fate != LEFT:
                        determined = _determine(
                            request, cast, found=fate == FOUND, principal_schools=principal_schools
                        )
                        tally[f"determined:{fate}"] += determined
                # A finding of no threat sends the records waiting on it back to the superintendent.
                last = max(determine_at, decide_at)
                if Item.objects.filter(request=request, state=ItemState.PENDING_REVIEW).exists():
                    last += dt.timedelta(hours=rng.uniform(0.2, 0.6))
                    traveller.move_to(last)
                    _decide_pending(request, cast, rng)
                traveller.move_to(last + dt.timedelta(hours=rng.uniform(0.1, 0.4)))
            else:
                # Reviewers decide within their deadline, mostly.
                traveller.move_to(moment + dt.timedelta(days=rng.uniform(0.2, 9)))
                _decide_pending(request, cast, rng)
            # Letters to families without email are printed and mailed; email goes out on commit.
            for notice in FamilyNotice.objects.filter(request=request, state=NoticeState.QUEUED):
                notice_mark_mailed(notice_id=notice.pk, marked_by=cast.clerk)
            request.refresh_from_db()
            if fate == LEFT and request.state == RequestState.AWAITING_DETERMINATION:
                # Nobody reached the requester before the emergency ended. The records office opens the
                # request the next morning to release it: the check at release sends the records that
                # waited for the emergency back to review, where the emergency is no longer a basis.
                traveller.move_to(
                    request.emergency_ends_at + dt.timedelta(hours=rng.uniform(10, 16))
                    if request.emergency_ends_at
                    else moment + DAY
                )
                try:
                    packet_release(request_id=request.pk, released_by=cast.clerk)
                    tally["released"] += 1
                except ServiceError:
                    pass
                tally["emergency_ended"] += 1
                traveller.move_to(timezone.now() + dt.timedelta(hours=rng.uniform(1, 6)))
                _decide_pending(request, cast, rng)
                request.refresh_from_db()
            if request.state == RequestState.AWAITING_NOTICE:
                traveller.move_to(
                    moment + dt.timedelta(days=settings.ADVANCE_NOTICE_DAYS + rng.uniform(1, 4))
                )
            if request.state in (RequestState.READY, RequestState.AWAITING_NOTICE):
                try:
                    packet_release(request_id=request.pk, released_by=cast.clerk)
                    tally["released"] += 1
                except ServiceError:
                    tally["held"] += 1
            request.refresh_from_db()
            tally[f"state:{request.state}"] += 1
            # Now and then a school records an emergency disclosure or a 51A report after the fact.
            if rng.random() < 0.03:
                when = moment + dt.timedelta(hours=1)
                traveller.move_to(when + dt.timedelta(hours=rng.uniform(1, 40)))
                emergency = rng.random() < 0.6
                student = rng.choice(students)
                recorders = [user for user, schools in school_staff if student.school_id in schools]
                after_the_fact_record(
                    student=student,
                    kind="emergency" if emergency else "abuse_report",
                    disclosed_at=when,
                    recipient_name="Officer on duty" if emergency else "DCF intake worker",
                    recipient_position="Patrol officer" if emergency else "Intake screener",
                    recipient_affiliation=cast.agencies.get("municipal_police", agency).name
                    if emergency
                    else cast.agencies.get("child_protective_services", agency).name,
                    recipient_kind="municipal_police" if emergency else "child_protective_services",
                    categories=["contact", "health"] if emergency else ["contact", "attendance"],
                    details="Student in medical distress; parents unreachable"
                    if emergency
                    else "Suspected neglect observed by a teacher",
                    recorded_by=rng.choice(recorders or [cast.clerk]),
                )
                tally["after_the_fact"] += 1
            if number % 250 == 0:
                progress(f"  {number} of {requests} simulated requests")
        act_until(end)
    return tally
