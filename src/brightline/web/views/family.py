"""The family portal: each child's record of disclosures and the notices the family received."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brightline.disclosures.selectors import family_record, students_of_family
from brightline.errors import Conflict, InvalidInput
from brightline.notices.selectors import family_voice, notices_visible_to_family
from brightline.notices.services import objection_raise, record_copy_request
from brightline.web.access import FAMILY, PageRequest, role_required

LANGUAGE_NAMES = dict(settings.LANGUAGES)


@role_required(FAMILY)
def family(request: PageRequest) -> HttpResponse:
    children = []
    for student in students_of_family(request.user).select_related("school").order_by("first_name", "pk"):
        notices = notices_visible_to_family(request.user, student)
        languages = sorted({LANGUAGE_NAMES.get(notice.language, notice.language) for notice in notices})
        children.append(
            {
                "student": student,
                "entries": family_record(user=request.user, student=student),
                "notices": notices,
                "languages": languages,
                "voice": family_voice(user=request.user, student=student),
            }
        )
    return render(
        request,
        "web/family/records.html",
        {
            "children": children,
            "preferred_language": LANGUAGE_NAMES.get(
                request.user.preferred_language, request.user.preferred_language
            ),
        },
    )


@role_required(FAMILY)
@require_POST
def family_record_copy(request: PageRequest, student_pk: int) -> HttpResponse:
    """Ask for a copy of one child's record of disclosures; it is sent in the family's language."""
    student = students_of_family(request.user).filter(pk=student_pk).first()
    if student is None:
        raise Http404("no such student")
    record_copy_request(student=student, requested_by=request.user)
    messages.success(request, f"A copy of {student.first_name}'s record of disclosures will be sent to you.")
    return redirect("web:family")


@role_required(FAMILY)
@require_POST
def family_object(request: PageRequest, student_pk: int, request_id: str) -> HttpResponse:
    """Object to a release while its advance notice runs: the release is held until the reviewer
    decides."""
    student = students_of_family(request.user).filter(pk=student_pk).first()
    if student is None:
        raise Http404("no such student")
    try:
        objection_raise(
            request_id=request_id, student=student, raised_by=request.user, text=request.POST.get("text", "")
        )
    except (InvalidInput, Conflict) as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Your objection is recorded. Nothing is released until the reviewer decides on it."),
        )
    return redirect("web:family")
