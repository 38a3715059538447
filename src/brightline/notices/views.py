"""Staff pages for family notices: the letters the records office owes, each letter as a PDF, and the
translation catalogs with their review state. Thin: each calls one selector or service."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from babel import Locale
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from brightline.errors import Conflict, InvalidInput, NotAllowed, NotFound
from brightline.notices import selectors, services
from brightline.notices.letters import letter_pdf, letters_pdf
from brightline.ui import sentence


def _service_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """NotAllowed is a 403 and NotFound a 404, whatever the view was doing."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotAllowed as error:
            raise PermissionDenied(str(error)) from None
        except NotFound as error:
            raise Http404(str(error)) from None

    return wrapper


@require_GET
@login_required
@_service_errors
def letters(request: HttpRequest) -> HttpResponse:
    """The one page of letters to mail (also at the records office's `/office/letters/`): each letter with
    its address, why it goes by post, the letter to open and print or download, and its marks; and the
    day's mail as one PDF (`?format=pdf`), every waiting letter in order, each starting on a new page."""
    due = list(selectors.letters_to_mail(user=request.user))
    if request.GET.get("format") == "pdf":
        response = HttpResponse(letters_pdf(due), content_type="application/pdf")
        day = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="letters-to-mail-{day}.pdf"'
        response["Cache-Control"] = "no-store"
        return response
    for notice in due:
        notice.language_name = _language_name(notice.language)  # type: ignore[attr-defined]
    return render(request, "notices/letters.html", {"letters": due})


def _language_name(code: str) -> str:
    """A letter's language for the records office, in English and as its readers write it ("Haitian
    Creole (Kreyòl ayisyen)"). Django's own table knows neither Haitian nor Cape Verdean Creole."""
    own = dict(settings.LANGUAGES).get(code, code)
    english = {key.lower(): name for key, name in Locale("en").languages.items()}.get(
        code.replace("-", "_").lower()
    )
    return f"{english} ({own})" if english and english != own else str(own)


@require_GET
@login_required
@_service_errors
def letter_download(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = selectors.notice_for_office(user=request.user, notice_id=notice_id)
    response = HttpResponse(letter_pdf(notice), content_type="application/pdf")
    disposition = "attachment" if request.GET.get("download") else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="notice-{notice.pk}-{notice.language}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
@_service_errors
def letter_mark(request: HttpRequest, notice_id: int, mark: str) -> HttpResponse:
    actions = {"printed": services.notice_mark_printed, "mailed": services.notice_mark_mailed}
    if mark not in actions:
        raise Http404("no such mark")
    try:
        notice = actions[mark](notice_id=notice_id, marked_by=request.user)  # type: ignore[arg-type]
    except Conflict as error:
        messages.error(request, sentence(str(error)))
    else:
        messages.success(request, f"The letter to {notice.recipient_name} is marked {mark}.")
    return redirect("web:office_letters")


@require_GET
@login_required
@_service_errors
def catalogs(request: HttpRequest) -> HttpResponse:
    statuses = selectors.catalog_statuses(user=request.user)
    return render(
        request,
        "notices/catalogs.html",
        {"statuses": statuses, "may_review": services.may_review_catalogs(request.user)},
    )


@require_POST
@login_required
@_service_errors
def catalog_review(request: HttpRequest, language: str) -> HttpResponse:
    try:
        services.catalog_review_record(language=language, reviewed_by=request.user)  # type: ignore[arg-type]
    except InvalidInput as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"The {language} catalog is marked reviewed as it is now.")
    return redirect("notices:catalogs")


@require_http_methods(["GET", "POST"])
@login_required
@_service_errors
def objections(request: HttpRequest) -> HttpResponse:
    """The reviewers' list of families' objections waiting for a decision; each release is held."""
    waiting = selectors.objections_to_decide(user=request.user)
    return render(request, "notices/objections.html", {"objections": waiting})


@require_POST
@login_required
@_service_errors
def objection_decide(request: HttpRequest, objection_id: int) -> HttpResponse:
    try:
        objection = services.objection_decide(
            objection_id=objection_id,
            decided_by=request.user,  # type: ignore[arg-type]
            action=request.POST.get("action", ""),
            reason=request.POST.get("reason", ""),
        )
    except (InvalidInput, Conflict) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"The objection to {objection.reference} is {objection.state}.")
    return redirect("notices:objections")


@require_http_methods(["GET", "POST"])
@login_required
@_service_errors
def objection_enter(request: HttpRequest) -> HttpResponse:
    """The records office enters an objection a family sent by replying to the letter."""
    services_require_office(request)
    values = {
        name: request.POST.get(name, "") for name in ("reference", "student_id", "raised_by_name", "text")
    }
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        try:
            objection = services.objection_enter(
                reference=values["reference"],
                student_sis_id=values["student_id"],
                raised_by_name=values["raised_by_name"],
                text=values["text"],
                entered_by=request.user,  # type: ignore[arg-type]
            )
        except InvalidInput as error:
            errors = list(error.errors)
        except Conflict as error:
            errors = [("reference", str(error))]
        else:
            messages.success(
                request, f"The objection to {objection.reference} is entered; the release is held."
            )
            return redirect("notices:objection_enter")
    return render(request, "notices/objection_enter.html", {"values": values, "errors": errors})


def services_require_office(request: HttpRequest) -> None:
    if getattr(request.user, "role", None) not in selectors.OFFICE_ROLES:
        raise NotAllowed("only the records office enters objections from letters")
