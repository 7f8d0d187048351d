"""Role x page matrix of the staff HTML pages: exact status codes for every role, and lists that never show another
unit's rows. (The API has its own matrix in tests/api/test_permissions.py.)

Every object below belongs to unit A (counter A, its poster batch, kiosk token, PAKN case, attachment...), so
officer B is the "other unit" attacker: every page answers 404 for another unit's object, as if it did not exist.
One line per page: name, method, how to build its URL from the objects, then the expected status per role. To add
a page, add a line.
"""

import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from feedback.attachments import CheckedFile
from feedback.models import Case
from survey import accounts
from survey.audit import record_audit
from survey.models import ApiToken, KioskToken, PosterBatch
from tests import factories

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "officer_a", "officer_b", "lead_a", "province", "admin", "inspector")


def _expect(anonymous, officer_a, officer_b, lead_a, province, admin, inspector) -> dict[str, int]:
    return dict(zip(ROLES, (anonymous, officer_a, officer_b, lead_a, province, admin, inspector), strict=True))


# Unit A's own object: its staff see it, the other unit's staff get 404, anonymous visitors go to the login page.
# The provincial inspectorate (no unit) is told it does not exist either.
OWN = _expect(302, 200, 404, 200, 200, 200, 404)
# The same for a POST that does something and then redirects.
OWN_POST = _expect(302, 302, 404, 302, 302, 302, 404)
# Unit A's complaint against officials: the inspectorate reads it and adds notes, and is refused the workflow.
INSPECTED = _expect(302, 200, 404, 200, 200, 200, 200)
INSPECTED_NOTE = _expect(302, 302, 404, 302, 302, 302, 302)
INSPECTED_WORKFLOW = _expect(302, 302, 404, 302, 302, 302, 403)
# Provincial pages: unit staff are told the page does not exist.
PROVINCIAL = _expect(302, 404, 404, 404, 200, 200, 404)
# Provincial pages of the PAKN app: unit staff are refused (403).
PROVINCIAL_403 = _expect(302, 403, 403, 403, 200, 200, 403)
# Public results pages: everyone, logged in or not, sees the same page.
PUBLIC = _expect(200, 200, 200, 200, 200, 200, 200)
# Django's admin: only administrators (is_staff) get in; everyone else is sent to the admin login.
ADMIN_ONLY = _expect(302, 302, 302, 302, 302, 200, 302)

# Pages of one's own account.
SIGNED_IN = _expect(302, 200, 200, 200, 200, 200, 200)

PAGES = [
    ("counter list", "get", lambda o: reverse("survey:counter-list"), _expect(302, 302, 302, 302, 200, 200, 404)),
    ("unit counters", "get", lambda o: reverse("survey:unit-counters", args=[o.unit.pk]), OWN),
    ("counter QR png", "get", lambda o: reverse("survey:counter-qr-png", args=[o.counter.pk]), OWN),
    ("counter QR svg", "get", lambda o: reverse("survey:counter-qr-svg", args=[o.counter.pk]), OWN),
    ("counter poster", "get", lambda o: reverse("survey:counter-poster", args=[o.counter.pk]), OWN),
    ("counter rotate", "get", lambda o: reverse("survey:counter-rotate", args=[o.counter.pk]), OWN),
    ("counter rotate", "post", lambda o: reverse("survey:counter-rotate", args=[o.counter.pk]), OWN_POST),
    ("kiosk token form", "get", lambda o: reverse("survey:kiosk-token-create", args=[o.counter.pk]), OWN),
    ("kiosk token revoke", "post", lambda o: reverse("survey:kiosk-token-revoke", args=[o.kiosk.pk]), OWN_POST),
    ("dossier link form", "get", lambda o: reverse("survey:dossier-link-create", args=[o.counter.pk]), OWN),
    ("poster batch create", "post", lambda o: reverse("survey:poster-batch-create", args=[o.unit.pk]), OWN_POST),
    ("poster batch", "get", lambda o: reverse("survey:poster-batch-detail", args=[o.batch.pk]), OWN),
    ("poster batch status", "get", lambda o: reverse("survey:poster-batch-status", args=[o.batch.pk]), OWN),
    ("poster batch file", "get", lambda o: reverse("survey:poster-batch-download", args=[o.batch.pk]), OWN),
    ("unit results poster", "get", lambda o: reverse("public:unit-results-poster", args=[o.unit.pk]), OWN),
    ("counter results poster", "get", lambda o: reverse("public:counter-results-poster", args=[o.counter.pk]), OWN),
    ("public results", "get", lambda o: reverse("public:province"), PUBLIC),
    (
        "public results CSV",
        "get",
        lambda o: reverse("public:province-csv"),
        _expect(404, 404, 404, 404, 404, 404, 404),
    ),
    ("public unit results", "get", lambda o: reverse("public:unit", args=[o.unit.pk]), PUBLIC),
    ("public answers", "get", lambda o: reverse("public:answers"), PUBLIC),
    ("public method", "get", lambda o: reverse("public:method"), PUBLIC),
    ("PAKN inbox", "get", lambda o: reverse("feedback:case-list"), _expect(302, 200, 200, 200, 200, 200, 200)),
    ("PAKN overview", "get", lambda o: reverse("feedback:case-overview"), PROVINCIAL_403),
    ("PAKN case", "get", lambda o: reverse("feedback:case-detail", args=[o.case.pk]), OWN),
    ("PAKN case events", "get", lambda o: reverse("feedback:case-events", args=[o.case.pk]), OWN),
    ("PAKN attachment", "get", lambda o: reverse("feedback:attachment-download", args=[o.attachment.pk]), OWN),
    ("PAKN internal note", "post", lambda o: reverse("feedback:case-note", args=[o.case.pk]), OWN_POST),
    ("PAKN transition", "post", lambda o: reverse("feedback:case-transition", args=[o.case.pk]), OWN_POST),
    ("PAKN fees case", "get", lambda o: reverse("feedback:case-detail", args=[o.fees_case.pk]), INSPECTED),
    ("PAKN fees events", "get", lambda o: reverse("feedback:case-events", args=[o.fees_case.pk]), INSPECTED),
    ("PAKN fees note", "post", lambda o: reverse("feedback:case-note", args=[o.fees_case.pk]), INSPECTED_NOTE),
    (
        "PAKN fees transition",
        "post",
        lambda o: reverse("feedback:case-transition", args=[o.fees_case.pk]),
        INSPECTED_WORKFLOW,
    ),
    ("quarantine review", "get", lambda o: reverse("survey:quarantine-list"), PROVINCIAL),
    (
        "quarantine confirm",
        "post",
        lambda o: reverse("survey:quarantine-confirm"),
        _expect(302, 404, 404, 404, 400, 400, 404),
    ),
    ("unit history", "get", lambda o: reverse("survey:unit-integrity-history", args=[o.unit.code]), OWN),
    ("audit log", "get", lambda o: reverse("admin:survey_auditentry_changelist"), ADMIN_ONLY),
    # A staff member's own account: every signed-in account has its pages; a token is revoked by its owner alone.
    ("password change", "get", lambda o: reverse("accounts:password-change"), SIGNED_IN),
    ("two-factor", "get", lambda o: reverse("accounts:two-factor"), SIGNED_IN),
    ("API tokens", "get", lambda o: reverse("accounts:token-list"), SIGNED_IN),
    (
        "API token revoke",
        "post",
        lambda o: reverse("accounts:token-revoke", args=[o.token.token_key]),
        _expect(302, 302, 404, 404, 404, 404, 404),
    ),
    ("API tokens admin", "get", lambda o: reverse("admin:survey_apitoken_changelist"), ADMIN_ONLY),
    ("login locks admin", "get", lambda o: reverse("admin:axes_accessattempt_changelist"), ADMIN_ONLY),
    ("audit entry", "get", lambda o: reverse("admin:survey_auditentry_change", args=[o.audit.pk]), ADMIN_ONLY),
]

# The body each POST sends: valid, so that an allowed role gets its redirect and a refused one learns nothing.
POST_BODIES = {
    "PAKN internal note": {"note": "Đã gọi điện cho công dân."},
    "PAKN transition": {"to": "accepted", "note": ""},
    "PAKN fees note": {"note": "Thanh tra đã ghi nhận."},
    "PAKN fees transition": {"to": "accepted", "note": ""},
}


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 90, 200)).save(out, format="PNG")
    return out.getvalue()


class Objects:
    """Unit A's objects of every kind that a staff page takes by id, plus unit B's, for the list checks."""

    def __init__(self, world):
        self.unit, self.counter = world.unit_a, world.counter_a
        self.kiosk = KioskToken.objects.create(counter=world.counter_a, label="Máy tính bảng A")
        self.batch = PosterBatch.objects.create(unit=world.unit_a, total=1, status=PosterBatch.Status.DONE)
        self.batch.file.save("posters-a.pdf", ContentFile(b"%PDF-1.4 poster"), save=True)
        image = CheckedFile(original_name="anh.png", extension="png", content_type="image/png", data=_png())
        self.case = factories.make_pakn_case(
            unit=world.unit_a, text="Phản ánh riêng của Sở Tư pháp A-7781.", files=[image]
        )
        self.attachment = self.case.attachments.get()
        self.audit = record_audit(actor=world.admin, action="test.scoping", target=world.unit_a)
        self.token, _secret = accounts.issue_api_token(user=world.officer_a, name="Một cửa A")
        self.other_case = factories.make_pakn_case(unit=world.unit_b, text="Phản ánh riêng của Sở Y tế B-9913.")
        self.fees_case = factories.make_pakn_case(
            unit=world.unit_a, category="extra_fees", text="Cán bộ quầy 1 đòi thêm 200.000 đồng không biên lai."
        )


@pytest.fixture
def objects(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Objects(world)


def _client_as(client, world, role):
    if role != "anonymous":
        client.force_login(getattr(world, role))
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("page", "method", "url", "expected"), PAGES, ids=[f"{page}-{method}" for page, method, *_ in PAGES]
)
def test_role_gets_exact_status_on_staff_page(client, world, objects, role, page, method, url, expected):
    client = _client_as(client, world, role)
    response = getattr(client, method)(url(objects), POST_BODIES.get(page, {}))
    assert response.status_code == expected[role], (page, role, response.content[:500])
    if expected[role] == 302 and role == "anonymous":
        assert "login" in response["Location"]


LISTS = [
    ("PAKN inbox", lambda o: reverse("feedback:case-list") + "?status="),
    ("unit counters", lambda o: reverse("survey:unit-counters", args=[o.unit.pk])),
    ("unit history", lambda o: reverse("survey:unit-integrity-history", args=[o.unit.code])),
]


def _link(case) -> str:
    url = reverse("feedback:case-detail", args=[case.pk])
    return f'href="{url}"'


def _unit_b_markers(world, objects) -> list[str]:
    """What only unit B's rows carry, and a unit A page must never show."""
    return [_link(objects.other_case), objects.other_case.tracking_code, world.unit_b.name, world.counter_b.code]


@pytest.mark.parametrize("role", ["officer_a", "lead_a"])
@pytest.mark.parametrize(("page", "url"), LISTS, ids=[page for page, _url in LISTS])
def test_unit_staff_lists_show_no_other_units_data(client, world, objects, role, page, url):
    html = _client_as(client, world, role).get(url(objects)).content.decode()
    assert _link(objects.case) in html if page == "PAKN inbox" else world.unit_a.name in html
    for marker in _unit_b_markers(world, objects):
        assert marker not in html, (page, marker)


def test_officer_b_inbox_shows_only_unit_b(client, world, objects):
    html = _client_as(client, world, "officer_b").get(reverse("feedback:case-list")).content.decode()
    assert _link(objects.other_case) in html
    assert _link(objects.case) not in html and world.unit_a.name not in html


@pytest.mark.parametrize("role", ["province", "admin"])
def test_provincial_inbox_shows_every_unit(client, world, objects, role):
    """The markers are real: a provincial inbox shows both units' cases (so their absence above means something)."""
    html = _client_as(client, world, role).get(reverse("feedback:case-list")).content.decode()
    assert _link(objects.case) in html and _link(objects.other_case) in html


def test_officer_b_cannot_act_on_unit_a_objects(client, world, objects):
    """The refused POSTs of the matrix changed nothing."""
    client = _client_as(client, world, "officer_b")
    code = world.counter_a.code
    client.post(reverse("survey:counter-rotate", args=[world.counter_a.pk]))
    client.post(reverse("survey:kiosk-token-revoke", args=[objects.kiosk.pk]))
    client.post(reverse("feedback:case-note", args=[objects.case.pk]), POST_BODIES["PAKN internal note"])
    client.post(reverse("feedback:case-transition", args=[objects.case.pk]), POST_BODIES["PAKN transition"])
    client.post(reverse("survey:poster-batch-create", args=[world.unit_a.pk]))
    world.counter_a.refresh_from_db()
    objects.kiosk.refresh_from_db()
    assert world.counter_a.code == code
    assert objects.kiosk.is_active
    assert Case.objects.get(pk=objects.case.pk).status == "received"
    assert objects.case.events.count() == 1
    assert PosterBatch.objects.filter(unit=world.unit_a).count() == 1


@pytest.mark.parametrize("role", ["officer_b", "lead_a", "province", "admin", "inspector"])
def test_nobody_but_its_owner_sees_or_revokes_an_api_token_on_the_account_pages(client, world, objects, role):
    client = _client_as(client, world, role)
    assert objects.token.token_key not in client.get(reverse("accounts:token-list")).content.decode()
    client.post(reverse("accounts:token-revoke", args=[objects.token.token_key]))
    assert ApiToken.objects.filter(pk=objects.token.pk).exists()


PUBLIC_PAGES = [
    lambda o: reverse("public:province"),
    lambda o: reverse("public:unit", args=[o.unit.pk]),
    lambda o: reverse("public:answers"),
    lambda o: reverse("public:answers") + f"?don_vi={o.unit.pk}",
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_never_show_an_unpublished_case(client, world, objects, role, url):
    """Unit A's case has no consent to publication: no role sees it on a public page (staff see it in the inbox)."""
    html = _client_as(client, world, role).get(url(objects)).content.decode()
    for case in (objects.case, objects.other_case):
        assert case.text not in html and case.tracking_code not in html
    assert objects.attachment.original_name not in html
