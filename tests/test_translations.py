"""Every page in both languages: in English no Vietnamese-only text is left; in Vietnamese no English UI string.

How the walk works
- PAGES lists the pages to render: a URL name, the role that opens it (None is an anonymous citizen), the URL
  arguments and query, the expected status and, for a page that only a form submission shows, the POST data. The
  callables receive the `Demo` built by the `demo` fixture (the demo world of `load_demo` plus a rating, a PAKN
  case, tokens, a poster batch, an export, quarantined ratings...).
- EXCLUDED names the URL patterns that are not pages (files, JSON, redirects after a POST), each with its reason.
  `test_every_named_url_is_walked_or_excluded` walks the URL resolver: a new named URL (outside the admin and the
  API) that is neither in PAGES nor in EXCLUDED fails it. Likewise every page template must be rendered by the
  walk or be listed in TEMPLATES_EXCLUDED.
- Error pages (400, 403, 404, 429, 500, 503) are rendered through Django's own handlers, the project's CSRF
  failure view and the middleware that answers 503 when the database is down.

To cover a new page: add a `Page(...)` line (and, if it needs an object, a field to `Demo`). Text that comes from
the data (unit and counter names, what citizens and staff wrote) is not UI text and is ignored in English.
"""

import datetime
import io
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone, translation

from feedback.models import Case, CaseEvent
from feedback.services import ContactInput, answer_case, approve_answer, change_case_status, submit_case
from indices.models import ReportExport
from indices.periods import periods_containing
from indices.services import compute_indices
from survey import services as survey_services
from survey.models import Counter, IntegrityAlert, PosterBatch, QuestionnaireItem, Rating, Unit, UnitGroup, User
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "demo-pass-2026"
VIETNAMESE_LETTERS = re.compile(
    "[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ"
    "ÀÁẠẢÃÂẦẤẬẨẪĂẰẮẶẲẴÈÉẸẺẼÊỀẾỆỂỄÌÍỊỈĨÒÓỌỎÕÔỒỐỘỔỖƠỜỚỢỞỠÙÚỤỦŨƯỪỨỰỬỮỲÝỴỶỸĐ]"
)
# What the walk's forms type in (echoed back by a form with errors or a confirmation page).
TYPED = ["ngắn", "Một thiết bị"]
# Vietnamese words that are right on an English page.
ALLOWED_IN_ENGLISH = [
    "Tiếng Việt",  # the language switch names the language in that language
    "Hài lòng",  # the product's name
]


# --- The demo world ---------------------------------------------------------------------------------------------


@dataclass
class Demo:
    unit: Unit
    counter: Counter
    officer: User
    lead: User
    province: User
    rating: Rating
    low_rating: Rating
    case: Case
    answered_case: Case
    draft_case: Case  # an officer's answer awaiting the lead's approval
    approved_case: Case  # approved, awaiting publication
    kiosk_token: str
    dossier_token: str
    retired_code: str
    batch: PosterBatch
    export: ReportExport
    quarantined_ids: str
    data: list[str] = field(default_factory=list)
    inspector: User | None = None  # the provincial inspectorate
    fees_case: Case | None = None  # a complaint against officials (extra fees), which the inspectorate sees


@pytest.fixture
def demo(settings, tmp_path) -> Demo:
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", password=PASSWORD, stdout=io.StringIO())
    unit = Unit.objects.get(code="so-tu-phap")
    counter = unit.counters.filter(is_active=True).first()
    officer = User.objects.get(username=f"officer-{unit.code}")
    lead = User.objects.get(username=f"lead-{unit.code}")
    province = User.objects.get(username="province")

    rating = survey_services.submit_rating(counter=counter, score=4, idempotency_key=uuid.uuid4())
    low_rating = survey_services.submit_rating(counter=counter, score=1, idempotency_key=uuid.uuid4())
    # Item answers and stored figures, so that the dashboard shows every table with rows (criteria included).
    items = QuestionnaireItem.objects.filter(questionnaire_id=rating.questionnaire_id).values_list("pk", flat=True)
    survey_services.answer_rating(rating=rating, answers=dict.fromkeys(items, 4))
    survey_services.answer_rating(rating=low_rating, answers=dict.fromkeys(items, 2))
    # Two ratings from one device in the morning: quarantined, with an alert the province must review.
    start = timezone.now() - datetime.timedelta(hours=3)
    suspicious = [
        factories.make_rating(
            counter=counter, score=1, status=Rating.Status.QUARANTINED, flags=["device_cooldown"], created_at=start
        )
        for _ in range(2)
    ]
    IntegrityAlert.objects.create(
        kind=IntegrityAlert.Kind.BURST,
        counter=counter,
        unit=unit,
        window_start=start,
        window_end=start + datetime.timedelta(minutes=30),
        vote_count=40,
        expected_count=6.5,
        notified_at=start,
        recipient_count=1,
    )

    case = submit_case(
        unit=unit,
        counter=counter,
        category="late_result",
        text="Hẹn trả kết quả ngày thứ Hai nhưng đến thứ Sáu vẫn chưa có.",
        contact=ContactInput(name="Nguyễn Văn An", email="an@example.vn", consent_reply=True),
    )
    answered_case, draft_case, approved_case = (
        submit_case(unit=unit, category="attitude", text=text)
        for text in (
            "Cán bộ không hướng dẫn rõ ràng thủ tục.",
            "Phòng chờ không có chỗ ngồi.",
            "Quầy mở cửa muộn.",
        )
    )
    for answered in (answered_case, draft_case, approved_case):
        change_case_status(case=answered, by=officer, to="accepted")
        change_case_status(case=answered, by=officer, to="in_progress")
    factories.publish_pakn_answer(
        answered_case, officer=officer, lead=lead, text="Đơn vị đã nhắc nhở cán bộ và hướng dẫn lại thủ tục."
    )
    answer_case(case=draft_case, by=officer, text="Đơn vị sẽ bổ sung ghế trong tháng này.")
    answer_case(case=approved_case, by=officer, text="Quầy đã mở cửa đúng giờ từ tuần này.")
    approve_answer(case=approved_case, by=lead)

    kiosk = survey_services.issue_kiosk_token(counter=counter, by=officer, label="Máy quầy 1")
    link = survey_services.mint_dossier_link(counter=counter, dossier_code="HS-2017-0001")
    retired_counter = unit.counters.exclude(pk=counter.pk).filter(is_active=True).first() or factories.make_counter(
        unit=unit, name="Quầy số 9"
    )
    retired_code = retired_counter.code
    survey_services.rotate_counter_code(counter=retired_counter, by=officer)
    batch = PosterBatch.objects.create(unit=unit, requested_by=officer, total=3, done=1)
    export = ReportExport.objects.create(requested_by=province, year=2017, format=ReportExport.Format.PDF)
    compute_indices(periods=periods_containing(timezone.localdate()))
    inspector = factories.make_user(username="thanh-tra-tinh", role=User.Role.INSPECTOR)
    fees_case = submit_case(unit=unit, category="extra_fees", text="Cán bộ đòi thêm 200.000 đồng ngoài lệ phí.")

    # Text that comes from the data, not from the UI: ignored when looking for Vietnamese on English pages.
    data = [
        *Unit.objects.values_list("name", flat=True),
        *Unit.objects.values_list("short_name", flat=True),
        *Counter.objects.values_list("name", flat=True),
        *UnitGroup.objects.filter(name_en="").values_list("name", flat=True),
        *Case.objects.values_list("text", flat=True),
        *Case.objects.values_list("public_answer", flat=True),
        *Case.objects.values_list("draft_answer", flat=True),
        *CaseEvent.objects.values_list("note", flat=True),
        "Nguyễn Văn An",
        "Máy quầy 1",
        *TYPED,
    ]
    return Demo(
        unit=unit,
        counter=counter,
        officer=officer,
        lead=lead,
        province=province,
        rating=rating,
        low_rating=low_rating,
        case=case,
        answered_case=answered_case,
        draft_case=draft_case,
        approved_case=approved_case,
        kiosk_token=kiosk.token,
        dossier_token=link.token,
        retired_code=retired_code,
        batch=batch,
        export=export,
        quarantined_ids=",".join(str(r.pk) for r in suspicious),
        data=sorted({text for text in data if text}, key=len, reverse=True),
        inspector=inspector,
        fees_case=fees_case,
    )


# --- The pages --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    name: str
    role: str | None = None  # None: an anonymous citizen; else "officer", "lead" or "province"
    kwargs: Callable[[Demo], dict] = lambda d: {}
    query: str = ""
    status: int = 200
    post: Callable[[Demo], dict] | None = None  # a page that a form submission shows

    def url(self, demo: Demo) -> str:
        return reverse(self.name, kwargs=self.kwargs(demo)) + (f"?{self.query}" if self.query else "")

    def __str__(self) -> str:
        return f"{'POST' if self.post else 'GET'} {self.name} as {self.role or 'citizen'} {self.query}".strip()


def _code(d: Demo) -> dict:
    return {"code": d.counter.code}


PAGES = [
    # Citizens
    Page("home"),
    Page("login"),
    Page("survey:rate", kwargs=_code),
    Page("survey:rate", kwargs=lambda d: {"code": d.retired_code}, status=410),
    Page("survey:rate", kwargs=lambda d: {"code": "khong-co-ma-nay"}, status=404),
    Page("survey:rate", kwargs=_code, post=lambda d: {"score": "9", "key": str(uuid.uuid4())}, status=400),
    Page("survey:rate-dossier", kwargs=lambda d: {"token": d.dossier_token}),
    Page("survey:rating-answer", kwargs=lambda d: {"key": d.low_rating.idempotency_key}),
    Page("survey:rating-thanks", kwargs=lambda d: {"key": d.low_rating.idempotency_key}),
    Page("survey:rating-thanks", kwargs=lambda d: {"key": d.rating.idempotency_key}),
    Page("survey:kiosk", kwargs=lambda d: {"token": d.kiosk_token}),
    Page("survey:kiosk-answer", kwargs=lambda d: {"token": d.kiosk_token, "key": d.rating.idempotency_key}),
    Page("survey:kiosk-thanks", kwargs=lambda d: {"token": d.kiosk_token, "key": d.rating.idempotency_key}),
    Page("feedback:case-create", query="counter={code}&rating={key}"),
    Page("feedback:case-create", post=lambda d: {"unit": d.unit.pk, "text": TYPED[0]}, status=400),
    Page("feedback:case-lookup"),
    Page("feedback:case-lookup", post=lambda d: {"code": "KHONGCOMA1234567"}, status=404),
    Page("feedback:case-code-request", post=lambda d: {"contact": "khong-hop-le"}, status=400),
    # A likely duplicate of the demo case (same contact, same unit, same text): shown before filing.
    Page(
        "feedback:case-create",
        post=lambda d: {
            "unit": d.unit.pk,
            "category": "late_result",
            "text": d.case.text,
            "email": "an@example.vn",
            "consent_reply": "on",
        },
    ),
    Page("feedback:case-track", kwargs=lambda d: {"code": d.case.tracking_code}),
    Page("feedback:case-track", kwargs=lambda d: {"code": d.answered_case.tracking_code}),
    Page("feedback:case-track", kwargs=lambda d: {"code": d.approved_case.tracking_code}),
    Page("feedback:data-request-create"),
    Page(
        "feedback:data-request-create",
        post=lambda d: {"code": d.case.tracking_code, "contact": "an@example.vn", "kind": "see"},
    ),
    # Unit staff
    Page("home", role="officer"),
    Page("feedback:case-list", role="officer"),
    Page("feedback:case-detail", role="officer", kwargs=lambda d: {"pk": d.case.pk}),
    Page("feedback:case-detail", role="officer", kwargs=lambda d: {"pk": d.answered_case.pk}),
    Page("feedback:case-detail", role="officer", kwargs=lambda d: {"pk": d.draft_case.pk}),
    Page("feedback:case-detail", role="officer", kwargs=lambda d: {"pk": d.approved_case.pk}),
    Page(
        "feedback:case-approve",
        role="officer",
        kwargs=lambda d: {"pk": d.draft_case.pk},
        post=lambda d: {"text": TYPED[0]},
        status=403,
    ),
    # A unit lead approves or returns answers.
    Page("feedback:case-detail", role="lead", kwargs=lambda d: {"pk": d.draft_case.pk}),
    Page("feedback:case-detail", role="lead", kwargs=lambda d: {"pk": d.approved_case.pk}),
    Page("feedback:case-return", role="lead", kwargs=lambda d: {"pk": d.draft_case.pk}, post=lambda d: {}, status=400),
    Page("feedback:case-events", role="officer", kwargs=lambda d: {"pk": d.case.pk}),
    # The provincial inspectorate: its inbox and a complaint against officials.
    Page("feedback:case-list", role="inspector"),
    Page("feedback:case-detail", role="inspector", kwargs=lambda d: {"pk": d.fees_case.pk}),
    Page("survey:counter-list", role="officer", status=302),  # straight to the officer's own unit
    Page("survey:unit-counters", role="officer", kwargs=lambda d: {"unit_id": d.unit.pk}),
    Page("survey:poster-batch-detail", role="officer", kwargs=lambda d: {"pk": d.batch.pk}),
    Page("survey:counter-rotate", role="officer", kwargs=lambda d: {"pk": d.counter.pk}),
    Page("survey:kiosk-token-create", role="officer", kwargs=lambda d: {"pk": d.counter.pk}),
    Page(
        "survey:kiosk-token-create",
        role="officer",
        kwargs=lambda d: {"pk": d.counter.pk},
        post=lambda d: {"label": "Máy quầy 1"},
    ),
    Page("survey:dossier-link-create", role="officer", kwargs=lambda d: {"pk": d.counter.pk}),
    Page(
        "survey:dossier-link-create",
        role="officer",
        kwargs=lambda d: {"pk": d.counter.pk},
        post=lambda d: {"dossier_code": "HS-2017-0002"},
    ),
    Page("survey:unit-integrity-history", role="officer", kwargs=lambda d: {"unit_code": d.unit.code}),
    Page("reports:report-show", role="officer", status=403),
    Page("indices:dashboard-home", role="officer", status=302),  # straight to the officer's own unit
    Page("indices:unit-dashboard", role="officer", kwargs=lambda d: {"unit_id": d.unit.pk}),
    Page("indices:unit-dashboard", role="officer", kwargs=lambda d: {"unit_id": d.unit.pk}, query="ky=2017-Q2"),
    Page(
        "indices:unit-dashboard",
        role="officer",
        kwargs=lambda d: {"unit_id": d.unit.pk},
        query="ky=2017-13",
        status=400,
    ),
    Page(
        "indices:unit-dashboard",
        role="officer",
        kwargs=lambda d: {"unit_id": d.unit.pk},
        query="ky=2017-03-01..2017-02-01",
        status=400,
    ),
    Page(
        "indices:table-export",
        role="officer",
        kwargs=lambda d: {"unit_id": d.unit.pk, "table": "criteria", "fmt": "pdf"},
        status=400,
    ),
    # Provincial staff
    Page("home", role="province"),
    Page("feedback:case-list", role="province"),
    Page("feedback:case-overview", role="province"),
    Page("feedback:case-detail", role="province", kwargs=lambda d: {"pk": d.case.pk}),
    Page("feedback:data-request-list", role="province"),
    Page("survey:counter-list", role="province"),
    Page("survey:quarantine-list", role="province"),
    Page(
        "survey:quarantine-confirm",
        role="province",
        post=lambda d: {"clusters": d.quarantined_ids, "decision": "exclude", "reason": TYPED[1]},
    ),
    Page("survey:unit-integrity-history", role="province", kwargs=lambda d: {"unit_code": d.unit.code}),
    Page("indices:dashboard-home", role="province"),
    Page("indices:dashboard-home", role="province", query="ky=2017"),
    Page("indices:dashboard-home", role="province", query="ky=mot-nam", status=400),
    Page("indices:unit-dashboard", role="province", kwargs=lambda d: {"unit_id": d.unit.pk}),
    Page(
        "indices:unit-dashboard",
        role="province",
        kwargs=lambda d: {"unit_id": d.unit.pk},
        query="ky=2017-01-01..2017-03-15",
    ),
    Page("reports:report-show", role="province", query="year=2017"),
    Page("reports:report-show", role="province", query="year=nam", status=400),
    Page("reports:export-show", role="province", kwargs=lambda d: {"pk": d.export.pk}),
    Page("reports:scheme-edit", role="province"),
    Page("reports:cchc-list", role="province", query="year=2017"),
    Page("reports:cchc-edit", role="province"),
    Page("reports:cchc-import", role="province"),
]

EXCLUDED = {
    "set_language": "the language switch's POST endpoint; it redirects",
    "healthz": "a load balancer's probe, plain text",
    "logout": "POST only; it redirects",
    "feedback:case-rate": "POST only; it redirects to the tracking page (walked)",
    "feedback:case-appeal": "POST only; it redirects to the tracking page (walked)",
    "feedback:case-inform": "POST only; it redirects to the tracking page (walked)",
    "feedback:case-transition": "POST only; it redirects to the case page (walked)",
    "feedback:case-answer": "POST only; it redirects to the case page (walked)",
    "feedback:case-publish": "POST only; it redirects to the case page (walked)",
    "feedback:case-note": "POST only; it redirects to the case page (walked)",
    "feedback:case-assign": "POST only; it redirects to the case page (walked)",
    "feedback:case-transfer": "POST only; it redirects to the case page or the inbox (walked)",
    "feedback:attachment-download": "a citizen's file",
    "feedback:data-request-record": "POST only; it redirects to the request list (walked)",
    "feedback:data-request-complete": "POST only; it redirects to the request list (walked)",
    "reports:export-create": "POST only; it redirects to the export page (walked)",
    "reports:export-download": "a generated file",
    "reports:cchc-template": "an Excel file",
    "survey:poster-batch-create": "POST only; it redirects to the batch page (walked)",
    "survey:poster-batch-status": "JSON for the progress bar",
    "survey:poster-batch-download": "a PDF file",
    "survey:counter-qr-png": "an image",
    "survey:counter-qr-svg": "an image",
    "survey:counter-poster": "a PDF file",
    "survey:kiosk-token-revoke": "POST only; it redirects to the unit's counters (walked)",
    "survey:quarantine-decide": "POST only; it redirects to the review list (walked)",
}

TEMPLATES_EXCLUDED = {
    "api/swagger_ui.html": "the API documentation (Swagger UI) is for integrators and in English",
    "drf_spectacular/swagger_ui.html": "the API documentation (Swagger UI) is for integrators and in English",
    "survey/integrity_throttled.html": "rendered by test_integrity_throttle_page_is_translated below",
    "feedback/track_throttled.html": "rendered by test_tracking_throttle_page_is_translated below",
}

ERROR_PAGES = ["400.html", "403.html", "403_csrf.html", "404.html", "429.html", "500.html", "503.html"]


def _named_patterns(patterns=None, namespace: tuple[str, ...] = ()):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from _named_patterns(
                pattern.url_patterns, namespace + ((pattern.namespace,) if pattern.namespace else ())
            )
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield ":".join((*namespace, pattern.name))


def _is_admin_or_api(name: str) -> bool:
    return name.startswith(("admin:", "api:", "api-"))


# --- Visible text -----------------------------------------------------------------------------------------------


class _VisibleText(HTMLParser):
    """The text a person sees or hears: text nodes, plus titles, labels, placeholders and button values."""

    HIDDEN = {"script", "style", "template"}
    SPOKEN = ("title", "alt", "aria-label", "placeholder")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self._hidden += 1
        attributes = dict(attrs)
        self.parts += [attributes[name] for name in self.SPOKEN if attributes.get(name)]
        if tag == "input" and attributes.get("type") in ("submit", "button") and attributes.get("value"):
            self.parts.append(attributes["value"])

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return "\n".join(" ".join(part.split()) for part in parser.parts)


def vietnamese_left(text: str, allowed: list[str]) -> list[str]:
    """The lines of `text` still holding Vietnamese letters once proper names and data are taken out."""
    for phrase in [*allowed, *ALLOWED_IN_ENGLISH]:
        text = text.replace(phrase, " ")
    return sorted({line for line in text.splitlines() if VIETNAMESE_LETTERS.search(line)})


def english_ui_strings() -> list[str]:
    """Distinctive pieces of the English catalogue: literal runs of at least two words that are not in the msgid."""
    catalog = translation.trans_real.translation("en")._catalog
    pieces = set()
    for msgid, msgstr in catalog.items():
        msgid = msgid[0] if isinstance(msgid, tuple) else msgid
        if not msgid or "\x04" in msgid:
            continue
        for piece in re.split(r"%\(\w+\)[sd]|%%|%[sd]|<[^>]+>", msgstr):
            piece = piece.strip(" .,:;()–-")
            if len(piece) >= 10 and " " in piece and not VIETNAMESE_LETTERS.search(piece) and piece not in msgid:
                pieces.add(piece)
    return sorted(pieces)


# --- Walking ----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def _compiled_catalogue(django_db_blocker):
    """The English catalogue must be compiled (`make messages`); do it here if the .mo is missing or stale."""
    po = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        call_command("compilemessages", locale=["en"], ignore_patterns=[".venv"], verbosity=0)
        translation.trans_real._translations = {}
        translation.trans_real._default = None
        translation.trans_real._active = translation.trans_real.Local()


def _client(demo: Demo, role: str | None, language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if role:
        client.force_login(getattr(demo, role))
    return client


def walk(demo: Demo, language: str):
    """Yield (page, response) for every page of PAGES in `language`, checking status and the page language."""
    for page in PAGES:
        client = _client(demo, page.role, language)
        url = page.url(demo).format(code=demo.counter.code, key=demo.low_rating.idempotency_key)
        response = client.post(url, page.post(demo)) if page.post else client.get(url)
        assert response.status_code == page.status, f"{page}: {response.status_code}"
        if 300 <= response.status_code < 400:
            continue
        html = response.content.decode()
        assert f'<html lang="{language}">' in html, f"{page}: not rendered in {language}"
        yield page, response


def test_every_named_url_is_walked_or_excluded():
    names = {name for name in _named_patterns() if not _is_admin_or_api(name)}
    walked = {page.name for page in PAGES}
    missing = names - walked - set(EXCLUDED)
    assert not missing, f"New pages: add them to PAGES (or to EXCLUDED with a reason): {sorted(missing)}"
    assert not (walked | set(EXCLUDED)) - names, "PAGES or EXCLUDED name a URL that no longer exists"
    assert not walked & set(EXCLUDED)


def test_english_pages_have_no_vietnamese_left(demo):
    rendered, problems = set(), []
    for page, response in walk(demo, "en"):
        rendered.update(t.name for t in response.templates if t.name)
        left = vietnamese_left(visible_text(response.content.decode()), demo.data)
        if left:
            problems.append(f"{page}: {left}")
    assert not problems, "Untranslated text on English pages:\n" + "\n".join(problems)

    templates = Path(settings.BASE_DIR) / "templates"
    pages = {
        str(path.relative_to(templates))
        for path in templates.rglob("*.html")
        if not path.name.startswith("_") and path.parts[len(templates.parts)] != "emails"
    }
    unwalked = pages - rendered - set(TEMPLATES_EXCLUDED) - set(ERROR_PAGES)
    assert not unwalked, f"Page templates that no walked page renders: add a Page for them: {sorted(unwalked)}"


def test_vietnamese_pages_have_no_english_ui_text(demo):
    english = english_ui_strings()
    assert len(english) > 200  # the catalogue is compiled and loaded
    problems = []
    for page, response in walk(demo, "vi"):
        text = visible_text(response.content.decode()).casefold()
        found = [piece for piece in english if piece.casefold() in text]
        if found:
            problems.append(f"{page}: {found}")
    assert not problems, "English text on Vietnamese pages:\n" + "\n".join(problems)


# --- Pages outside the URL list: error pages and throttles --------------------------------------------------------


def _render_error_page(template: str, language: str) -> str:
    from django.db import OperationalError
    from django.middleware.csrf import _get_failure_view
    from django.views import defaults

    from config.middleware import DatabaseUnavailableMiddleware

    # A referer from this site, so that the CSRF page shows its "back" button too.
    request = RequestFactory().get("/", HTTP_ACCEPT_LANGUAGE=language, HTTP_REFERER="http://testserver/pakn/gui/")
    request.user = AnonymousUser()
    with translation.override(language):
        request.LANGUAGE_CODE = language
        if template == "400.html":
            response = defaults.bad_request(request, Exception())
        elif template == "403.html":
            response = defaults.permission_denied(request, Exception())
        elif template == "403_csrf.html":
            response = _get_failure_view()(request, reason="CSRF token missing.")
        elif template == "404.html":
            response = defaults.page_not_found(request, Exception())
        elif template == "500.html":
            response = defaults.server_error(request)
        elif template == "503.html":
            response = DatabaseUnavailableMiddleware(lambda r: None).process_exception(request, OperationalError())
        else:
            from django.shortcuts import render

            response = render(request, template, {"retry_after_minutes": 3}, status=429)
    return response.content.decode()


@pytest.mark.parametrize("template", ERROR_PAGES)
def test_error_pages_are_translated(db, template):
    english = _render_error_page(template, "en")
    assert '<html lang="en">' in english
    assert 'class="brand" href="/">Hài lòng</a>' in english  # the product's name, not "Satisfied"
    if template == "403_csrf.html":
        assert 'href="http://testserver/pakn/gui/">Back to the previous page</a>' in english
    assert not vietnamese_left(visible_text(english), [])
    vietnamese = visible_text(_render_error_page(template, "vi"))
    assert not [piece for piece in english_ui_strings() if piece.casefold() in vietnamese.casefold()]


def test_integrity_throttle_page_is_translated(demo):
    from survey import integrity

    verdict = integrity.Verdict(
        flags=["ip_throttled"], status=Rating.Status.QUARANTINED, throttled=True, retry_after=600
    )
    with translation.override("en"):
        html = integrity.throttled_response(RequestFactory().get("/r/abc"), verdict).content.decode()
    assert "10 minutes" in html
    assert not vietnamese_left(visible_text(html), demo.data)


def test_tracking_throttle_page_is_translated(demo):
    from django.shortcuts import render

    request = RequestFactory().get("/pakn/tra-cuu/")
    request.user = demo.officer
    with translation.override("en"):
        html = render(request, "feedback/track_throttled.html", status=429).content.decode()
    assert "15 minutes" in html
    assert not vietnamese_left(visible_text(html), demo.data)


def test_dashboard_exports_follow_the_language(demo):
    """The dashboard's CSV and Excel files are not walked (they are files), but their titles and headings are
    translated like the page's tables."""
    from openpyxl import load_workbook

    def url(table: str, fmt: str) -> str:
        return reverse("indices:table-export", kwargs={"unit_id": demo.unit.pk, "table": table, "fmt": fmt})

    english, vietnamese = _client(demo, "officer", "en"), _client(demo, "officer", "vi")
    for table in ("indices", "elements", "criteria", "trend", "counters", "heatmap", "d766"):
        csv = english.get(url(table, "csv")).content.decode("utf-8-sig")
        assert not vietnamese_left(csv, demo.data), table
        workbook = load_workbook(io.BytesIO(english.get(url(table, "xlsx")).content))
        cells = "\n".join(str(cell.value) for row in workbook.active.iter_rows() for cell in row if cell.value)
        assert not vietnamese_left(cells, demo.data), table

    heading = english.get(url("elements", "csv")).content.decode("utf-8-sig").splitlines()[0]
    assert heading == "Element,Value (%),n,Weakest criteria,Criterion rate (%)"
    heading = vietnamese.get(url("elements", "csv")).content.decode("utf-8-sig").splitlines()[0]
    assert heading == "Yếu tố,Giá trị (%),n,Tiêu chí yếu nhất,Tỷ lệ của tiêu chí (%)"


# --- The switch and the catalogue ---------------------------------------------------------------------------------


def test_the_language_switch_keeps_the_page_and_its_query(client, demo):
    url = reverse("reports:cchc-list") + "?year=2017&unit=so-tu-phap"
    client.force_login(demo.province)
    html = client.get(url).content.decode()
    # A plain form with a real button: reachable with Tab, pressed with Enter or Space, works without JavaScript.
    assert '<form class="lang" method="post" action="/i18n/setlang/">' in html
    assert '<input type="hidden" name="next" value="/bao-cao/cchc/?year=2017&amp;unit=so-tu-phap">' in html
    assert '<button type="submit" name="language" value="en" lang="en">English</button>' in html

    response = client.post(reverse("set_language"), {"language": "en", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    html = client.get(url).content.decode()
    assert '<html lang="en">' in html and "PAR index scores for 2017" in html
    assert '<button type="submit" name="language" value="vi" lang="vi">Tiếng Việt</button>' in html


def test_after_a_form_submission_the_switch_returns_to_the_form(client, demo):
    client.force_login(demo.province)
    form_page = "http://testserver" + reverse("survey:quarantine-list")
    data = {"clusters": demo.quarantined_ids, "decision": "exclude", "reason": "Một thiết bị"}
    html = client.post(reverse("survey:quarantine-confirm"), data, HTTP_REFERER=form_page).content.decode()
    assert f'<input type="hidden" name="next" value="{form_page}">' in html


def test_the_switch_never_echoes_a_referer_from_another_site(client, demo):
    client.force_login(demo.province)
    data = {"clusters": demo.quarantined_ids, "decision": "exclude", "reason": "Một thiết bị"}
    url = reverse("survey:quarantine-confirm")
    html = client.post(url, data, HTTP_REFERER="https://evil.example/kiem-duyet/").content.decode()
    assert "evil.example" not in html
    assert f'<input type="hidden" name="next" value="{url}">' in html


def test_the_english_catalogue_is_complete():
    po = (Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    entries = po.split("\n\n")[1:]
    untranslated = [e for e in entries if re.search(r'^msgstr(\[\d\])? ""$(?!\n")', e, re.MULTILINE) and "#~" not in e]
    assert not untranslated, untranslated[:5]
    assert "#, fuzzy" not in po


# --- Formats ----------------------------------------------------------------------------------------------------


def test_numbers_and_dates_follow_the_language():
    from django.template import Context, Template

    template = Template(
        '{% load humanize %}{{ value|floatformat:1 }}% {{ day|date:"SHORT_DATE_FORMAT" }} {{ n|intcomma }}'
    )
    context = Context({"value": 75.3, "day": datetime.date(2018, 6, 28), "n": 12345})
    with translation.override("vi"):
        assert template.render(context) == "75,3% 28/6/2018 12.345"
    with translation.override("en"):
        assert template.render(context) == "75.3% 28 Jun 2018 12,345"


def test_chart_data_and_csv_keep_machine_numbers(client, demo):
    import json

    client.force_login(demo.province)
    html = client.get(reverse("reports:report-show") + "?year=2017").content.decode()
    data = json.loads(
        re.search(r'<script id="report-chart-data" type="application/json">(.*?)</script>', html, re.S)[1]
    )
    assert all(isinstance(v, (int, float)) for v in data["bars"]["values"])
    assert any(not float(v).is_integer() for v in data["bars"]["values"])

    from indices.exports_report import build_report_csv
    from indices.reports import build_province_report

    with translation.override("vi"):
        csv = build_report_csv(build_province_report(year=2017)).decode("utf-8-sig")
    assert re.search(r",\d+\.\d+,", csv) and not re.search(r'"\d+,\d+"', csv)
