"""Checking citizens' attachments by their content, never by their name or declared type.

Images must open and verify with Pillow and are re-encoded from their pixels, which drops every piece of
metadata (EXIF GPS position, camera, comments). PDFs must start with `%PDF-` and parse with pypdf. Limits come
from settings at call time: `PAKN_MAX_ATTACHMENTS` (default 3) and `PAKN_MAX_ATTACHMENT_BYTES` (default 5 MB).
"""

import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError

IMAGE_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp")}
MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed the checks, with the bytes to store (re-encoded for images)."""

    original_name: str
    extension: str
    content_type: str
    data: bytes


def max_attachments() -> int:
    return int(getattr(settings, "PAKN_MAX_ATTACHMENTS", 3))


def max_attachment_bytes() -> int:
    return int(getattr(settings, "PAKN_MAX_ATTACHMENT_BYTES", 5 * 1024 * 1024))


def _reencode_image(data: bytes, name: str) -> CheckedFile:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(data))
        if image.format not in IMAGE_FORMATS:
            raise UnidentifiedImageError(image.format)
        if image.width * image.height > MAX_PIXELS:
            raise ValidationError(_("Ảnh “%(name)s” quá lớn về kích thước điểm ảnh.") % {"name": name})
        image.load()
        fmt = image.format
        image = ImageOps.exif_transpose(image)
        if fmt == "JPEG" and image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        out = io.BytesIO()
        # Saving from the pixels only (no exif=, no info) drops all metadata.
        image.save(out, format=fmt)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise ValidationError(
            _("Tệp “%(name)s” không phải là ảnh hợp lệ (JPEG, PNG, WEBP) hay tệp PDF.") % {"name": name}
        ) from error
    extension, content_type = IMAGE_FORMATS[fmt]
    return CheckedFile(original_name=name, extension=extension, content_type=content_type, data=out.getvalue())


def _check_pdf(data: bytes, name: str) -> CheckedFile:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if len(reader.pages) < 1:
            raise PyPdfError("no page")
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as error:
        raise ValidationError(_("Tệp “%(name)s” không phải là tệp PDF hợp lệ.") % {"name": name}) from error
    return CheckedFile(original_name=name, extension="pdf", content_type="application/pdf", data=data)


def check_attachment(upload: UploadedFile) -> CheckedFile:
    """Check one upload; raise ValidationError with a message naming the file when it is refused."""
    name = (upload.name or "tep").rsplit("/", 1)[-1][:200]
    limit = max_attachment_bytes()
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            _("Tệp “%(name)s” vượt quá dung lượng cho phép (%(limit)s).")
            % {"name": name, "limit": filesizeformat(limit)}
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            _("Tệp “%(name)s” vượt quá dung lượng cho phép (%(limit)s).")
            % {"name": name, "limit": filesizeformat(limit)}
        )
    if data.startswith(b"%PDF-"):
        return _check_pdf(data, name)
    return _reencode_image(data, name)


def check_attachments(uploads: list[UploadedFile]) -> list[CheckedFile]:
    """Check a whole set; every file is checked before anything is stored, so nothing is half-saved."""
    if len(uploads) > max_attachments():
        raise ValidationError(_("Chỉ được đính kèm tối đa %(count)d tệp.") % {"count": max_attachments()})
    errors, checked = [], []
    for upload in uploads:
        try:
            checked.append(check_attachment(upload))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return checked
