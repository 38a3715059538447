"""The one JSON API, mounted at /api/v1/. Each app contributes a router from its own api.py."""

from __future__ import annotations

from importlib import import_module

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError

from brightline.errors import ServiceError

api = NinjaAPI(
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
    # Every problem with its field path, so an agency's developer can fix the body in one go.
    return api.create_response(request, {"detail": exc.errors}, status=422)


@api.exception_handler(ServiceError)
def service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.as_detail()}, status=exc.status)


# (module, mount prefix) — each module exposes `router`.
ROUTERS = [
    ("brightline.policy.api", "/"),
    ("brightline.roster.api", "/"),
    ("brightline.agencies.api", "/"),
    ("brightline.casework.api", "/"),
    ("brightline.disclosures.api", "/"),
    ("brightline.notices.api", "/"),
    ("brightline.ledger.api", "/ledger/"),
    ("brightline.transparency.api", "/transparency/"),
    ("brightline.incidents.api", "/incidents/"),
    ("brightline.training.api", "/training/"),
    ("brightline.operations.api", "/"),
]

for module_name, prefix in ROUTERS:
    try:
        module = import_module(module_name)
    except ModuleNotFoundError as error:
        # An app without an API yet; any other import failure is a real bug and must surface.
        if error.name != module_name:
            raise
        continue
    api.add_router(prefix, module.router)
