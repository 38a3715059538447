"""What every app's pages share: who may open a page, the date inputs, and a service's errors on a form.

Any app with pages may import this module; it imports no app but accounts (for the roles). The pages of
the `web` app use it as the policy, training and incident pages do, so no app reaches into `web`.

`role_required` checks the role and attaches typed fields to the request: a visitor who is not signed in
goes to the sign-in page, a signed-in person of another role gets 403, and requesters also get
`request.agency`, the agency their sign-in speaks for, so views never re-derive it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from brightline.accounts.models import Role, User
from brightline.errors import NotAllowed, NotFound, ServiceError

RECORDS_OFFICE = frozenset({Role.RECORDS_CLERK, Role.ADMIN})
# Who records the district's determination of an emergency (rule R1): the records office, and the
# student's principal (casework.services.emergency_determine checks the school).
EMERGENCY_DETERMINERS = RECORDS_OFFICE | {Role.PRINCIPAL}
REVIEWERS = frozenset({Role.SUPERINTENDENT, Role.LEGAL_ADVISOR})
SCHOOL_STAFF = frozenset({Role.PRINCIPAL, Role.SCHOOL_STAFF})
FAMILY = frozenset({Role.PARENT, Role.ELIGIBLE_STUDENT})
REQUESTERS = frozenset({Role.REQUESTER})


class PageRequest(HttpRequest):
    """What a page view receives after `role_required`: a signed-in user and, for requesters, the agency."""

    user: User
    agency: Any


View = Callable[..., HttpResponseBase]


def role_required(roles: frozenset[str]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if getattr(user, "role", None) not in roles:
                raise PermissionDenied("this page is not for your role")
            agency = None
            if user.role == Role.REQUESTER:
                requester = getattr(user, "requester", None)
                if requester is None:
                    raise PermissionDenied("this sign-in does not act for an agency")
                agency = requester.agency
            request.agency = agency  # type: ignore[attr-defined]
            try:
                return view(request, *args, **kwargs)
            except NotFound as error:
                raise Http404(error.message) from error
            except NotAllowed as error:
                raise PermissionDenied(error.message) from error

        return wrapped

    return decorator


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=DATETIME_LOCAL)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def local_datetime_field(label: str, *, required: bool, help_text: str = "") -> forms.DateTimeField:
    # Entered and shown in the district's zone (settings.TIME_ZONE); stored in UTC.
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=DateTimeLocalInput(),
    )


def add_service_errors(
    form: forms.Form, error: ServiceError, field_map: dict[str, str] | None = None
) -> None:
    """Put a service's error messages next to the form fields they name (field paths like
    `students.0.birth_date` or `emergency.ends_at`); anything else goes to the top of the form."""
    pairs = getattr(error, "errors", None) or [(error.field or "", error.message)]
    for path, message in pairs:
        target = _form_field_for(form, str(path), field_map or {})
        form.add_error(target, message)


def _form_field_for(form: forms.Form, path: str, field_map: dict[str, str]) -> str | None:
    candidates = [path, path.replace(".", "_")]
    parts = path.split(".")
    if len(parts) >= 3 and parts[0] == "students" and parts[1].isdigit():
        candidates.insert(0, f"student{int(parts[1]) + 1}_{parts[2]}")
    if len(parts) >= 2 and parts[0] == "students" and parts[1].isdigit():
        candidates.append(f"student{int(parts[1]) + 1}_student_id")
    candidates.append(parts[0])
    for candidate in candidates:
        mapped = field_map.get(candidate, candidate)
        if mapped in form.fields:
            return mapped
    return None


def sentence(message: str) -> str:
    """A service's message as a sentence on a page."""
    text = message.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "."
