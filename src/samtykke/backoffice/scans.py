"""Scans of signed paper forms: checked by their content, stored through Django's storage."""

from __future__ import annotations

import hashlib
import io
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_SCAN_BYTES = 10 * 1024 * 1024
# What the file starts with, not what it is called: (magic bytes, extension, content type).
KINDS = [
    (b"%PDF-", "pdf", "application/pdf"),
    (b"\xff\xd8\xff", "jpg", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png", "image/png"),
]


@dataclass(frozen=True)
class Scan:
    content: bytes
    extension: str
    content_type: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def check_scan(upload: UploadedFile) -> Scan:
    """The upload as a scan, or ``ValidationError`` saying why not."""
    if upload.size is not None and upload.size > MAX_SCAN_BYTES:
        raise ValidationError(_("The scan is larger than 10 MB."), code="too_large")
    content = upload.read(MAX_SCAN_BYTES + 1)
    if len(content) > MAX_SCAN_BYTES:
        raise ValidationError(_("The scan is larger than 10 MB."), code="too_large")
    for magic, extension, content_type in KINDS:
        if content.startswith(magic):
            if extension != "pdf":
                _check_image(content)
            elif b"%%EOF" not in content[-2048:]:
                raise ValidationError(_("The PDF file is incomplete."), code="bad_pdf")
            return Scan(content, extension, content_type)
    raise ValidationError(
        _("The scan must be a PDF, JPEG or PNG file (this file is none of them)."),
        code="bad_type",
    )


def _check_image(content: bytes) -> None:
    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(_("The image file is damaged."), code="bad_image") from exc


def store_scan(scan: Scan, *, dealer_slug: str, customer_id: int) -> dict[str, Any]:
    """Save the scan under an unguessable name; returns the evidence to keep in the ledger."""
    name = f"scans/{dealer_slug}/{customer_id}/{uuid.uuid4().hex}.{scan.extension}"
    stored = default_storage.save(name, ContentFile(scan.content))
    return {
        "path": stored,
        "sha256": scan.sha256,
        "content_type": scan.content_type,
        "size": len(scan.content),
    }
