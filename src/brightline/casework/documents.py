"""Legal documents that come with requests: checked by content, size-limited, stored outside the web
root, and served only through authorised views."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import FileResponse
from django.utils import timezone

from brightline.accounts.models import User
from brightline.accounts.uploads import PDF_MAGIC
from brightline.casework.models import Document, DocumentKind, Request
from brightline.errors import InvalidInput
from brightline.ledger.services import ledger_append


def pdf_name(name: str | None) -> str:
    """The name a legal document is kept and served under: what it came as, ending in `.pdf` whatever
    it ended in (a document is a PDF by its bytes, so `subpoena.html` is served as `subpoena.pdf`)."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    stem = base[:-4] if base.lower().endswith(".pdf") else base.rsplit(".", 1)[0] if "." in base[1:] else base
    stem = "".join(c for c in stem if c.isprintable() and c not in '"\\;').strip(" .") or "document"
    return f"{stem[:200]}.pdf"


@transaction.atomic
def document_attach(*, request: Request, upload: Any, kind: str, uploaded_by: User | None) -> Document:
    """Store a PDF with its request. The type is read from the bytes, never from the name or header."""
    errors: list[tuple[str, str]] = []
    if kind not in DocumentKind.values:
        errors.append(("kind", f"one of {', '.join(DocumentKind.values)}"))
    size = int(upload.size or 0)
    if size == 0:
        errors.append(("file", "the file is empty"))
    elif size > settings.UPLOAD_MAX_BYTES:
        errors.append(("file", f"larger than the {settings.UPLOAD_MAX_BYTES // (1024 * 1024)} MB limit"))
    else:
        upload.seek(0)
        if upload.read(len(PDF_MAGIC)) != PDF_MAGIC:
            errors.append(("file", "not a PDF document"))
    if errors:
        raise InvalidInput(errors)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    document = Document(
        request=request,
        kind=kind,
        original_name=pdf_name(upload.name),
        content_type="application/pdf",
        size=size,
        sha256=digest.hexdigest(),
        uploaded_by=uploaded_by,
        uploaded_at=timezone.now(),
    )
    document.file.save("document.pdf", upload, save=False)
    document.save()
    ledger_append(
        event_type="request.document_attached",
        subject={"request": str(request.pk), "document": document.pk},
        record={"document": document.pk, "kind": kind, "sha256": document.sha256, "size": size},
    )
    return document


def document_open(*, document: Document, viewer: User | None) -> FileResponse:
    response = FileResponse(
        document.file.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=pdf_name(document.original_name),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
