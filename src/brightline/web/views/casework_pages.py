"""Pages for the conversation on a request (the requester's portal and the records office), the
deadline (clarify, extend, resume), the owner and internal notes, and finding requests (search,
filters, pagination, CSV export for staff)."""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.http import require_http_methods, require_POST

from brightline.accounts.services import staff_accesses_record
from brightline.casework import conversation, preservation, reconsideration
from brightline.casework import selectors as casework_selectors
from brightline.casework.models import Disposition, Request, RequestState
from brightline.casework.selectors import CASEWORK_ROLES
from brightline.errors import Conflict, InvalidInput, NotAllowed
from brightline.formats.local import local_date
from brightline.ui import RECORDS_OFFICE, REQUESTERS, DateInput, PageRequest, role_required, sentence
from brightline.web.paging import bounded_page

PAGE_SIZE = 25
CSV_MAX_ROWS = 10_000


def page_of(request: PageRequest, items: Any, *, size: int = PAGE_SIZE) -> Page[Any]:
    """One page of a list; a page number out of range reads the nearest page."""
    return Paginator(items, size).get_page(request.GET.get("page"))


def query_without_page(request: PageRequest) -> str:
    """The list's filters, to carry in the links to other pages."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def integers(values: list[str], field: str, problem: str = "") -> list[int]:
    """Whole numbers typed or posted in a form field; anything else (a sign, a superscript "²", which
    `str.isdigit` accepts and `int` refuses) is an error naming the field (`problem`, a sentence)."""
    found = []
    for value in values:
        text = value.strip()
        if not (text.isascii() and text.isdigit()) or len(text) > 18:
            raise InvalidInput([(field, problem or _("Choose from the list."))])
        found.append(int(text))
    return found


def _error_text(error: InvalidInput | Conflict | NotAllowed) -> str:
    """Every problem of a service's error as sentences, for a page with no form to put them next to."""
    if isinstance(error, InvalidInput):
        return " ".join(sentence(message) for _field, message in error.errors)
    return sentence(error.message)


def flash_errors(
    request: PageRequest,
    error: InvalidInput | Conflict | NotAllowed,
    fields: dict[str, str],
    sentences: dict[str, str] | None = None,
) -> str:
    """Show each problem at the top of the page as a sentence linked to its field (the error summary),
    and beside the field itself (the conversation's templates read the `field-<id>` tag). `fields` maps
    a service's field (or the first part of its path) to the id of the input on the page; `sentences`,
    by the same keys, replaces a service's wording where the page says it better (a schema's message).
    Returns the fragment to go back to: the first field named, or "" when none is on the page."""
    problems = error.errors if isinstance(error, InvalidInput) else [(error.field or "", error.message)]
    first = ""
    for path, message in problems:
        head = path.split(".")[0]
        general = ".".join(part if not part.isdigit() else "N" for part in path.split("."))
        anchor = fields.get(path) or fields.get(general) or fields.get(head) or ""
        text = sentence(
            (sentences or {}).get(path)
            or (sentences or {}).get(general)
            or (sentences or {}).get(head)
            or message
        )
        if anchor:
            messages.error(
                request, format_html('<a href="#{}">{}</a>', anchor, text), extra_tags=f"field-{anchor}"
            )
            first = first or anchor
        else:
            messages.error(request, text)
    return first


def _back(url: str, anchor: str, default: str) -> HttpResponse:
    return redirect(f"{url}#{anchor or default}")


# -- the requester -----------------------------------------------------------------------------------------


@role_required(REQUESTERS)
@require_POST
def portal_message(request: PageRequest, request_id: str) -> HttpResponse:
    found = casework_selectors.request_get(request_id=request_id, agency=request.agency)
    anchor = ""
    try:
        conversation.message_send(
            request_id=found.pk, author=request.user, body=request.POST.get("body", ""), agency=request.agency
        )
    except (InvalidInput, Conflict) as error:
        anchor = flash_errors(request, error, {"body": "message-body"})
    else:
        messages.success(request, _("Your message was sent to the records office."))
    return _back(reverse("web:portal_request", args=[found.pk]), anchor, "conversation")


# -- the records office ------------------------------------------------------------------------------------


def _office_back(found: Request, anchor: str = "") -> HttpResponse:
    return _back(reverse("web:office_request", args=[found.pk]), anchor, "conversation")


@role_required(RECORDS_OFFICE)
@require_POST
def office_message(request: PageRequest, request_id: str) -> HttpResponse:
    """Write to the requester, or ask it to clarify (`kind=clarification`: the clock stops)."""
    found = casework_selectors.request_get(request_id=request_id, user=request.user)
    body = request.POST.get("body", "")
    anchor = ""
    try:
        if request.POST.get("kind") == "clarification":
            conversation.clarification_ask(request_id=found.pk, asked_by=request.user, body=body)
            done = _("The requester was asked to clarify; the decision clock is paused until the answer.")
        else:
            conversation.message_send(request_id=found.pk, author=request.user, body=body)
            done = _("Your message was sent to the requester.")
    except (InvalidInput, Conflict, NotAllowed) as error:
        anchor = flash_errors(request, error, {"body": "office-message-body"})
    else:
        messages.success(request, done)
    return _office_back(found, anchor)


@role_required(RECORDS_OFFICE)
@require_POST
def office_extend(request: PageRequest, request_id: str) -> HttpResponse:
    found = casework_selectors.request_get(request_id=request_id, user=request.user)
    raw = request.POST.get("new_due_date", "").strip()
    anchor = ""
    try:
        try:
            new_date = dt.date.fromisoformat(raw) if raw else None
        except ValueError:
            raise InvalidInput(
                [("new_due_date", _("Enter the new decision date as a date, for example March 20, 2026."))]
            ) from None
        conversation.deadline_extend(
            request_id=found.pk,
            extended_by=request.user,
            new_due_date=new_date,
            reason=request.POST.get("reason", ""),
        )
    except (InvalidInput, Conflict, NotAllowed) as error:
        anchor = flash_errors(request, error, {"new_due_date": "new-due-date", "reason": "extend-reason"})
    else:
        messages.success(request, _("The deadline was extended; the requester was told."))
    return _office_back(found, anchor)


@role_required(RECORDS_OFFICE)
@require_POST
def office_resume(request: PageRequest, request_id: str) -> HttpResponse:
    found = casework_selectors.request_get(request_id=request_id, user=request.user)
    anchor = ""
    try:
        conversation.clock_resume(
            request_id=found.pk, resumed_by=request.user, reason=request.POST.get("reason", "")
        )
    except (InvalidInput, Conflict, NotAllowed) as error:
        anchor = flash_errors(request, error, {"reason": "resume-reason"})
    else:
        messages.success(
            request, _("The decision clock runs again; the requester was told the new deadline.")
        )
    return _office_back(found, anchor)


@role_required(RECORDS_OFFICE)
@require_POST
def office_pause(request: PageRequest, request_id: str) -> HttpResponse:
    """Pause the decision clock without asking the requester anything (the reason stays in the office)."""
    found = casework_selectors.request_get(request_id=request_id, user=request.user)
    anchor = ""
    try:
        conversation.clock_pause(
            request_id=found.pk, paused_by=request.user, reason=request.POST.get("reason", "")
        )
    except (InvalidInput, Conflict, NotAllowed) as error:
        anchor = flash_errors(request, error, {"reason": "pause-reason"})
    else:
        messages.success(
            request,
            _(
                "The decision clock is paused until you resume it. The requester reads that it is paused, not why."
            ),
        )
    return _office_back(found, anchor)


@role_required(RECORDS_OFFICE)
@require_POST
def office_assign(request: PageRequest, request_id: str) -> HttpResponse:
    found = casework_selectors.request_get(request_id=request_id, user=request.user)
    raw = request.POST.get("owner", "")
    anchor = ""
    try:
        owner = integers([raw], "owner", _("Choose the owner from the list.")) if raw.strip() else [None]
        conversation.request_assign(request_id=found.pk, owner_id=owner[0], assigned_by=request.user)
    except (InvalidInput, NotAllowed) as error:
        anchor = flash_errors(request, error, {"owner": "owner"})
    else:
        messages.success(request, _("The owner of this request was saved."))
    return _office_back(found, anchor)


STAFF_WRITERS = frozenset(CASEWORK_ROLES - {"auditor"})


@role_required(STAFF_WRITERS)
@require_POST
def staff_note(request: PageRequest, request_id: str) -> HttpResponse:
    found = casework_selectors.request_get(request_id=request_id, user=request.user)
    anchor = ""
    try:
        conversation.note_add(request_id=found.pk, author=request.user, body=request.POST.get("body", ""))
    except (InvalidInput, NotAllowed) as error:
        anchor = flash_errors(request, error, {"body": "note-body"})
    else:
        messages.success(request, _("Your note was saved. The requester never sees it."))
    back = "web:office_request" if request.user.role in RECORDS_OFFICE else "web:review_request"
    return _back(reverse(back, args=[found.pk]), anchor, "notes")


# -- finding requests --------------------------------------------------------------------------------------


class SearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Reference"), required=False, max_length=40)
    student = forms.CharField(label=gettext_lazy("Student (name or id)"), required=False, max_length=120)
    agency = forms.CharField(label=gettext_lazy("Agency"), required=False, max_length=120)
    state = forms.ChoiceField(
        label=gettext_lazy("Status"), required=False, choices=[("", "—"), *RequestState.choices]
    )
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"), required=False, choices=[("", "—"), *Disposition.choices]
    )
    received_from = forms.DateField(label=gettext_lazy("Received from"), required=False, widget=DateInput())
    received_to = forms.DateField(label=gettext_lazy("Received until"), required=False, widget=DateInput())
    owner = forms.ChoiceField(
        label=gettext_lazy("Owner"),
        required=False,
        choices=[("", "—"), ("me", gettext_lazy("Mine")), ("none", gettext_lazy("Nobody"))],
    )
    overdue = forms.BooleanField(label=gettext_lazy("Overdue only"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and end < start:
            self.add_error("received_to", _("The end comes before the start."))
        return data


SEARCHERS = frozenset(CASEWORK_ROLES)


@role_required(SEARCHERS)
def office_search(request: PageRequest) -> HttpResponse:
    """Every request a member of staff may see, with filters, a page at a time, or the whole list as
    CSV (`format=csv`)."""
    form = SearchForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        # A filter the office cannot read finds nothing: the errors, never the unfiltered list.
        return render(
            request,
            "web/office/search.html",
            {"form": form, "page": bounded_page(request, []), "query": query_without_page(request)},
        )
    found = casework_selectors.requests_search(user=request.user, **_filters(form))
    if request.GET.get("format") == "csv":
        return _csv(request, found)
    # Counted up to a cap ("more than 1,000"): an unfiltered search never counts ten years of requests.
    page = bounded_page(request, casework_selectors.with_items(found))
    if form.is_bound and form.is_valid() and form.cleaned_data.get("overdue"):
        from django.utils import timezone

        from brightline.casework.calendar import DistrictCalendar, district_zone

        calendar = DistrictCalendar.load()
        today = timezone.localtime(timezone.now(), district_zone()).date()
        for req in page.object_list:
            req.business_days_late = casework_selectors.business_days_overdue(
                req, calendar=calendar, today=today
            )
    staff_accesses_record(
        user=request.user,
        students=(rs.student for req in page.object_list for rs in req.students.all()),
        what="request in a search of requests",
        request=request,
    )
    return render(
        request,
        "web/office/search.html",
        {"form": form, "page": page, "query": query_without_page(request)},
    )


def _filters(form: SearchForm) -> dict[str, Any]:
    if not form.is_bound or not form.is_valid():
        return {}
    data = form.cleaned_data
    dates = ("received_from", "received_to")
    return {
        key: bool(data.get(key)) if key == "overdue" else data.get(key) or (None if key in dates else "")
        for key in data
    }


# A cell a spreadsheet would read as a formula starts with one of these (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_safe(value: Any) -> str:
    """A cell as text a spreadsheet shows and never runs: a leading formula character is quoted."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


# The export is read in a spreadsheet by people: headings and values in words, times in the district's
# time zone. The reference stays as it is: it is how a request is found again.
CSV_COLUMNS = (
    gettext_noop("Reference"),
    gettext_noop("Received"),
    gettext_noop("Agency"),
    gettext_noop("Kind of requester"),
    gettext_noop("Purpose"),
    gettext_noop("Status"),
    gettext_noop("Outcome"),
    gettext_noop("Decision due"),
    gettext_noop("Owner"),
)


def _csv(request: PageRequest, found: Any) -> HttpResponse:
    from brightline.formats.local import local_datetime
    from brightline.web.labels import label

    rows = list(found.select_related("owner")[:CSV_MAX_ROWS])
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="requests.csv"'
    writer = csv.writer(response)
    writer.writerow([_(heading) for heading in CSV_COLUMNS])
    for req in rows:
        writer.writerow(
            [
                csv_safe(value)
                for value in (
                    req.reference,
                    local_datetime(req.received_at, zone=True),
                    req.agency_name,
                    label("requester_kind", req.requester_kind),
                    label("purpose", req.purpose),
                    req.get_state_display(),
                    req.get_disposition_display(),
                    local_datetime(req.decision_due_at, zone=True),
                    (req.owner.get_full_name() or req.owner.get_username()) if req.owner else "",
                )
            ]
        )
    return response


# -- reconsideration ---------------------------------------------------------------------------------------


@role_required(REQUESTERS)
@require_POST
def portal_reconsider(request: PageRequest, request_id: str) -> HttpResponse:
    found = casework_selectors.request_get(request_id=request_id, agency=request.agency)
    posted = request.POST.getlist("items")
    anchor = ""
    try:
        item_ids = integers(posted, "items", _("Choose records of this request from the list."))
        reconsideration.reconsideration_ask(
            request_id=found.pk,
            agency=request.agency,
            asked_by=request.user,
            item_ids=item_ids,
            reason=request.POST.get("reason", ""),
        )
    except (InvalidInput, Conflict) as error:
        # The records to choose from are a group of boxes: the summary links to the group.
        anchor = flash_errors(request, error, {"items": "reconsider-items", "reason": "reconsider-reason"})
    else:
        messages.success(request, _("Your request for reconsideration was sent to the district's counsel."))
    return _back(reverse("web:portal_request", args=[found.pk]), anchor, "reconsideration")


@role_required(frozenset({"legal_advisor"}))
@require_http_methods(["GET", "POST"])
def review_reconsideration(request: PageRequest, reconsideration_id: int) -> HttpResponse:
    """Counsel reads the requester's reason, the items (as the district knows them) and decides."""
    asked = casework_selectors.reconsideration_get(user=request.user, reconsideration_id=reconsideration_id)
    if request.method == "POST":
        try:
            reconsideration.reconsideration_decide(
                reconsideration_id=asked.pk,
                counsel=request.user,
                outcome=request.POST.get("outcome", ""),
                reason=request.POST.get("reason", ""),
            )
        except (InvalidInput, Conflict, NotAllowed) as error:
            anchor = flash_errors(request, error, {"outcome": "outcome-upheld", "reason": "decision-reason"})
        else:
            messages.success(request, _("Your decision was recorded; the requester was told."))
            return redirect("web:review")
        return _back(reverse("web:review_reconsideration", args=[asked.pk]), anchor, "main-content")
    found = casework_selectors.request_get(request_id=asked.request_id, user=request.user)
    items = [item for item in found.items.all() if item.pk in asked.items]
    staff_accesses_record(
        user=request.user,
        students=(item.request_student.student for item in items),
        what="item in a reconsideration",
        request=request,
    )
    context = {
        "asked": asked,
        "req": found,
        "items": items,
        "reopenable": len(reconsideration.reopenable(asked)) if asked.outcome == "pending" else 0,
    }
    return render(request, "web/review/reconsideration.html", context)


# -- release with its packet's preview ---------------------------------------------------------------------


@role_required(RECORDS_OFFICE)
def office_release_preview(request: PageRequest, request_id: str) -> HttpResponse:
    """What each student's packet will hold, field by field, before the office releases it."""
    from django.utils import timezone

    from brightline.disclosures.packets import build_packet_content, redisclosure_notice_for

    found = casework_selectors.request_get(request_id=request_id, user=request.user)
    items = casework_selectors.items_cleared(request=found)
    staff_accesses_record(
        user=request.user,
        students=(item.request_student.student for item in items),
        what="packet preview before release",
        request=request,
    )
    content = build_packet_content(request=found, items=items, released_at=timezone.now()) if items else None
    notice = redisclosure_notice_for(request=found, items=items) if items else ""
    context = {
        "req": found,
        "items": items,
        "content": content,
        "labelled": _labelled(content),
        "content_sha256": _preview_digest(content, notice),
        "notice": notice,
        "agency_verified": found.agency.verified,
    }
    return render(request, "web/office/release_preview.html", context)


def _preview_digest(content: dict[str, Any] | None, notice: str) -> str:
    """A hash of what the preview shows (each student's fields and the notice, not the time it was made):
    "Release exactly this" pins it, and the release is refused if the packet changed since."""
    import hashlib
    import json

    shown = {"students": (content or {}).get("students", []), "notice": notice}
    return hashlib.sha256(json.dumps(shown, sort_keys=True, default=str).encode()).hexdigest()


def _labelled(content: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The preview's students with each field named by its label in the data inventory."""
    from brightline.roster.selectors import inventory_by_category

    known: dict[tuple[str, str], str] = {}
    for category, fields in inventory_by_category(None).items():
        for data_field in fields:
            known[(category, data_field.field_name)] = data_field.label
    return [
        {
            **student,
            "categories": [
                {
                    **category,
                    "fields": [
                        (
                            known.get((category["category"], name)) or name.replace("_", " ").capitalize(),
                            value,
                        )
                        for name, value in category.get("fields", {}).items()
                    ],
                }
                for category in student.get("categories", [])
            ],
        }
        for student in (content or {}).get("students", [])
    ]


def _same_as_previewed(found: Request, item_ids: list[int], digest: str) -> None:
    """The packet built now is the one the office saw: the same content, field by field."""
    from django.utils import timezone

    from brightline.disclosures.packets import build_packet_content, redisclosure_notice_for

    items = [item for item in casework_selectors.items_cleared(request=found) if item.pk in set(item_ids)]
    content = build_packet_content(request=found, items=items, released_at=timezone.now()) if items else None
    notice = redisclosure_notice_for(request=found, items=items) if items else ""
    if not digest or digest != _preview_digest(content, notice):
        raise Conflict("what would be released changed since the preview: look at it again")


@role_required(RECORDS_OFFICE)
@require_POST
def office_release_confirm(request: PageRequest, request_id: str) -> HttpResponse:
    """Release exactly the items of the preview the office saw, or nothing."""
    from brightline.casework.services import release_as_previewed
    from brightline.disclosures.services import packet_release

    found = casework_selectors.request_get(request_id=request_id, user=request.user)
    try:
        item_ids = integers(
            request.POST.getlist("items"), "items", _("Choose records of this request from the list.")
        )
        if not item_ids:
            raise InvalidInput([("items", _("Open the preview and release what it shows."))])
        _same_as_previewed(found, item_ids, request.POST.get("content_sha256", ""))
        with release_as_previewed(item_ids):
            packet = packet_release(request_id=found.pk, released_by=request.user)
    except (InvalidInput, Conflict, NotAllowed) as error:
        messages.error(request, _error_text(error))
        return redirect("web:office_release_preview", request_id=found.pk)
    messages.success(
        request,
        _("Released. The requester can now download the packet (SHA-256 %(digest)s…).")
        % {"digest": packet.content_sha256[:16]},
    )
    return redirect("web:office_request", request_id=found.pk)


# -- preservation ------------------------------------------------------------------------------------------


def _preservation_document(post: Any) -> dict[str, Any]:
    """The portal's form (one student, by district id or by name and birth date) as the API's body."""
    student_id = post.get("student_id", "").strip()
    student: dict[str, str] = (
        {"student_id": student_id}
        if student_id
        else {
            key: post.get(key, "").strip()
            for key in ("first_name", "last_name", "birth_date")
            if post.get(key, "").strip()
        }
    )
    return {
        "students": [student],
        "categories": post.getlist("categories"),
        "process_expected": post.get("process_expected", ""),
    }


def _day(moment: dt.datetime) -> str:
    """A moment's day in the district's zone, in words ("March 5, 2026" in the page's language)."""
    return local_date(moment)


def _preservation_fields() -> dict[str, str]:
    """The portal's preservation form: each field the service names, and the id of its input."""
    from brightline.vocabulary import CATEGORIES

    return {
        "students": "p-student-id",
        "students.N": "p-student-id",
        "students.N.student_id": "p-student-id",
        "students.N.first_name": "p-first-name",
        "students.N.last_name": "p-last-name",
        "students.N.birth_date": "p-birth-date",
        "categories": f"p-category-{CATEGORIES[0]}",
        "process_expected": "p-process",
    }


def _preservation_sentences() -> dict[str, str]:
    """What the form says of each field (the service's schema speaks to the API's programs)."""
    return {
        "students": _("Give the student's district id, or first name, last name and birth date."),
        "students.N": _("Give the student's district id, or first name, last name and birth date."),
        "students.N.student_id": _("Enter the student's district id."),
        "students.N.first_name": _("Enter the student's first name, or give the district id instead."),
        "students.N.last_name": _("Enter the student's last name, or give the district id instead."),
        "students.N.birth_date": _("Enter the student's birth date, or give the district id instead."),
        "categories": _("Choose the records to preserve."),
        "process_expected": _("Say which legal process will follow, in at most 2,000 characters."),
    }


@role_required(REQUESTERS)
@require_http_methods(["GET", "POST"])
def portal_preservations(request: PageRequest) -> HttpResponse:
    """The agency's preservation requests, a page at a time, and a form to ask for one more."""
    from brightline.vocabulary import CATEGORIES

    if request.method == "POST":
        try:
            hold = preservation.preservation_submit(
                agency=request.agency,
                document=_preservation_document(request.POST),
                submitted_by=request.user,
            )
        except InvalidInput as error:
            anchor = flash_errors(request, error, _preservation_fields(), _preservation_sentences())
            return _back(reverse("web:portal_preservations"), anchor, "main-content")
        messages.success(
            request,
            _(
                "The district recorded your request %(reference)s to preserve records. It discloses "
                "nothing in answer to it; the hold ends on %(end)s unless legal process follows."
            )
            % {"reference": hold.reference, "end": _day(hold.expires_at)},
        )
        return redirect("web:portal_preservations")
    page = page_of(request, casework_selectors.preservations_of(agency=request.agency))
    return render(
        request,
        "web/portal/preservations.html",
        {"page": page, "query": query_without_page(request), "categories": CATEGORIES},
    )


@role_required(REQUESTERS)
@require_POST
def portal_preservation_extend(request: PageRequest, preservation_id: str) -> HttpResponse:
    try:
        hold = preservation.preservation_extend(agency=request.agency, preservation_id=preservation_id)
    except Conflict as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            _("The hold %(reference)s was extended: it ends on %(end)s unless legal process follows.")
            % {"reference": hold.reference, "end": _day(hold.expires_at)},
        )
    return redirect("web:portal_preservations")


@role_required(SEARCHERS)
def office_preservations(request: PageRequest) -> HttpResponse:
    """Holds in force (with the roster students they fall on), for the records office and counsel."""
    from brightline.roster.models import Student

    page = page_of(request, casework_selectors.preservations_in_force(user=request.user))
    holds = list(page.object_list)
    students = Student.objects.in_bulk([pk for hold in holds for pk in hold.matched_students])
    rows = [
        {"hold": hold, "students": [students[pk] for pk in hold.matched_students if pk in students]}
        for hold in holds
    ]
    staff_accesses_record(
        user=request.user,
        students=(student for row in rows for student in row["students"]),
        what="student under a preservation hold",
        request=request,
    )
    return render(
        request,
        "web/office/preservations.html",
        {"page": page, "rows": rows, "query": query_without_page(request)},
    )


@role_required(RECORDS_OFFICE)
@require_POST
def office_preservation_followed(request: PageRequest, preservation_id: str) -> HttpResponse:
    try:
        preservation.preservation_followed(
            preservation_id=preservation_id,
            request_reference=request.POST.get("request_reference", ""),
            recorded_by=request.user,
        )
    except (InvalidInput, Conflict, NotAllowed) as error:
        anchor = flash_errors(request, error, {"request_reference": f"followed-{preservation_id}"})
        return _back(reverse("web:office_preservations"), anchor, f"hold-{preservation_id}")
    messages.success(request, _("Legal process followed: the hold now ends with that request."))
    return redirect("web:office_preservations")


# -- letters to requesters ---------------------------------------------------------------------------------


def _letter_response(found: Request, kind: str) -> HttpResponse:
    from brightline.web.requester_letters import letter_pdf

    pdf = letter_pdf(found, kind)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{found.reference}-{kind}.pdf"'
    return response


@role_required(REQUESTERS)
def portal_letter_kind(request: PageRequest, request_id: str, kind: str) -> HttpResponse:
    found = casework_selectors.request_get(request_id=request_id, agency=request.agency)
    return _letter_response(found, kind)


@role_required(RECORDS_OFFICE)
def office_letter_kind(request: PageRequest, request_id: str, kind: str) -> HttpResponse:
    """The same letter, for the records office to print or send back by the channel it came by."""
    found = casework_selectors.request_get(request_id=request_id, user=request.user)
    return _letter_response(found, kind)
