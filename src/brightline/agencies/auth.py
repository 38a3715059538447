"""Authentication for the JSON API.

Each class attaches typed fields to the request so that handlers never re-derive them:
`request.agency` (the verified agency a token or a requester's session speaks for),
`request.api_token` (when a token was used) and `request.staff` (a signed-in district staff member).

Every operation open to agency tokens states the token scope(s) it needs, by the auth list it is given:
`agency_with_scope(TokenScope.SUBMIT)`, `staff_or_agency_with_scope(TokenScope.READ_OWN)` and so on.
A token without every scope named answers 403 before the handler runs, whatever the method. Sessions
are not scoped: their role decides.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from brightline.accounts.mfa import mfa_session_satisfied
from brightline.accounts.models import User
from brightline.agencies.models import TokenScope
from brightline.agencies.services import api_token_authenticate
from brightline.errors import NotAllowed

# What each scope lets a token do, as the sentence of a refusal says it.
SCOPE_WORDS: dict[str, str] = {
    TokenScope.SUBMIT: "submit requests",
    TokenScope.READ_OWN: "read the agency's own requests",
}


def require_scope(request: HttpRequest, scope: str) -> None:
    """Raise NotAllowed (403) when the request came with an API token that lacks `scope`.

    Sessions are not scoped: their role decides."""
    api_token = getattr(request, "api_token", None)
    if api_token is not None and not api_token.has_scope(scope):
        raise NotAllowed(
            f"This token may not {SCOPE_WORDS.get(scope, 'do this')}: ask the records office for a token that may."
        )


class ApiRequest(HttpRequest):
    """What handlers receive after authentication: the typed fields these classes attach."""

    agency: Any
    api_token: Any
    staff: User | None
    user: User


class AgencyTokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`: the token's agency is the requester, whatever the body says.

    A revoked or unknown token answers 401; a token without every scope in `scopes` answers 403. Use
    `agency_with_scope` / `staff_or_agency_with_scope`, which make one subclass per set of scopes so that
    the OpenAPI document names the scopes each operation needs."""

    scopes: tuple[str, ...] = ()
    openapi_description = "An agency's API token, issued by the records office."

    def __init__(self) -> None:
        super().__init__()
        if not self.scopes:
            raise TypeError("an operation open to agency tokens states the token scope(s) it needs")

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = api_token_authenticate(token)
        if api_token is None:
            return None
        request.agency = api_token.agency  # type: ignore[attr-defined]
        request.api_token = api_token  # type: ignore[attr-defined]
        request.staff = None  # type: ignore[attr-defined]
        for scope in self.scopes:
            require_scope(request, scope)
        return api_token


_TOKEN_AUTHS: dict[tuple[str, ...], type[AgencyTokenAuth]] = {}


def token_auth(*scopes: str) -> AgencyTokenAuth:
    """The bearer-token authentication of an operation that needs `scopes` (each a `TokenScope`)."""
    known = set(TokenScope.values)
    if not scopes or not set(scopes) <= known:
        raise ValueError(f"token scopes: one or more of {sorted(known)}; got {list(scopes)}")
    chosen = tuple(sorted({str(scope) for scope in scopes}))
    if chosen not in _TOKEN_AUTHS:
        # One class per set of scopes: ninja names the OpenAPI security scheme after the class.
        name = "AgencyToken_" + "_".join(chosen)
        _TOKEN_AUTHS[chosen] = type(
            name,
            (AgencyTokenAuth,),
            {
                "scopes": chosen,
                "openapi_description": (
                    "An agency's API token, issued by the records office, with the scope(s) "
                    + " and ".join(f"`{scope}`" for scope in chosen)
                    + "."
                ),
            },
        )
    return _TOKEN_AUTHS[chosen]()


class _SessionAuth(APIKeyCookie):
    """A signed-in browser session, with Django's CSRF check on unsafe methods."""

    param_name = "sessionid"

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        from django.conf import settings

        self.param_name = settings.SESSION_COOKIE_NAME
        if self.param_name not in request.COOKIES:
            # No session to forge a request with: nothing for the CSRF check to protect, and a caller
            # with only a token is told it is not let in (401), not that a check it never took failed.
            return None
        return super()._get_key(request)

    def admit(self, user: User) -> bool:
        """Whether this kind of session may use the endpoint; subclasses widen it."""
        return False

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if not self.admit(user):
            return None
        # A session that has not shown its second factor is not signed in as far as the API goes.
        if not mfa_session_satisfied(request):
            return None
        request.api_token = None  # type: ignore[attr-defined]
        request.staff = user if user.is_district_staff else None  # type: ignore[attr-defined]
        requester = getattr(user, "requester", None) if user.role == "requester" else None
        request.agency = requester.agency if requester is not None else None  # type: ignore[attr-defined]
        return user


class StaffSessionAuth(_SessionAuth):
    def admit(self, user: User) -> bool:
        return user.is_district_staff


class RequesterSessionAuth(_SessionAuth):
    def admit(self, user: User) -> bool:
        return user.role == "requester" and hasattr(user, "requester")


class AnySessionAuth(_SessionAuth):
    def admit(self, user: User) -> bool:
        return True


# Handlers pick one of these; ninja tries each authentication in turn.
staff_only = [StaffSessionAuth()]


def agency_with_scope(*scopes: str) -> list[Any]:
    """The agency's own people: a token with `scopes`, or a signed-in requester of the agency."""
    return [token_auth(*scopes), RequesterSessionAuth()]


def staff_or_agency_with_scope(*scopes: str) -> list[Any]:
    """District staff (by role, in the handler and its selectors) or the agency: a token with `scopes`,
    or a signed-in requester."""
    return [token_auth(*scopes), StaffSessionAuth(), RequesterSessionAuth()]
