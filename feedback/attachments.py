"""Checking citizens' attachments by their content, never by their name or declared type, and rewriting them so that
nothing but the picture or the printed pages reaches an officer's machine.

Images: the header is read first (format and dimensions, no pixel decoded) and an image over the pixel budget
`PAKN_MAX_IMAGE_PIXELS` (default 16 million) is refused at once: a few kilobytes of PNG can otherwise expand to
gigabytes of pixels. An image within the budget is verified, scaled down to `MAX_IMAGE_SIDE` pixels on its long
side (a JPEG is decoded directly at a reduced scale, which costs a fraction of a full decode) and re-encoded from
its pixels with an empty info dictionary, which drops every piece of metadata (EXIF GPS position, camera, JPEG
comments, PNG text chunks, ICC profiles).

PDFs must start with `%PDF-`, parse with pypdf and not be encrypted; they are rewritten page by page into a new
document: the document-level JavaScript, open actions, forms, embedded files, outlines and metadata are not carried
over, and each page loses its actions, annotations (links, form fields, file attachments) and metadata.

Limits come from settings at call time: `PAKN_MAX_ATTACHMENTS` (default 3), `PAKN_MAX_ATTACHMENT_BYTES` (default
5 MB) and `PAKN_MAX_IMAGE_PIXELS`.
"""

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError

IMAGE_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp")}
MAX_IMAGE_SIDE = 2560
# What a page may carry that is not printed content: actions run on opening or closing it, annotations (links
# with actions, form fields, attached files, rich media), its own metadata.
PAGE_KEYS_DROPPED = ("/AA", "/Annots", "/Metadata", "/PieceInfo", "/B", "/Thumb")


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


def max_image_pixels() -> int:
    return int(getattr(settings, "PAKN_MAX_IMAGE_PIXELS", 16_000_000))


def _not_an_image(name: str) -> ValidationError:
    return ValidationError(
        _("Tệp “%(name)s” không phải là ảnh hợp lệ (JPEG, PNG, WEBP) hay tệp PDF.") % {"name": name}
    )


def _reencode_image(data: bytes, name: str) -> CheckedFile:
    try:
        # Opening reads the header only: the format and the dimensions are known before any pixel is decoded.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
        fmt = image.format
    except Image.DecompressionBombError as error:
        raise ValidationError(_("Ảnh “%(name)s” quá lớn về kích thước điểm ảnh.") % {"name": name}) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise _not_an_image(name) from error
    if fmt not in IMAGE_FORMATS:
        raise _not_an_image(name)
    if image.width * image.height > max_image_pixels():
        raise ValidationError(
            _("Ảnh “%(name)s” quá lớn (%(width)d × %(height)d điểm ảnh). Hãy gửi ảnh nhỏ hơn.")
            % {"name": name, "width": image.width, "height": image.height}
        )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        if fmt == "JPEG":
            # Decode at 1/2, 1/4 or 1/8 scale straight away when the photo is larger than what is kept.
            image.draft("RGB", (MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
        image.load()
        image = ImageOps.exif_transpose(image)
        image.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
        if fmt == "JPEG" and image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        # Encoders read metadata (a JPEG comment, EXIF, ICC profile, XMP) from `info` too: keep only the palette's
        # transparency, which is part of the picture.
        image.info = {key: value for key, value in image.info.items() if key == "transparency"}
        out = io.BytesIO()
        image.save(out, format=fmt)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise _not_an_image(name) from error
    extension, content_type = IMAGE_FORMATS[fmt]
    return CheckedFile(original_name=name, extension=extension, content_type=content_type, data=out.getvalue())


def _rewrite_pdf(data: bytes, name: str) -> CheckedFile:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ValidationError(
                _("Tệp “%(name)s” được đặt mật khẩu hoặc mã hóa: hãy gửi bản không mã hóa.") % {"name": name}
            )
        if len(reader.pages) < 1:
            raise PyPdfError("no page")
        writer = PdfWriter()
        for page in reader.pages:
            # Dropped from the parsed page before copying it: what is copied is only what the page still refers to.
            for key in PAGE_KEYS_DROPPED:
                page.pop(key, None)
            writer.add_page(page)
        # No document information dictionary at all (author, title, producer, dates).
        writer.metadata = None
        out = io.BytesIO()
        writer.write(out)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, AttributeError, RecursionError) as error:
        raise ValidationError(_("Tệp “%(name)s” không phải là tệp PDF hợp lệ.") % {"name": name}) from error
    return CheckedFile(original_name=name, extension="pdf", content_type="application/pdf", data=out.getvalue())


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
        return _rewrite_pdf(data, name)
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
