"""The family portal: each child's record of disclosures and the notices the family received."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brightline.accounts.models import User
from brightline.disclosures.selectors import family_record, students_of_family
from brightline.errors import Conflict, InvalidInput, NotFound
from brightline.notices.letters import letter_pdf
from brightline.notices.selectors import family_voice, notice_for_family, notices_visible_to_family
from brightline.notices.services import (
    notice_language_set,
    notice_text,
    objection_raise,
    record_copy_request,
)
from brightline.notices.texts import direction_of, html_lang
from brightline.ui import FAMILY, PageRequest, role_required
from brightline.web.paging import bounded_page

LANGUAGE_NAMES = dict(settings.LANGUAGES)
FAMILY_PAGE = 20


@role_required(FAMILY)
def family(request: PageRequest) -> HttpResponse:
    children = []
    for student in students_of_family(request.user).select_related("school").order_by("first_name", "pk"):
        notices = notices_visible_to_family(request.user, student)
        languages = sorted({LANGUAGE_NAMES.get(notice.language, notice.language) for notice in notices})
        # Each child's record and notices a page at a time (ten years of requests about one student),
        # each list its own page in the address (`?record-<student>=`, `?notices-<student>=`).
        entries = bounded_page(
            request,
            family_record(user=request.user, student=student),
            param=f"record-{student.pk}",
            size=FAMILY_PAGE,
        )
        sent = bounded_page(request, notices, param=f"notices-{student.pk}", size=FAMILY_PAGE)
        children.append(
            {
                "student": student,
                "entries": entries,
                "notices": notices,
                # What was sent, in the language it was sent (then English), to read again here.
                "sent_page": sent,
                "sent": [
                    {
                        "notice": notice,
                        "text": notice_text(notice),
                        "lang": html_lang(notice.language),
                        "dir": direction_of(notice.language),
                    }
                    for notice in sent.object_list
                ],
                "languages": languages,
                "voice": family_voice(user=request.user, student=student),
            }
        )
    return render(
        request,
        "web/family/records.html",
        {
            "children": children,
            "notice_language": notice_language_of(request.user),
            "languages": settings.LANGUAGES,
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


@role_required(FAMILY)
def family_notice_letter(request: PageRequest, notice_id: int) -> HttpResponse:
    """The letter of a notice sent to the family, as the PDF the records office prints."""
    try:
        notice = notice_for_family(user=request.user, notice_id=notice_id)
    except NotFound:
        raise Http404("no such notice") from None
    response = HttpResponse(letter_pdf(notice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="notice-{notice.pk}-{notice.language}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


def notice_language_of(user: User) -> str:
    """The language the family's notices are written in: its guardian record's (English otherwise)."""
    from brightline.roster.models import Guardian

    language = Guardian.objects.filter(user=user).values_list("preferred_language", flat=True).first()
    return language or "en"


@role_required(FAMILY)
@require_POST
def family_notice_language(request: PageRequest) -> HttpResponse:
    """The family sets the language its notices are written in."""
    try:
        notice_language_set(user=request.user, language=request.POST.get("language", ""))
    except InvalidInput as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your notices will be written in the language you chose, with English."))
    return redirect("web:family")
