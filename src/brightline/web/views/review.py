"""The review queue: the superintendent and the legal advisor decide items one by one, with a lawful
basis for every approval."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from brightline.accounts.models import Role, User
from brightline.accounts.services import staff_accesses_record
from brightline.casework import selectors as casework_selectors
from brightline.casework import services as casework_services
from brightline.casework.documents import document_open
from brightline.casework.models import Item, ItemState, Request
from brightline.casework.selectors import CASEWORK_ROLES
from brightline.casework.services import item_decide
from brightline.errors import Conflict, InvalidInput, NotAllowed
from brightline.notices import services as notices_services
from brightline.roster.selectors import inventory_by_category
from brightline.ui import REVIEWERS, PageRequest, add_service_errors, is_htmx, role_required
from brightline.web import queries
from brightline.web.forms import DecisionForm
from brightline.web.paging import bounded_page
from brightline.web.views.common import items_by_student, named_student

CONFLICT_MESSAGE = (
    "Someone else decided this item while you were looking at it. Its current state is shown below; "
    "nothing you entered was saved."
)


@role_required(REVIEWERS)
def review(request: PageRequest) -> HttpResponse:
    # A page of requests at a time, oldest deadline first, with their items waiting for this reviewer
    # (the page's items read once, with only what a row shows).
    page = bounded_page(request, casework_selectors.review_queue_requests(user=request.user))
    queue = casework_selectors.review_queue_rows(user=request.user, requests=page.object_list)
    # The queue names each item's student: one access-log row per student shown, in one statement.
    staff_accesses_record(
        user=request.user,
        students=(item.request_student.student for item in queue),
        what="item in the review queue",
        request=request,
    )
    groups: dict[Any, dict[str, Any]] = {found.pk: {"req": found, "items": []} for found in page.object_list}
    for item in queue:
        groups[item.request_id]["items"].append(item)
    # Counsel's copies of requests the policy sends to counsel (notify_legal_advisor), to read: a page
    # at a time too (`?notices=`), whatever the queue's page.
    counsel_notices = (
        bounded_page(request, queries.counsel_notices_unread(user=request.user), param="notices")
        if request.user.role == Role.LEGAL_ADVISOR
        else None
    )
    return render(
        request,
        "web/review/queue.html",
        {
            "groups": [group for group in groups.values() if group["items"]],
            "now": timezone.now(),
            "counsel_notices": counsel_notices,
            "reconsiderations": casework_selectors.reconsiderations_waiting(user=request.user),
            "page": page,
        },
    )


@role_required(frozenset({Role.LEGAL_ADVISOR}))
@require_POST
def review_counsel_notice_read(request: PageRequest, counsel_notice_id: int) -> HttpResponse:
    try:
        notice = notices_services.counsel_notice_mark_read(
            counsel_notice_id=counsel_notice_id, read_by=request.user
        )
    except Conflict as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Your copy of request {notice.reference} is marked read.")
    return redirect("web:review")


def _can_decide(user: User, req: Request, item: Item) -> bool:
    return (
        item.state == ItemState.PENDING_REVIEW and item.reviewer == user.role and req.entered_by_id != user.pk
    )


def _item_context(
    user: User,
    req: Request,
    item: Item,
    inventory: dict[str, list[Any]],
    form: DecisionForm | None = None,
    notice: str = "",
    conflict: bool = False,
) -> dict[str, Any]:
    field_choices = [(field.field_name, field.label) for field in inventory.get(item.category, [])]
    can_decide = _can_decide(user, req, item)
    if can_decide and form is None:
        form = DecisionForm(prefix=f"item-{item.pk}", field_choices=field_choices)
    return {
        "req": req,
        "item": item,
        "form": form if can_decide else None,
        "notice": notice,
        "conflict": conflict,
        "decision": getattr(item, "decision", None) if item.state != ItemState.PENDING_REVIEW else None,
    }


@role_required(REVIEWERS)
def review_request(request: PageRequest, request_id: str) -> HttpResponse:
    found = casework_selectors.request_get(request_id=request_id, user=request.user)
    casework_services.request_access_record(
        user=request.user, request=found, what="request under review", http_request=request
    )
    inventory = inventory_by_category()
    groups = [
        {
            "named": named_student(group["request_student"].named),
            "request_student": group["request_student"],
            "items": [_item_context(request.user, found, item, inventory) for item in group["items"]],
        }
        for group in items_by_student(found)
    ]
    return render(request, "web/review/request.html", {"req": found, "groups": groups})


@role_required(REVIEWERS)
@require_POST
def review_decide(request: PageRequest, request_id: str, item_id: int) -> HttpResponse:
    found = casework_selectors.request_get(request_id=request_id, user=request.user)
    item = next((i for i in found.items.all() if i.pk == item_id), None)
    if item is None:
        raise Http404("no such item on this request")
    inventory = inventory_by_category()
    field_choices = [(field.field_name, field.label) for field in inventory.get(item.category, [])]
    form = DecisionForm(request.POST, prefix=f"item-{item.pk}", field_choices=field_choices)
    notice = ""
    conflict = False
    if form.is_valid():
        data = form.cleaned_data
        try:
            item_decide(
                item_id=item.pk,
                reviewer=request.user,
                action=data["action"],
                rationale=data["rationale"],
                lawful_basis=data.get("lawful_basis") or None,
                fields_removed=list(data.get("fields_removed") or []),
            )
        except InvalidInput as error:
            add_service_errors(form, error)
        except NotAllowed as error:
            form.add_error(None, error.message)
        except Conflict:
            conflict = True
            notice = CONFLICT_MESSAGE
        else:
            notice = "Your decision was recorded."
            if not is_htmx(request):
                messages.success(request, notice)
                return redirect(reverse("web:review_request", args=[found.pk]) + f"#item-{item.pk}")
        if notice:
            # Show the item as it now stands, with whoever's decision is on it.
            found = casework_selectors.request_get(request_id=found.pk, user=request.user)
            item = next(i for i in found.items.all() if i.pk == item_id)
            form = None  # type: ignore[assignment]
    context = _item_context(request.user, found, item, inventory, form=form, notice=notice, conflict=conflict)
    if is_htmx(request):
        return render(request, "web/review/_item.html", context)
    if conflict:
        messages.error(request, CONFLICT_MESSAGE)
        return redirect(reverse("web:review_request", args=[found.pk]) + f"#item-{item.pk}")
    groups = [
        {
            "named": named_student(group["request_student"].named),
            "request_student": group["request_student"],
            "items": [
                context if other.pk == item.pk else _item_context(request.user, found, other, inventory)
                for other in group["items"]
            ],
        }
        for group in items_by_student(found)
    ]
    return render(request, "web/review/request.html", {"req": found, "groups": groups}, status=422)


@role_required(frozenset(CASEWORK_ROLES))
def staff_document(request: PageRequest, request_id: str, document_id: int) -> HttpResponseBase:
    found = casework_selectors.request_get(request_id=request_id, user=request.user)
    casework_services.request_access_record(
        user=request.user, request=found, what="legal document of a request", http_request=request
    )
    document = next((d for d in found.documents.all() if d.pk == document_id), None)
    if document is None:
        raise Http404("no such document")
    return document_open(document=document, viewer=request.user)
