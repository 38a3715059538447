"""The one JSON API, mounted at /api/v1/. Each app contributes a router from its own api.py."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError, ValidationErrorContext

from brightline.casework.api import router as casework_router
from brightline.disclosures.api import router as disclosures_router
from brightline.errors import ServiceError, readable, sentence
from brightline.incidents.api import router as incidents_router
from brightline.ledger.api import router as ledger_router
from brightline.operations.api import router as operations_router
from brightline.policy.api import router as policy_router
from brightline.transparency.api import router as transparency_router


class BrightLineAPI(NinjaAPI):
    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext[Any]]
    ) -> ValidationError:
        """An operation whose body is one schema names its problems as the body's own fields
        (`["body", "students", 0, "birth_date"]`), as a service's InvalidInput does, not under the
        handler's argument name."""
        errors = []
        for context in error_contexts:
            argument = getattr(context.model, "__read_from_single_attr__", None)
            for error in super().validation_error_from_error_contexts([context]).errors:
                loc = tuple(error["loc"])
                if argument and loc[:2] == ("body", argument):
                    error["loc"] = ("body", *loc[2:])
                errors.append(error)
        return ValidationError(errors)


api = BrightLineAPI(
    title="Bright Line API",
    version="1",
    description=(
        "Requests for student records by outside parties, their triage under the district's policy, "
        "decisions, releases and the public ledger. Agencies authenticate with a bearer token; "
        "district staff with their signed-in session."
    ),
    urls_namespace="api",
)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    # Every problem with its field path, so an agency's developer can fix the body in one go: `loc`,
    # `type` and `ctx` for programs, `msg` a sentence for people (the allowed values by their labels).
    detail = [{**error, "msg": readable(error)} for error in exc.errors]
    return api.create_response(request, {"detail": detail}, status=422)


_NINJA_SAID = {
    "Cannot parse request body": "The body is not valid JSON.",
    "Unauthorized": (
        "Sign in as someone who may use this operation, or send a token that may, in the Authorization "
        "header as a bearer token."
    ),
}


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # django-ninja's own refusals (a body that is not JSON) and the ledger's, said as sentences too.
    message = str(exc.message)
    said = _NINJA_SAID.get(message) or sentence(message)
    return api.create_response(request, {"detail": said}, status=exc.status_code)


@api.exception_handler(ServiceError)
def service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.as_detail()}, status=exc.status)


# Each app with an API mounts its router here, in this order; an app without one is simply not listed.
api.add_router("/", policy_router)
api.add_router("/", casework_router)
api.add_router("/", disclosures_router)
api.add_router("/ledger/", ledger_router)
api.add_router("/transparency/", transparency_router)
api.add_router("/incidents/", incidents_router)
api.add_router("/", operations_router)
