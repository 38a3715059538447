"""Reads about requests that depend on who is asking. Views and API handlers use only these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from brightline.accounts.models import Role, User
from brightline.agencies.models import Agency
from brightline.casework import triage as triage_bridge
from brightline.casework.models import (
    REQUESTER_ITEM_STATES,
    DeadlineChange,
    InternalNote,
    Item,
    ItemState,
    MatchState,
    Message,
    Preservation,
    Reconsideration,
    Request,
    RequestState,
    RequestStudent,
    disposition_for,
    request_state_for,
)
from brightline.errors import NotFound
from brightline.policy.replay import PastItem, PastRequest, Triaged
from brightline.roster.models import Student

# Staff who work or audit casework see every request; school staff see none through these selectors.
CASEWORK_ROLES = frozenset(
    {Role.RECORDS_CLERK, Role.SUPERINTENDENT, Role.LEGAL_ADVISOR, Role.AUDITOR, Role.ADMIN}
)
# What a requester is shown of the obligations: only what it must do or will receive (CONTRACTS.md).
# Every other obligation is the district's own duty (a flag, a notice to counsel, a sealed entry ...).
REQUESTER_OBLIGATIONS = frozenset({"redisclosure_notice"})
NO_RECORDS_RELEASED = "No records released."
REQUESTER_GENERIC_EXPLANATIONS = {
    ItemState.PENDING_REVIEW: "The district is reviewing this part of the request.",
    ItemState.REFUSED: NO_RECORDS_RELEASED,
    ItemState.DENIED: NO_RECORDS_RELEASED,
}
REQUESTER_RELEASE_EXPLANATION = "The district's policy allows these records to be released."
OPEN_STATES = (
    RequestState.AWAITING_MATCH,
    RequestState.IN_REVIEW,
    RequestState.AWAITING_NOTICE,
    RequestState.READY,
)


def _with_items(queryset: QuerySet[Request]) -> QuerySet[Request]:
    return queryset.prefetch_related(
        Prefetch(
            "items",
            queryset=Item.objects.select_related("request_student__student")
            .prefetch_related("decisions")
            .order_by("position"),
        ),
        Prefetch("students", queryset=RequestStudent.objects.select_related("student").order_by("position")),
        "packets",
        "documents",
    )


def requests_visible_to(*, user: User | None = None, agency: Agency | None = None) -> QuerySet[Request]:
    """An agency sees its own requests only; casework staff see all; anyone else sees none."""
    if agency is not None:
        return Request.objects.filter(agency=agency)
    if user is not None and user.is_authenticated and user.role in CASEWORK_ROLES:
        return Request.objects.all()
    return Request.objects.none()


def request_get(*, request_id: Any, user: User | None = None, agency: Agency | None = None) -> Request:
    """One request as its viewer may see it. Another agency's request is 'not found', like a missing one."""
    try:
        found = _with_items(requests_visible_to(user=user, agency=agency)).filter(pk=request_id).first()
    except (ValueError, TypeError):
        found = None
    except Exception as error:  # a malformed UUID raises ValidationError from the field
        if error.__class__.__name__ != "ValidationError":
            raise
        found = None
    if found is None:
        raise NotFound("no such request")
    return found


def requests_list(
    *, user: User | None = None, agency: Agency | None = None, state: str | None = None
) -> QuerySet[Request] | list[Request]:
    """Requests newest first. An agency filters on the state it is shown of its requests: filtering on
    the district's own state would sort a student nobody identified apart from an enrolled one."""
    queryset = _with_items(requests_visible_to(user=user, agency=agency).order_by("-received_at"))
    if state and agency is not None:
        return [request for request in queryset if requester_request_state(request) == state]
    if state:
        return queryset.filter(state=state)
    return queryset


def requests_with_students_to_identify(*, user: User) -> QuerySet[Request]:
    """Requests naming a student the roster did not match by itself and the office has not closed,
    whatever the request's own state: a student refused by a rule that holds whoever they are still
    waits for the office's answer (its closure), as an enrolled one waits for "Answers to send"."""
    # A subquery on the (indexed, rarely unmatched) match state, not a join made DISTINCT over every
    # request the district ever received.
    return _with_items(
        requests_visible_to(user=user)
        .filter(pk__in=_students_to_identify().values("request_id"))
        .order_by("-received_at")
    )


def _students_to_identify() -> QuerySet[RequestStudent]:
    return RequestStudent.objects.filter(match_state__in=(MatchState.NO_MATCH, MatchState.AMBIGUOUS))


def review_queue(*, user: User) -> QuerySet[Item]:
    """Items waiting for this reviewer's role, oldest deadline first; never their own entries."""
    if user.role not in (Role.SUPERINTENDENT, Role.LEGAL_ADVISOR):
        return Item.objects.none()
    return (
        Item.objects.filter(state=ItemState.PENDING_REVIEW, reviewer=user.role)
        .exclude(request__entered_by=user)
        .select_related("request", "request_student__student")
        .order_by("request__decision_due_at", "request_id", "position")
    )


# Undecided: exactly the condition of the partial index `request_undecided_due_idx` (the undecided
# requests in deadline order), so that the overdue and due lists and the review queue read it alone.
UNDECIDED = Q(state__in=[RequestState.AWAITING_MATCH, RequestState.IN_REVIEW])
# Undecided with the clock running (a clock stopped for the requester's answer is not overdue).
CLOCK_RUNNING = UNDECIDED & Q(clock_paused_at__isnull=True)


def _clock_running(*, user: User) -> QuerySet[Request]:
    return requests_visible_to(user=user).filter(CLOCK_RUNNING)


def review_queue_rows(*, user: User, requests: list[Request]) -> list[Item]:
    """The items of these requests (a page of `review_queue_requests`) waiting for this reviewer, in
    request and position order, with only what a row of the queue shows: the item's category and
    explanation, its student's name and SIS id (no JSON of the triage, no request read again per item)."""
    if user.role not in (Role.SUPERINTENDENT, Role.LEGAL_ADVISOR) or not requests:
        return []
    return list(
        Item.objects.filter(
            state=ItemState.PENDING_REVIEW,
            reviewer=user.role,
            request_id__in=[found.pk for found in requests],
        )
        .select_related("request_student__student")
        .only(
            "id",
            "request_id",
            "request_student_id",
            "position",
            "category",
            "explanation",
            "request_student__id",
            "request_student__position",
            "request_student__student__id",
            "request_student__student__first_name",
            "request_student__student__last_name",
            "request_student__student__sis_id",
        )
        .order_by("request_id", "position")
    )


def requests_overdue(*, user: User, now: dt.datetime | None = None) -> QuerySet[Request]:
    """Undecided requests past their deadline, the clock running (a clock stopped for the requester's
    answer is not overdue), oldest deadline first, with their items."""
    return _with_items(overdue_rows(user=user, now=now))


def overdue_rows(*, user: User, now: dt.datetime | None = None) -> QuerySet[Request]:
    """`requests_overdue` as the rows of a list (the request's own columns, nothing prefetched)."""
    now = now or timezone.now()
    return _clock_running(user=user).filter(decision_due_at__lt=now).order_by("decision_due_at", "id")


def requests_due(*, user: User, within: dt.timedelta, now: dt.datetime | None = None) -> QuerySet[Request]:
    now = now or timezone.now()
    return (
        _clock_running(user=user)
        .filter(decision_due_at__gte=now, decision_due_at__lt=now + within)
        .order_by("decision_due_at", "id")
    )


def office_dashboard(*, user: User, due_within: dt.timedelta, rows: int) -> dict[str, Any]:
    """The records office's dashboard lists, the first `rows` of each (the whole of each is a search):
    each row the request's own columns (the dashboard shows no item), each list read through its own
    index, and the emergencies and answers still owed. A fixed number of statements."""
    now = timezone.now()
    visible = requests_visible_to(user=user)
    return {
        "overdue": list(overdue_rows(user=user, now=now)[:rows]),
        "due": list(requests_due(user=user, within=due_within, now=now)[:rows]),
        "awaiting_match": list(
            visible.filter(pk__in=_students_to_identify().values("request_id")).order_by(
                "-received_at", "id"
            )[:rows]
        ),
        "ready": list(visible.filter(state=RequestState.READY).order_by("-received_at", "id")[:rows]),
        "recent": list(visible.order_by("-received_at", "id")[:rows]),
        "emergencies": emergencies_waiting_for(user=user),
        "answers": answers_to_send(user=user, limit=rows),
    }


def request_representation(
    request: Request,
    *,
    for_agency: bool,
    students: list[RequestStudent] | None = None,
    items: list[Item] | None = None,
) -> dict[str, Any]:
    """The API shape of CONTRACTS.md: the request with every item's triage and state.

    `students` and `items` (in position order, each item with its `request_student`) are those of a
    request just stored by `request_submit`, which has neither documents nor packets yet: given them,
    nothing is read again."""
    fresh = students is not None and items is not None
    if students is None:
        students = list(request.students.all())
    if items is None:
        items = list(request.items.all())
    if for_agency:
        policy = triage_bridge.policy_for_request(request.policy_sha256)
        shown = [requester_item(item, policy=policy) for item in items]
        states = [item["state"] for item in shown]
        # The state and disposition the requester's items imply; the students as the requester named them.
        return _representation(
            request,
            state=str(request_state_for(states)),
            disposition=str(disposition_for(states)),
            students=[{"position": rs.position, "named": rs.named} for rs in students],
            items=shown,
            fresh=fresh,
        )
    return _representation(
        request,
        state=request.state,
        disposition=request.disposition,
        students=[
            {
                "position": rs.position,
                "named": rs.named,
                "match_state": rs.match_state,
                "request_student_id": rs.pk,
                "candidates": rs.candidates,
            }
            for rs in students
        ],
        items=[_staff_item(item) for item in items],
        fresh=fresh,
    )


def _staff_item(item: Item) -> dict[str, Any]:
    """One item as district staff see it: the triage whole, the district's student id."""
    rs = item.request_student
    return {
        "id": item.pk,
        "student_id": (rs.student.sis_id if rs.student is not None else None) or rs.named.get("student_id"),
        "student_position": rs.position,
        "category": item.category,
        "outcome": item.outcome or None,
        "reviewer": item.reviewer or None,
        "rules": item.rules,
        "obligations": item.obligations,
        "explanation": item.explanation,
        "state": item.state,
    }


def _representation(
    request: Request,
    *,
    state: str,
    disposition: str,
    students: list[dict[str, Any]],
    items: list[dict[str, Any]],
    fresh: bool,
) -> dict[str, Any]:
    """CONTRACTS.md's shape around the given view of the students and items. A request just stored
    (`fresh`) has neither documents nor packets: they are not read."""
    return {
        "id": str(request.pk),
        "reference": request.reference,
        "state": state,
        "disposition": disposition,
        "received_at": request.received_at,
        "decision_due_at": request.decision_due_at,
        "channel": request.channel,
        "requester": {
            "kind": request.requester_kind,
            "agency": request.agency_name,
            "name": request.requester_name,
            "position": request.requester_position,
        },
        "purpose": request.purpose,
        "policy": {
            "id": request.policy_id,
            "version": request.policy_version,
            "sha256": request.policy_sha256,
        },
        "students": students,
        "items": items,
        "documents": []
        if fresh
        else [
            {
                "id": doc.pk,
                "kind": doc.kind,
                "name": doc.original_name,
                "size": doc.size,
                "sha256": doc.sha256,
            }
            for doc in request.documents.all()
        ],
        "packets": []
        if fresh
        else [
            {
                "id": str(packet.pk),
                "released_at": packet.released_at,
                "content_sha256": packet.content_sha256,
                "acknowledgment_required": bool(packet.redisclosure_notice),
                "acknowledged_at": packet.acknowledged_at,
                "redisclosure_notice": packet.redisclosure_notice,
            }
            for packet in request.packets.all()
        ],
    }


def requester_item(item: Item, *, policy: Any) -> dict[str, Any]:
    """One item as its requester may see it: what was or will be released, never how the district got
    there. No match state (an unidentified student reads as in review, then refused), no rule that
    decides on a student's facts (opted out, adjudicated, in foster care ...), no explanation that
    names one, no reviewer, and only the obligations the requester must meet or will receive."""
    hidden_rules: frozenset[str] = policy.rules_reading_student_facts
    state = requester_item_state(item, hidden_rules=hidden_rules)
    if state == ItemState.REFUSED:
        # Nothing is released, so no condition applies. A denial (only an identified student reaches a
        # reviewer), a closure of a student nobody identified and a refusal on the student's facts read
        # "no records released" in the same words; a refusal by a rule that holds whoever the student
        # is names that rule, and only it.
        shown = (
            []
            if item.state in (ItemState.DENIED, ItemState.UNIDENTIFIED)
            else [rule for rule in item.rules if rule not in hidden_rules]
        )
        if not shown:
            return _requester_view(item, state, "refuse", [], [], NO_RECORDS_RELEASED)
        explanation = item.explanation
        if len(shown) < len(item.rules):
            explanation = policy.refusal_explanation(shown)
            note = item.request.emergency_note
            explanation = f"{note} {explanation}" if note else explanation
        return _requester_view(item, state, "refuse", shown, [], explanation)
    if state == ItemState.PENDING_REVIEW:
        # Whatever it waits for, and whoever the student is (or is not): the same words.
        # The note on an emergency the policy did not count is about the request, not the student.
        note = item.request.emergency_note
        waiting = REQUESTER_GENERIC_EXPLANATIONS[state]
        return _requester_view(item, state, "review", [], [], f"{note} {waiting}" if note else waiting)
    # Released: what was released and on what terms.
    rules = [rule for rule in item.rules if rule not in hidden_rules]
    outcome: str | None = item.outcome or None
    explanation = item.explanation if len(rules) == len(item.rules) else REQUESTER_RELEASE_EXPLANATION
    obligations = sorted(o for o in item.obligations if o in REQUESTER_OBLIGATIONS)
    return _requester_view(item, state, outcome, rules, obligations, explanation)


def answer_held(item: Item, *, hidden_rules: frozenset[str]) -> bool:
    """Whether the requester still reads this refused item as in review: the policy refused it at triage
    on the student's facts alone, and the records office has not yet sent the student's answer. Told at
    once, such a refusal would say that the student is enrolled (a student nobody identified reads "in
    review" until the office closes it)."""
    return _held(
        item.state, item.outcome, item.rules, item.request_student.answer_sent_at, hidden_rules=hidden_rules
    )


def _held(
    state: str, outcome: str, rules: list[str], answer_sent_at: Any, *, hidden_rules: frozenset[str]
) -> bool:
    return (
        state == ItemState.REFUSED
        and outcome == "refuse"
        and bool(rules)
        and all(rule in hidden_rules for rule in rules)
        and answer_sent_at is None
    )


def _requester_state(
    state: str, outcome: str, rules: list[str], answer_sent_at: Any, *, hidden_rules: frozenset[str]
) -> ItemState:
    if _held(state, outcome, rules, answer_sent_at, hidden_rules=hidden_rules):
        return ItemState.PENDING_REVIEW
    return REQUESTER_ITEM_STATES.get(ItemState(state), ItemState(state))


def requester_item_state(item: Item, *, hidden_rules: frozenset[str]) -> ItemState:
    """The item's state as its requester may see it (`item.request_student` loaded)."""
    return _requester_state(
        item.state, item.outcome, item.rules, item.request_student.answer_sent_at, hidden_rules=hidden_rules
    )


def requester_list_rows(requests: list[Request]) -> list[Request]:
    """A page of an agency's list as its rows show it: each request with `requester_state` (the state
    its requester is shown, from its items) and `release_count`. Two statements for the page, reading
    only the columns the states need (no item, decision or student built as an object)."""
    from django.db.models import Count

    ids = [found.pk for found in requests]
    facts: dict[Any, list[tuple[str, str, list[str], Any]]] = {pk: [] for pk in ids}
    for request_id, state, outcome, rules, answer_sent_at in (
        Item.objects.filter(request_id__in=ids)
        .order_by()
        .values_list("request_id", "state", "outcome", "rules", "request_student__answer_sent_at")
    ):
        facts[request_id].append((state, outcome, rules, answer_sent_at))
    releases = dict(
        Request.objects.filter(pk__in=ids, packets__isnull=False)
        .order_by()
        .values("pk")
        .annotate(count=Count("packets"))
        .values_list("pk", "count")
    )
    for found in requests:
        hidden: frozenset[str] = triage_bridge.policy_for_request(
            found.policy_sha256
        ).rules_reading_student_facts
        states = [str(_requester_state(*row, hidden_rules=hidden)) for row in facts[found.pk]]
        # Attributes of the list's rows for its template, not model fields.
        found.requester_state = request_state_for(states)  # type: ignore[attr-defined]
        found.release_count = releases.get(found.pk, 0)  # type: ignore[attr-defined]
    return requests


def requester_state_of(request: Request, items: list[Item]) -> RequestState:
    """The request's state as its requester may see it, from its items (each with `request_student`)."""
    policy = triage_bridge.policy_for_request(request.policy_sha256)
    hidden: frozenset[str] = policy.rules_reading_student_facts
    return request_state_for([str(requester_item_state(item, hidden_rules=hidden)) for item in items])


def _requester_view(
    item: Item,
    state: ItemState,
    outcome: str | None,
    rules: list[str],
    obligations: list[str],
    explanation: str,
) -> dict[str, Any]:
    return {
        "id": item.pk,
        "student_id": item.request_student.named.get("student_id"),
        "student_position": item.request_student.position,
        "category": item.category,
        "outcome": outcome,
        "reviewer": None,
        "rules": rules,
        "obligations": obligations,
        "explanation": explanation,
        "state": str(state),
    }


def requester_request_state(request: Request) -> RequestState:
    """The request's state as its requester may see it (items and their students prefetched): no match
    state, no refusal on a student's facts before its answer is sent."""
    return requester_state_of(request, list(request.items.all()))


# -- emergencies waiting for the district's determination (rule R1) -----------------------------------

DETERMINATION_OPEN_STATES = (ItemState.AWAITING_DETERMINATION, ItemState.PENDING_REVIEW)


def _waiting_students(queryset: QuerySet[RequestStudent]) -> list[RequestStudent]:
    """Named students with an item that carries `determine_emergency`, still open, and no determination
    (requests stating an emergency are few: the obligation is checked on their items here)."""
    # The requests stating an emergency through their own (partial) index, each student's open item
    # as an EXISTS: no join made DISTINCT over the students of every request.
    stating = Request.objects.filter(emergency_threat__gt="").values("pk")
    open_item = Item.objects.filter(request_student=OuterRef("pk"), state__in=DETERMINATION_OPEN_STATES)
    candidates = (
        queryset.filter(determination__isnull=True, student__isnull=False, request_id__in=stating)
        .filter(Exists(open_item))
        .select_related("request", "student__school")
        .prefetch_related("items")
        .order_by("request__received_at", "position")
    )
    return [
        rs
        for rs in candidates
        if any(
            item.has_obligation("determine_emergency") and item.state in DETERMINATION_OPEN_STATES
            for item in rs.items.all()
        )
    ]


def _waiting_entry(rs: RequestStudent) -> dict[str, Any]:
    items = [
        item
        for item in rs.items.all()
        if item.has_obligation("determine_emergency") and item.state in DETERMINATION_OPEN_STATES
    ]
    return {"request": rs.request, "request_student": rs, "student": rs.student, "items": items}


def emergencies_to_determine(*, request: Request) -> list[dict[str, Any]]:
    """The students of this request whose emergency waits for a determination (records office page)."""
    return [_waiting_entry(rs) for rs in _waiting_students(RequestStudent.objects.filter(request=request))]


def emergencies_waiting_for(*, user: User) -> list[dict[str, Any]]:
    """Every emergency this person may determine: all of them for the records office, the students of
    their own schools for a principal, none for anyone else."""
    from brightline.incidents.selectors import schools_for

    if user.role in (Role.RECORDS_CLERK, Role.ADMIN):
        queryset = RequestStudent.objects.all()
    elif user.role == Role.PRINCIPAL:
        queryset = RequestStudent.objects.filter(student__school__in=schools_for(user))
    else:
        return []
    return [_waiting_entry(rs) for rs in _waiting_students(queryset)[:200]]


def emergency_to_determine(*, user: User, request_id: Any, request_student_id: int) -> dict[str, Any]:
    """One student's emergency as the person who may determine it sees it; otherwise not found."""
    for entry in emergencies_waiting_for_student(user=user, request_student_id=request_student_id):
        if str(entry["request"].pk) == str(request_id):
            return entry
    raise NotFound("no emergency waits for your determination here")


def emergencies_waiting_for_student(*, user: User, request_student_id: int) -> list[dict[str, Any]]:
    from brightline.incidents.selectors import schools_for

    queryset = RequestStudent.objects.filter(pk=request_student_id)
    if user.role == Role.PRINCIPAL:
        queryset = queryset.filter(student__school__in=schools_for(user))
    elif user.role not in (Role.RECORDS_CLERK, Role.ADMIN):
        return []
    return [_waiting_entry(rs) for rs in _waiting_students(queryset)]


# -- answers the records office sends (a refusal on a student's facts) -------------------------------


# Far longer than the closing day (`UNIDENTIFIED_CLOSE_DAYS` business days after the deadline), so that
# a daily job that did not run for weeks still leaves its answers in the office's list.
ANSWERS_WINDOW = dt.timedelta(days=120)


def _rules_reading_student_facts_anywhere() -> list[str]:
    """The rules reading a student's facts under any policy a request can have been triaged under: the
    versions that took effect (effective, or superseded since) and the shipped default
    (`triage.policy_in_effect`). A few rows; each text is parsed once per process."""
    from brightline.policy.engine import default_policy
    from brightline.policy.models import Version, VersionStatus

    versions = set(
        Version.objects.filter(status__in=(VersionStatus.EFFECTIVE, VersionStatus.SUPERSEDED))
        .order_by()
        .values_list("sha256", flat=True)
    )
    versions.add(default_policy().sha256)
    return sorted(
        {
            rule
            for sha256 in versions
            for rule in triage_bridge.policy_for_request(sha256).rules_reading_student_facts
        }
    )


def answers_to_send(
    *, user: User, request: Request | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """Students whose refused records the requester still reads as in review (`answer_held`), oldest
    request first (the first `limit` of them): each with its request, student and held items. Casework
    staff only."""
    if user.role not in CASEWORK_ROLES:
        return []
    refused = Item.objects.filter(state=ItemState.REFUSED, outcome="refuse")
    if request is not None:
        requests = Request.objects.filter(pk=request.pk)
    else:
        # The daily `remind_deadlines` sends every held answer `UNIDENTIFIED_CLOSE_DAYS` business days
        # after the deadline (unless the clock is stopped): none is older than that, so the office's
        # list reads the recent requests only (the deadline and the paused clock are indexed, one
        # bitmap each), not ten years of refusals.
        cutoff = timezone.now() - ANSWERS_WINDOW
        requests = Request.objects.filter(Q(decision_due_at__gte=cutoff) | Q(clock_paused_at__isnull=False))
    # A held answer rests on rules that all read the student's facts, so its first rule is one of them:
    # the refusals by any other rule (most of them) are left in the database.
    hidden_anywhere = _rules_reading_student_facts_anywhere()
    if not hidden_anywhere:
        return []
    held = refused.filter(request_id__in=requests.values("pk"), rules__0__in=hidden_anywhere)
    queryset = (
        RequestStudent.objects.filter(
            match_state=MatchState.MATCHED,
            answer_sent_at__isnull=True,
            pk__in=held.values("request_student_id"),
        )
        .select_related("request", "student")
        .prefetch_related(Prefetch("items", queryset=refused.order_by("position"), to_attr="refusals"))
        .order_by("request__received_at", "position")
    )
    found = []
    for rs in queryset:
        hidden: frozenset[str] = triage_bridge.policy_for_request(
            rs.request.policy_sha256
        ).rules_reading_student_facts
        items = [item for item in rs.refusals if answer_held(item, hidden_rules=hidden)]
        if items:
            found.append(
                {"request": rs.request, "request_student": rs, "student": rs.student, "items": items}
            )
            if limit is not None and len(found) >= limit:
                break
    return found


# -- past requests as they were triaged, for "what would change" -------------------------------------


def past_requests_as_triaged(*, since: dt.datetime, until: dt.datetime) -> Iterator[PastRequest]:
    """The requests received in [since, until] with a matched student, oldest first, each rebuilt exactly
    as casework triaged it (`triage.build_case`): the stored request document, each matched student's
    stored facts, `now` = the moment it was received, and each triaged item's stored triage.

    Registered with the policy's replay at start-up (`apps.CaseworkConfig.ready`); policy checks who asks
    (`policy.selectors.what_would_change`). Students never matched have no triage to compare."""
    requests = (
        Request.objects.filter(received_at__gte=since, received_at__lte=until)
        .order_by("received_at", "pk")
        .prefetch_related("students", "items")
    )
    for request in requests.iterator(chunk_size=200):
        matched = [rs for rs in request.students.all() if rs.facts]
        if not matched:
            continue
        # As casework triaged them: students named by a district id apart from students named by name and
        # birth date, and the number of students the whole request named (rule B).
        groups: dict[str, dict[str, dict[str, Any]]] = {}
        by_student: dict[int, tuple[str, str]] = {}
        for rs in matched:
            facts: dict[str, Any] = rs.facts or {}
            how = triage_bridge.identified_by(rs.named)
            groups.setdefault(how, {}).setdefault(facts["student_id"], facts)
            by_student[rs.pk] = (how, facts["student_id"])
        items = []
        for item in request.items.all():
            named_as = by_student.get(item.request_student_id)
            if named_as is None or not item.outcome:
                continue
            # The policy's reviewer, not one casework named later (an emergency that ended or was not
            # found sends a released item to the superintendent without changing its triage).
            reviewer = (item.reviewer or None) if item.outcome == "review" else None
            triaged = Triaged(item.outcome, reviewer, tuple(item.rules), tuple(sorted(item.obligations)))
            how, student_id = named_as
            items.append(
                PastItem(
                    item_id=item.pk,
                    identified_by=how,
                    student_id=student_id,
                    category=item.category,
                    triaged=triaged,
                )
            )
        yield PastRequest(
            request_id=str(request.pk),
            reference=request.reference,
            received_at=request.received_at,
            cases={
                how: triage_bridge.build_case(
                    request.document, list(facts.values()), request.received_at, identified_by=how
                )
                for how, facts in groups.items()
            },
            students_named=triage_bridge.students_named(request.document),
            items=tuple(items),
        )


# -- the conversation on a request, its deadline, its owner ----------------------------------------------


def messages_of(request: Request) -> list[Message]:
    """The messages on a request, oldest first: the requester and the office read the same ones (the
    request was found through `request_get`, which checks who may see it)."""
    return list(Message.objects.filter(request=request).order_by("sent_at", "pk"))


def deadline_changes_of(request: Request) -> list[DeadlineChange]:
    """Extensions (reason, new date), pauses and resumptions of the clock: the requester reads them all."""
    return list(DeadlineChange.objects.filter(request=request).order_by("changed_at", "pk"))


def internal_notes_of(*, request: Request, user: User) -> list[InternalNote]:
    """Staff's internal notes: casework staff only, never a requester (no agency argument exists)."""
    if not (user.is_authenticated and user.role in CASEWORK_ROLES):
        return []
    return list(
        InternalNote.objects.filter(request=request).select_related("author").order_by("written_at", "pk")
    )


def request_owners(*, user: User) -> list[User]:
    """Who may own a request (for the office's choice)."""
    if not (user.is_authenticated and user.role in CASEWORK_ROLES):
        return []
    return list(
        User.objects.filter(
            is_active=True,
            role__in=(Role.RECORDS_CLERK, Role.SUPERINTENDENT, Role.LEGAL_ADVISOR, Role.ADMIN),
        ).order_by("last_name", "first_name", "username")
    )


def requests_mine(*, user: User) -> QuerySet[Request]:
    """Open requests this person owns, oldest deadline first."""
    return (
        requests_visible_to(user=user)
        .filter(owner=user)
        .exclude(state__in=(RequestState.RELEASED, RequestState.CLOSED))
        .order_by("decision_due_at")
    )


def business_days_overdue(request: Request, *, calendar: Any, today: dt.date) -> int:
    """Business days past the decision deadline, counted as the calendar counts them."""
    from brightline.casework.calendar import district_zone

    due_day = timezone.localtime(request.decision_due_at, district_zone()).date()
    return int(calendar.business_days_between(due_day, today))


# -- finding requests (staff) ------------------------------------------------------------------------------


# The roster students a search by student names as values at most (more are kept as a subquery).
ROSTER_NAMED = 500
SEARCH_FIELDS = ("q", "student", "agency", "state", "outcome", "received_from", "received_to", "owner")


def requests_search(
    *,
    user: User,
    q: str = "",
    student: str = "",
    agency: str = "",
    state: str = "",
    outcome: str = "",
    received_from: dt.date | None = None,
    received_to: dt.date | None = None,
    owner: str = "",
    overdue: bool = False,
) -> QuerySet[Request]:
    """Staff's search over requests, newest first: by reference (`q`, or part of it), student (name as
    named or as matched, or the SIS id), agency (part of its name), state, outcome (the disposition),
    the dates received (the district's days, inclusive) and owner (`me`, `none` or a user id)."""
    from brightline.casework.calendar import district_zone, end_of_day

    found = requests_visible_to(user=user)
    if q.strip():
        found = found.filter(reference__icontains=q.strip())
    if student.strip():
        # Matched students through the roster (a small table, then the indexed student column); the
        # students not matched (few: the match state is indexed) by how the requester named them.
        words = student.strip().split()
        roster = Student.objects.all()
        # "Not matched" as the states it stands for, so that the match state's index serves it.
        named = Q(match_state__in=[state for state in MatchState.values if state != MatchState.MATCHED])
        for word in words:
            roster = roster.filter(
                Q(sis_id__iexact=word) | Q(first_name__icontains=word) | Q(last_name__icontains=word)
            )
            named &= (
                Q(named__student_id=word)
                | Q(named__first_name__icontains=word)
                | Q(named__last_name__icontains=word)
            )
        # The roster students first (a few, named as values: the database then knows how many requests
        # name them), then one subquery over the named students, each side of the OR on its own index
        # (a bitmap each), not two IN tests OR-ed over every request of ten years. A word that matches
        # too many roster students to name is kept as a subquery.
        students: Any = list(roster.order_by().values_list("pk", flat=True)[: ROSTER_NAMED + 1])
        if len(students) > ROSTER_NAMED:
            students = roster.order_by().values("pk")
        matching = RequestStudent.objects.filter(Q(student_id__in=students) | named).order_by()
        found = found.filter(pk__in=matching.values("request_id"))
    if agency.strip():
        found = found.filter(agency_name__icontains=agency.strip())
    if state:
        found = found.filter(state=state)
    if outcome:
        found = found.filter(disposition=outcome)
    zone = district_zone()
    if received_from is not None:
        found = found.filter(received_at__gte=dt.datetime.combine(received_from, dt.time(0, 0), tzinfo=zone))
    if received_to is not None:
        found = found.filter(received_at__lte=end_of_day(received_to))
    if owner == "me":
        found = found.filter(owner=user)
    elif owner == "none":
        found = found.filter(owner__isnull=True)
    elif owner.isdigit():
        found = found.filter(owner_id=int(owner))
    if overdue:
        # As `requests_overdue`: undecided, past the deadline, the clock running; oldest deadline first.
        return found.filter(
            state__in=(RequestState.AWAITING_MATCH, RequestState.IN_REVIEW),
            decision_due_at__lt=timezone.now(),
            clock_paused_at__isnull=True,
        ).order_by("decision_due_at", "pk")
    return found.order_by("-received_at", "pk")


def requests_page_for_agency(*, agency: Agency, state: str = "", q: str = "") -> QuerySet[Request]:
    """An agency's own requests, newest first, to be paginated. Filtering on the state it is shown
    needs each request's items: the caller filters the page through `requester_request_state`."""
    found = Request.objects.filter(agency=agency)
    if q.strip():
        found = found.filter(reference__icontains=q.strip())
    return found.order_by("-received_at", "pk")


def with_items(queryset: QuerySet[Request]) -> QuerySet[Request]:
    """Requests with what a row of a staff list shows read with them: the owner, and the named students
    with their roster student (the page logs each student shown). A list shows no item, decision,
    packet or document: reading them for every row cost more than the rest of the page."""
    return queryset.select_related("owner").prefetch_related(
        Prefetch("students", queryset=RequestStudent.objects.select_related("student").order_by("position"))
    )


# -- reconsideration ---------------------------------------------------------------------------------------


def reconsiderations_of(request: Request) -> list[Reconsideration]:
    """A request's reconsiderations, oldest first: the requester reads them whole (its reason, counsel's
    outcome and reason), never who in the district decided."""
    return list(Reconsideration.objects.filter(request=request).order_by("asked_at", "pk"))


def reconsiderations_waiting(*, user: User) -> QuerySet[Reconsideration]:
    """Reconsiderations counsel has not decided, oldest first (counsel only)."""
    if user.role != Role.LEGAL_ADVISOR:
        return Reconsideration.objects.none()
    return (
        Reconsideration.objects.filter(outcome="pending").select_related("request").order_by("asked_at", "pk")
    )


def reconsideration_get(*, user: User, reconsideration_id: int) -> Reconsideration:
    if not (user.is_authenticated and user.role in CASEWORK_ROLES):
        raise NotFound("no such reconsideration")
    found = Reconsideration.objects.select_related("request").filter(pk=reconsideration_id).first()
    if found is None:
        raise NotFound("no such reconsideration")
    return found


def items_cleared(*, request: Request) -> list[Item]:
    """The items a release would take now, as they stand (the release checks its gates again)."""
    return list(
        request.items.filter(state=ItemState.CLEARED)
        .select_related("request", "request_student__student__school")
        .order_by("position")
    )


# -- preservation ------------------------------------------------------------------------------------------


def preservations_of(*, agency: Agency) -> QuerySet[Preservation]:
    """An agency's own preservation requests, newest first (never which students matched)."""
    return Preservation.objects.filter(agency=agency).order_by("-received_at")


def preservations_in_force(*, user: User) -> QuerySet[Preservation]:
    """Holds in force, the soonest to end first: the records office and counsel only."""
    if not (user.is_authenticated and user.role in CASEWORK_ROLES):
        return Preservation.objects.none()
    return Preservation.objects.filter(state="active").order_by("expires_at")


def preservation_holds_on(*, student_id: int) -> list[Preservation]:
    """Holds in force on a roster student: what must not be deleted while they last (holds in force
    are few; JSON containment is not portable to SQLite)."""
    return [
        hold
        for hold in Preservation.objects.filter(state="active").order_by("expires_at")
        if student_id in hold.matched_students
    ]


def review_queue_requests(*, user: User) -> QuerySet[Request]:
    """The requests holding items of this reviewer's queue, oldest deadline first (to be paginated;
    each page's items come from `review_queue` filtered to the page's requests)."""
    if user.role not in (Role.SUPERINTENDENT, Role.LEGAL_ADVISOR):
        return Request.objects.none()
    # As `review_queue`, its requests read from the (state, reviewer) index of the items and the
    # request's own author left out once, not joined back for every waiting item. A request with an
    # item waiting for review is undecided (`request_state_for`): saying so lets the database walk the
    # undecided requests' deadline index, not ten years of deadlines.
    waiting = Item.objects.filter(state=ItemState.PENDING_REVIEW, reviewer=user.role).values("request_id")
    return (
        Request.objects.filter(UNDECIDED, pk__in=waiting)
        .exclude(entered_by=user)
        .order_by("decision_due_at", "id")
    )
