"""Who may open a page: a decorator that checks the role and attaches typed fields to the request.

A visitor who is not signed in goes to the sign-in page; a signed-in person of another role gets 403.
Requesters also get `request.agency`, the agency their sign-in speaks for, so views never re-derive it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from brightline.accounts.models import Role, User
from brightline.errors import NotAllowed, NotFound

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

    user: User  # type: ignore[assignment]
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
