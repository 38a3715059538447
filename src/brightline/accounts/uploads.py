"""Uploads refused as they stream past `settings.UPLOAD_MAX_BYTES`, before anything is spooled whole."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

# The first bytes of every PDF: legal documents and incident attachments are PDFs only.
PDF_MAGIC = b"%PDF-"


class SizeLimitedUploadHandler(FileUploadHandler):
    """First of `FILE_UPLOAD_HANDLERS`: counts each file's bytes as they arrive and stops the upload as
    soon as one file passes the limit, naming its field on the request (`upload_refused`). The handlers
    after it (memory, then a temporary file) never hold more than the limit and a chunk; the rest of the
    body is read and dropped, so that the client gets its answer."""

    def new_file(self, field_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, *args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_MAX_BYTES:
            self.request.upload_refused = self.field_name  # type: ignore[union-attr]
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler makes the file


def limit_text(limit: int | None = None) -> str:
    limit = settings.UPLOAD_MAX_BYTES if limit is None else limit
    if limit >= 1024 * 1024:
        return f"larger than the {limit / (1024 * 1024):g} MB limit"
    return f"larger than the {limit:,} byte limit"
