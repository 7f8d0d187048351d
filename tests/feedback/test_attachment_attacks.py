"""Attachments as an attack: a pixel bomb is refused from its header, without decoding; what an image or a PDF
carries besides the picture or the printed page (JPEG comments, JavaScript, embedded files, metadata) is not
stored."""

import io
import struct
import time
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageFile
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from feedback.attachments import check_attachment
from feedback.models import Attachment, Case

pytestmark = pytest.mark.django_db

URL = reverse("feedback:case-create")


def _post(client, world, upload):
    return client.post(
        URL,
        {
            "unit": world.unit_a.pk,
            "category": "late_result",
            "text": "Trả kết quả trễ hẹn ba ngày so với giấy hẹn.",
            "files": [upload],
        },
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def pixel_bomb(side: int = 10_000) -> bytes:
    """A valid greyscale PNG of `side` x `side` black pixels: about 100 KB on disk, 100 MB once decoded."""
    compressor = zlib.compressobj(9)
    row = b"\x00" * (side + 1)
    body = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", body) + _chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return pixel_bomb()


def test_a_pixel_bomb_is_refused_within_100_ms_without_decoding(client, world, bomb, monkeypatch):
    decoded = []
    original_load = ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda image: decoded.append(image) or original_load(image))

    started = time.perf_counter()
    with pytest.raises(Exception, match="quá lớn"):
        check_attachment(SimpleUploadedFile("bom.png", bomb, content_type="image/png"))
    elapsed = time.perf_counter() - started
    response = _post(client, world, SimpleUploadedFile("bom.png", bomb, content_type="image/png"))

    assert elapsed < 0.1
    assert decoded == []
    assert response.status_code == 400
    assert "quá lớn (10000 × 10000 điểm ảnh)" in response.content.decode()
    assert Case.objects.count() == Attachment.objects.count() == 0


def test_a_large_photo_within_the_budget_is_kept_scaled_down(client, world):
    out = io.BytesIO()
    Image.new("RGB", (4000, 3000), (90, 140, 200)).save(out, format="JPEG")

    assert _post(client, world, SimpleUploadedFile("lon.jpg", out.getvalue())).status_code == 302

    with Attachment.objects.get().file.open("rb") as stored, Image.open(stored) as image:
        assert max(image.size) == 2560


def test_a_jpeg_comment_does_not_survive(client, world):
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (10, 120, 30)).save(out, format="JPEG", comment=b"secret-comment 0912345678")

    assert _post(client, world, SimpleUploadedFile("p.jpg", out.getvalue())).status_code == 302

    with Attachment.objects.get().file.open("rb") as stored:
        data = stored.read()
    assert b"secret-comment" not in data
    assert "comment" not in Image.open(io.BytesIO(data)).info


def _js(code: str) -> DictionaryObject:
    return DictionaryObject({NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject(code)})


def active_pdf() -> bytes:
    """One page, with JavaScript run on opening the document and the page, a link running JavaScript, an embedded
    file and an author in the metadata."""
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Author": "Nguyen Van Secret"})
    writer.add_attachment("secret.txt", b"embedded-secret-bytes")
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(_js("app.alert('open')"))
    page = writer.pages[0]
    page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): _js("app.alert('page')")})
    link = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([]),
            NameObject("/A"): _js("app.launchURL('http://attacker.example')"),
        }
    )
    page[NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_pdf_with_javascript_is_stored_without_active_content_or_metadata(client, world):
    original = active_pdf()
    assert b"/JavaScript" in original and b"embedded-secret" in original

    assert _post(client, world, SimpleUploadedFile("don.pdf", original)).status_code == 302

    with Attachment.objects.get().file.open("rb") as stored:
        data = stored.read()
    for marker in (b"/JavaScript", b"/JS", b"/OpenAction", b"/AA", b"/EmbeddedFile", b"embedded-secret", b"Secret"):
        assert marker not in data, marker
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    assert not reader.metadata


def test_an_encrypted_pdf_is_refused(client, world):
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("mat-khau")
    out = io.BytesIO()
    writer.write(out)

    response = _post(client, world, SimpleUploadedFile("khoa.pdf", out.getvalue()))

    assert response.status_code == 400
    assert "mã hóa" in response.content.decode()
