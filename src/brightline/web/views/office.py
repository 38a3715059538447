"""The records office: requests received off the portal, student matching, deadlines, agencies,
releases and the letters that go by post."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from brightline.accounts.services import staff_accesses_record
from brightline.agencies.services import agency_verify
from brightline.casework import selectors as casework_selectors
from brightline.casework import services as casework_services
from brightline.casework.documents import document_attach
from brightline.casework.models import MatchState, Request, RequestState
from brightline.casework.services import request_submit, student_match_resolve
from brightline.disclosures.services import packet_release
from brightline.errors import Conflict, InvalidInput, NotAllowed
from brightline.notices import selectors as notices_selectors
from brightline.notices import views as notices_views
from brightline.notices.services import notice_mark_mailed
from brightline.roster.selectors import students_matching
from brightline.ui import (
    EMERGENCY_DETERMINERS,
    RECORDS_OFFICE,
    PageRequest,
    add_service_errors,
    is_htmx,
    role_required,
    sentence,
)
from brightline.web import queries
from brightline.web.forms import (
    CloseUnidentifiedForm,
    EmergencyDeterminationForm,
    MatchForm,
    OffPortalRequestForm,
    StudentSearchForm,
)
from brightline.web.views.common import items_by_student, letter_response, named_student

DUE_SOON = dt.timedelta(days=3)
DASHBOARD_ROWS = 20


@role_required(RECORDS_OFFICE)
def office(request: PageRequest) -> HttpResponse:
    user = request.user
    context = {
        # The first of each list (the whole of each in "Find requests", a page at a time).
        **casework_selectors.office_dashboard(user=user, due_within=DUE_SOON, rows=DASHBOARD_ROWS),
        "letters": notices_selectors.letters_to_mail(user=user).count(),
        "unverified": queries.agencies_for_records_office(user=user).filter(verified=False).count(),
        "due_within_days": DUE_SOON.days,
    }
    return render(request, "web/office/dashboard.html", context)


@role_required(RECORDS_OFFICE)
@require_http_methods(["GET", "POST"])
def office_new(request: PageRequest) -> HttpResponse:
    agencies = [(agency.pk, agency.name) for agency in queries.agencies_for_records_office(user=request.user)]
    form = OffPortalRequestForm(
        request.POST or None,
        request.FILES or None,
        agencies=agencies,
        initial={"received_at": timezone.localtime().replace(second=0, microsecond=0)},
    )
    if request.method == "POST" and form.is_valid() and not form.needs_confirmation():
        agency = queries.agency_for_records_office(user=request.user, agency_id=form.cleaned_data["agency"])
        if agency is None:
            form.add_error("agency", "Choose an agency from the list.")
        else:
            try:
                with transaction.atomic():
                    result = request_submit(
                        agency=agency,
                        document=form.request_document(),
                        channel=form.cleaned_data["channel"],
                        entered_by=request.user,
                        received_at=form.cleaned_data["received_at"],
                    )
                    for upload, kind in form.uploads():
                        document_attach(
                            request=result.request, upload=upload, kind=kind, uploaded_by=request.user
                        )
            except (InvalidInput, NotAllowed) as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Request {result.request.reference} was entered.")
                return redirect("web:office_request", request_id=result.request.pk)
    return render(request, "web/office/new.html", {"form": form})


def _match_panels(request: PageRequest, found: Request) -> list[dict[str, Any]]:
    """For each student not yet matched: the roster students that fit how they were named, and the
    results of the clerk's own search when this panel's search form was sent."""
    searched = request.GET.get("search_for", "")
    panels = []
    shown: list[Any] = []
    for rs in found.students.all():
        if rs.match_state in (MatchState.MATCHED, MatchState.CLOSED):
            continue
        named = rs.named
        try:
            candidates = students_matching(
                student_id=named.get("student_id"),
                first_name=named.get("first_name"),
                last_name=named.get("last_name"),
                birth_date=dt.date.fromisoformat(named["birth_date"]) if named.get("birth_date") else None,
            )
        except ValueError:
            candidates = []
        search_form = StudentSearchForm(prefix=f"s{rs.pk}")
        results = None
        if searched == str(rs.pk):
            search_form = StudentSearchForm(request.GET, prefix=f"s{rs.pk}")
            if search_form.is_valid():
                data = search_form.cleaned_data
                results = students_matching(
                    student_id=(data.get("student_id") or "").strip() or None,
                    first_name=data.get("first_name") or None,
                    last_name=data.get("last_name") or None,
                    birth_date=data.get("birth_date"),
                )
        shown.extend([*candidates, *(results or [])])
        panels.append(
            {
                "request_student": rs,
                "named": named_student(named),
                "candidates": candidates,
                "search_form": search_form,
                "results": results,
                "close_form": CloseUnidentifiedForm(prefix=f"close{rs.pk}"),
            }
        )
    # The roster students shown to the clerk (match candidates, search results): one access-log row per
    # student, in one statement for the page.
    staff_accesses_record(
        user=request.user, students=shown, what="match candidate or roster search result", request=request
    )
    return panels


@role_required(RECORDS_OFFICE)
def office_request(request: PageRequest, request_id: str) -> HttpResponse:
    found = casework_selectors.request_get(request_id=request_id, user=request.user)
    casework_services.request_access_record(
        user=request.user, request=found, what="request in the records office", http_request=request
    )
    context = {
        "req": found,
        "groups": [
            dict(group, named=named_student(group["request_student"].named))
            for group in items_by_student(found)
        ],
        "panels": _match_panels(request, found),
        "determinations": casework_selectors.emergencies_to_determine(request=found),
        "answers": casework_selectors.answers_to_send(user=request.user, request=found),
        "close_days": settings.UNIDENTIFIED_CLOSE_DAYS,
        "agency_verified": found.agency.verified,
        "can_release": found.state == RequestState.READY and found.agency.verified,
        "owners": casework_selectors.request_owners(user=request.user),
    }
    template = "web/office/_match_panels.html" if is_htmx(request) else "web/office/request.html"
    return render(request, template, context)


@role_required(RECORDS_OFFICE)
@require_POST
def office_match(request: PageRequest, request_id: str, request_student_id: int) -> HttpResponse:
    found = casework_selectors.request_get(request_id=request_id, user=request.user)
    if not any(rs.pk == request_student_id for rs in found.students.all()):
        raise Http404("no such student on this request")
    form = MatchForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose the student this request is about.")
    else:
        try:
            rs = student_match_resolve(
                request_student_id=request_student_id,
                student_id=form.cleaned_data["student"],
                resolved_by=request.user,
            )
        except (Conflict, InvalidInput) as error:
            messages.error(request, sentence(error.message))
        else:
            student = rs.student
            messages.success(
                request,
                f"Matched to {student.first_name} {student.last_name} ({student.sis_id}); the policy has sorted their records."
                if student
                else "Matched.",
            )
    return redirect("web:office_request", request_id=found.pk)


@role_required(RECORDS_OFFICE)
@require_POST
def office_release(request: PageRequest, request_id: str) -> HttpResponse:
    found = casework_selectors.request_get(request_id=request_id, user=request.user)
    try:
        packet = packet_release(request_id=found.pk, released_by=request.user)
    except Conflict as error:
        messages.error(request, sentence(error.message))
    else:
        messages.success(
            request,
            f"Released. The requester can now download the packet (SHA-256 {packet.content_sha256[:16]}…).",
        )
    return redirect("web:office_request", request_id=found.pk)


@role_required(RECORDS_OFFICE)
def office_agencies(request: PageRequest) -> HttpResponse:
    agencies = queries.agencies_for_records_office(user=request.user)
    return render(request, "web/office/agencies.html", {"agencies": agencies})


@role_required(RECORDS_OFFICE)
@require_POST
def office_agency_verify(request: PageRequest, agency_id: int) -> HttpResponse:
    agency = queries.agency_for_records_office(user=request.user, agency_id=agency_id)
    if agency is None:
        raise Http404("no such agency")
    agency_verify(agency=agency, verified_by=request.user)
    messages.success(request, f"{agency.name} is verified.")
    return redirect("web:office_agencies")


@role_required(RECORDS_OFFICE)
def office_letters(request: PageRequest) -> HttpResponse:
    """The one page of letters to mail, the notices app's (`/notices/letters/` is the same page)."""
    return notices_views.letters(request)


@role_required(RECORDS_OFFICE)
@require_POST
def office_letter_mailed(request: PageRequest, notice_id: int) -> HttpResponse:
    try:
        notice = notice_mark_mailed(notice_id=notice_id, marked_by=request.user)
    except Conflict as error:
        messages.error(request, sentence(error.message))
    else:
        messages.success(request, f"The letter to {notice.recipient_name} is marked mailed.")
    return redirect("web:office_letters")


def _post_on_request_student(request: PageRequest, request_id: str, request_student_id: int) -> Request:
    found = casework_selectors.request_get(request_id=request_id, user=request.user)
    if not any(rs.pk == request_student_id for rs in found.students.all()):
        raise Http404("no such student on this request")
    return found


@role_required(RECORDS_OFFICE)
@require_POST
def office_close_student(request: PageRequest, request_id: str, request_student_id: int) -> HttpResponse:
    """Close a named student the records office cannot identify: no records released."""
    found = _post_on_request_student(request, request_id, request_student_id)
    form = CloseUnidentifiedForm(request.POST, prefix=f"close{request_student_id}")
    if not form.is_valid():
        messages.error(request, "Say why the student cannot be identified.")
    else:
        try:
            casework_services.student_close_unidentified(
                request_student_id=request_student_id,
                closed_by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except (InvalidInput, Conflict, NotAllowed) as error:
            messages.error(request, sentence(str(error)))
        else:
            messages.success(
                request, "The student was closed: the requester reads that no records were released."
            )
    return redirect("web:office_request", request_id=found.pk)


@role_required(RECORDS_OFFICE)
def office_letter(request: PageRequest, request_id: str) -> HttpResponse:
    """The letter answering the requester, for a request that came by fax, mail or in person: exactly
    what the requester would read on the portal."""
    found = casework_selectors.request_get(request_id=request_id, user=request.user)
    casework_services.request_access_record(
        user=request.user, request=found, what="answer letter to the requester", http_request=request
    )
    return letter_response(request, found)


@role_required(RECORDS_OFFICE)
@require_POST
def office_answer_send(request: PageRequest, request_id: str, request_student_id: int) -> HttpResponse:
    """Tell the requester "no records released" for a student the policy refused on the student's facts."""
    found = _post_on_request_student(request, request_id, request_student_id)
    try:
        casework_services.student_answer_send(request_student_id=request_student_id, sent_by=request.user)
    except (Conflict, NotAllowed) as error:
        messages.error(request, sentence(str(error)))
    else:
        messages.success(request, "The answer was sent: the requester reads that no records were released.")
    return redirect("web:office_request", request_id=found.pk)


@role_required(EMERGENCY_DETERMINERS)
@require_http_methods(["GET", "POST"])
def emergency_determine_page(request: PageRequest, request_id: str, request_student_id: int) -> HttpResponse:
    """Record whether the emergency a requester stated is real, for one student (rule R1)."""
    waiting = casework_selectors.emergency_to_determine(
        user=request.user, request_id=request_id, request_student_id=request_student_id
    )
    form = EmergencyDeterminationForm(
        request.POST or None, initial={"threat": waiting["request"].emergency_threat}
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = casework_services.emergency_determine(
                request_student_id=request_student_id,
                official=request.user,
                found=form.cleaned_data["found"],
                threat=form.cleaned_data["threat"],
                rationale=form.cleaned_data["rationale"],
            )
        except InvalidInput as error:
            add_service_errors(form, error)
        except (Conflict, NotAllowed) as error:
            messages.error(request, sentence(str(error)))
        else:
            if result.determination is None:
                messages.warning(
                    request, "The emergency had already ended: its records went back to review instead."
                )
            elif result.determination.found:
                messages.success(
                    request, "Recorded: the emergency was found. Its cleared records may now be released."
                )
            else:
                messages.success(
                    request, "Recorded: no emergency was found. Its records went to the superintendent."
                )
            if request.user.role in RECORDS_OFFICE:
                return redirect("web:office_request", request_id=waiting["request"].pk)
            return redirect("web:home")
    status = 422 if request.method == "POST" else 200
    return render(request, "web/office/determine.html", {"waiting": waiting, "form": form}, status=status)
