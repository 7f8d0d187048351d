"""The permission matrix: every endpoint x every role, with the exact status, and no other unit's rows in a list.

Adding an endpoint is one line in ENDPOINTS: a name, a function from the world to the URL, the expected status
per role (a preset below or a dict), and for a list of unit-owned rows the key that holds each row's unit id
(`unit_key`), or a function from the world and a row to that unit id (`unit_of`, None for rows that belong to no
unit, such as group figures), which turns on the leak check; `filtered=True` when the URL narrows the list, so
that not every visible unit is expected in it. Writes give `method` and `data` (a function of the world), and
`format="multipart"` for file uploads.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse

from tests.api.conftest import ROLES, VISIBLE_UNITS


def expect(default: int, **overrides: int) -> dict[str, int]:
    return {role: overrides.get(role, default) for role in ROLES}


PUBLIC = expect(200)
# The provincial inspectorate (`inspector`) has no unit: every staff endpoint refuses it (403) except the cases it
# sees (complaints against officials of any unit), which it reads and annotates.
STAFF = expect(200, anonymous=401, inspector=403)
CASES = expect(200, anonymous=401)  # The case list: the inspectorate's holds only complaints against officials.
READ_ONLY = expect(405)  # Public read-only collections refuse writes from everyone.
STAFF_READ_ONLY = expect(405, anonymous=401, inspector=403)
OWN_UNIT_A = expect(200, anonymous=401, officer_b=404, inspector=403)  # Unit A's object: unit B answers 404.
OWN_UNIT_B = expect(200, anonymous=401, officer_a=404, lead_a=404, inspector=403)
CASE_A = expect(200, anonymous=401, officer_b=404, inspector=404)  # Not against officials: not the inspectorate's.
CASE_B = expect(200, anonymous=401, officer_a=404, lead_a=404, inspector=404)
INSPECTED_A = expect(200, anonymous=401, officer_b=404)  # Unit A's complaint against officials.
PROVINCIAL = expect(200, anonymous=401, officer_a=403, officer_b=403, lead_a=403, inspector=403)
APPROVERS_OF_A = expect(200, anonymous=401, officer_a=403, officer_b=404, inspector=403)  # Unit A's lead, province.
CREATED = expect(201)  # Public writes: credentials are ignored, everyone may post.
STAFF_CREATE_A = expect(201, anonymous=401, officer_b=404, inspector=403)  # Unit A's counter: unit B answers 404.
PROVINCIAL_CREATE = expect(201, anonymous=401, officer_a=403, officer_b=403, lead_a=403, inspector=403)
# Case lists: the inspectorate sees unit A's complaint against officials (and no other case).
INSPECTS_A = {"inspector": ["unit_a"]}


def snapshot_unit(w, row: dict) -> int | None:
    """The unit a stored figure belongs to: its own for unit figures, its counter's for counter figures; group and
    province figures belong to no single unit (every staff account may read them)."""
    from survey.models import Counter

    if row["level"] == "unit":
        return row["entity_id"]
    if row["level"] == "counter":
        return Counter.objects.get(pk=row["entity_id"]).unit_id
    return None


def cchc_file(w) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = f"ma_don_vi,diem_dat,diem_toi_da\n{w.unit_a.code},82.36,100\n{w.unit_b.code},71.5,100\n".encode()
    return {"year": 2024, "file": SimpleUploadedFile("cchc-2024.csv", content, content_type="text/csv")}


def new_key(w) -> dict:
    import uuid

    return {"Idempotency-Key": str(uuid.uuid4())}


@dataclass(frozen=True)
class Endpoint:
    name: str
    url: Callable
    statuses: dict[str, int]
    unit_key: str | None = None
    filtered: bool = False
    method: str = "get"
    data: Callable | None = None
    headers: Callable | None = None  # A function of the world giving extra request headers.
    unit_of: Callable | None = None  # (world, row) -> the row's unit id, or None for rows of no unit.
    format: str = "json"
    visible: dict | None = None  # Overrides of VISIBLE_UNITS for this endpoint (role -> unit names or "all").

    def __str__(self) -> str:
        return self.name


ENDPOINTS = [
    Endpoint("unit-groups", lambda w: reverse("api:unit-group-list"), PUBLIC),
    Endpoint("unit-group", lambda w: reverse("api:unit-group-detail", args=[w.group.pk]), PUBLIC),
    Endpoint("unit-groups POST", lambda w: reverse("api:unit-group-list"), READ_ONLY, method="post"),
    Endpoint("units", lambda w: reverse("api:unit-list"), PUBLIC),
    Endpoint("unit", lambda w: reverse("api:unit-detail", args=[w.unit_b.pk]), PUBLIC),
    Endpoint("unit DELETE", lambda w: reverse("api:unit-detail", args=[w.unit_a.pk]), READ_ONLY, method="delete"),
    Endpoint("counters", lambda w: reverse("api:counter-list"), STAFF, unit_key="unit"),
    Endpoint("counters of A", lambda w: f"{reverse('api:counter-list')}?unit={w.unit_a.pk}", STAFF, "unit", True),
    Endpoint("counter A", lambda w: reverse("api:counter-detail", args=[w.counter_a.pk]), OWN_UNIT_A),
    Endpoint("counter B", lambda w: reverse("api:counter-detail", args=[w.counter_b.pk]), OWN_UNIT_B),
    Endpoint("counters POST", lambda w: reverse("api:counter-list"), STAFF_READ_ONLY, method="post"),
    Endpoint(
        "counter A PATCH",
        lambda w: reverse("api:counter-detail", args=[w.counter_a.pk]),
        STAFF_READ_ONLY,
        method="patch",
        data=lambda w: {"name": "Quầy đổi tên"},
    ),
    Endpoint("questionnaires", lambda w: reverse("api:questionnaire-list"), PUBLIC),
    Endpoint("questionnaire", lambda w: reverse("api:questionnaire-detail", args=[w.questionnaire_b.pk]), PUBLIC),
    Endpoint("auth token GET", lambda w: reverse("api:auth-token"), expect(405)),
    Endpoint("counter A qr.png", lambda w: reverse("api:counter-qr-png", args=[w.counter_a.pk]), OWN_UNIT_A),
    Endpoint("counter B qr.svg", lambda w: reverse("api:counter-qr-svg", args=[w.counter_b.pk]), OWN_UNIT_B),
    Endpoint("counter A poster", lambda w: reverse("api:counter-poster-pdf", args=[w.counter_a.pk]), OWN_UNIT_A),
    # Ratings: public POST, scoped staff list.
    Endpoint("ratings", lambda w: reverse("api:rating-list"), STAFF, unit_key="unit"),
    Endpoint("ratings of B", lambda w: f"{reverse('api:rating-list')}?unit={w.unit_b.pk}", STAFF, "unit", True),
    Endpoint(
        "ratings POST",
        lambda w: reverse("api:rating-list"),
        CREATED,
        method="post",
        data=lambda w: {"counter": w.counter_a.code, "score": 4},
        headers=new_key,
    ),
    Endpoint(
        "dossier link for A",
        lambda w: reverse("api:dossier-link-create"),
        STAFF_CREATE_A,
        method="post",
        data=lambda w: {"counter": w.counter_a.pk, "dossier_code": "HS-A-0001"},
    ),
    Endpoint(
        "dossier link for B",
        lambda w: reverse("api:dossier-link-create"),
        expect(201, anonymous=401, officer_a=404, lead_a=404, inspector=403),
        method="post",
        data=lambda w: {"counter": w.counter_b.pk, "dossier_code": "HS-B-0001"},
    ),
    Endpoint(
        "dossier stats",
        lambda w: reverse("api:dossier-stats-create"),
        PROVINCIAL,
        method="post",
        data=lambda w: {"rows": [{"unit": w.unit_a.code, "month": "2025-06", "handled": 10, "late": 1}]},
    ),
    # PAKN: public POST and tracking; scoped staff list, detail and workflow.
    Endpoint(
        "feedback POST",
        lambda w: reverse("api:case-list"),
        CREATED,
        method="post",
        data=lambda w: {"unit": w.unit_b.pk, "category": "attitude", "text": "Cán bộ trả lời thiếu lịch sự."},
    ),
    Endpoint("feedback track", lambda w: reverse("api:case-track", args=[w.case_a.tracking_code]), PUBLIC),
    Endpoint("feedback track wrong", lambda w: reverse("api:case-track", args=["khong-co-ma-nay"]), expect(404)),
    Endpoint("feedback", lambda w: reverse("api:case-list"), CASES, unit_key="unit", visible=INSPECTS_A),
    Endpoint(
        "feedback of A",
        lambda w: f"{reverse('api:case-list')}?status=received",
        CASES,
        "unit",
        True,
        visible=INSPECTS_A,
    ),
    # A complaint against officials of unit A: its unit and the provincial inspectorate see it; the inspectorate
    # reads it and adds notes, but takes no step of the workflow (403), and never sees the other cases (404).
    Endpoint("case A fees", lambda w: reverse("api:case-detail", args=[w.case_a_fees.pk]), INSPECTED_A),
    Endpoint(
        "case A fees note",
        lambda w: reverse("api:case-note", args=[w.case_a_fees.pk]),
        INSPECTED_A,
        method="post",
        data=lambda w: {"note": "Thanh tra đã ghi nhận."},
    ),
    Endpoint(
        "case A fees accept",
        lambda w: reverse("api:case-accept", args=[w.case_a_fees.pk]),
        OWN_UNIT_A,
        method="post",
    ),
    Endpoint("case A", lambda w: reverse("api:case-detail", args=[w.case_a.pk]), CASE_A),
    Endpoint("case B", lambda w: reverse("api:case-detail", args=[w.case_b.pk]), CASE_B),
    Endpoint("case A accept", lambda w: reverse("api:case-accept", args=[w.case_a.pk]), OWN_UNIT_A, method="post"),
    Endpoint("case B accept", lambda w: reverse("api:case-accept", args=[w.case_b.pk]), OWN_UNIT_B, method="post"),
    Endpoint(
        "case A reject",
        lambda w: reverse("api:case-reject", args=[w.case_a.pk]),
        OWN_UNIT_A,
        method="post",
        data=lambda w: {"note": "Trùng."},
    ),
    Endpoint(
        "case B request-information",
        lambda w: reverse("api:case-request-information", args=[w.case_b.pk]),
        OWN_UNIT_B,
        method="post",
        data=lambda w: {"note": "Xin số biên nhận."},
    ),
    Endpoint(
        "case A start", lambda w: reverse("api:case-start", args=[w.case_a_accepted.pk]), OWN_UNIT_A, method="post"
    ),
    Endpoint(
        "case A answer",
        lambda w: reverse("api:case-answer", args=[w.case_a_in_progress.pk]),
        OWN_UNIT_A,
        method="post",
        data=lambda w: {"text": "Đã trả kết quả."},
    ),
    Endpoint(
        "case A approve",
        lambda w: reverse("api:case-approve", args=[w.case_a_awaiting_approval.pk]),
        APPROVERS_OF_A,
        method="post",
    ),
    Endpoint(
        "case A return-answer",
        lambda w: reverse("api:case-return-answer", args=[w.case_a_awaiting_approval.pk]),
        APPROVERS_OF_A,
        method="post",
        data=lambda w: {"note": "Nêu rõ căn cứ."},
    ),
    Endpoint(
        "case A publish", lambda w: reverse("api:case-publish", args=[w.case_a_approved.pk]), OWN_UNIT_A, method="post"
    ),
    Endpoint(
        "case A close", lambda w: reverse("api:case-close", args=[w.case_a_answered.pk]), OWN_UNIT_A, method="post"
    ),
    Endpoint(
        "case A assign",
        lambda w: reverse("api:case-assign", args=[w.case_a.pk]),
        OWN_UNIT_A,
        method="post",
        data=lambda w: {"officer": w.officer_a.pk},
    ),
    Endpoint(
        "case B transfer",
        lambda w: reverse("api:case-transfer", args=[w.case_b.pk]),
        OWN_UNIT_B,
        method="post",
        data=lambda w: {"unit": w.unit_a.pk, "reason": "Thuộc thẩm quyền Sở Tư pháp."},
    ),
    Endpoint(
        "case A note",
        lambda w: reverse("api:case-note", args=[w.case_a.pk]),
        CASE_A,
        method="post",
        data=lambda w: {"note": "Gọi lại."},
    ),
    # Indices: stored figures, scoped (unit staff: own unit and counters, every group and province figure).
    Endpoint("indices", lambda w: reverse("api:index-snapshot-list"), STAFF, unit_of=snapshot_unit),
    Endpoint(
        "indices of counters",
        lambda w: f"{reverse('api:index-snapshot-list')}?level=counter&period=2025-Q1",
        STAFF,
        unit_of=snapshot_unit,
    ),
    Endpoint("index of A", lambda w: reverse("api:index-snapshot-detail", args=[w.snapshot_a.pk]), OWN_UNIT_A),
    Endpoint(
        "index of counter B",
        lambda w: reverse("api:index-snapshot-detail", args=[w.snapshot_counter_b.pk]),
        OWN_UNIT_B,
    ),
    Endpoint("index of the group", lambda w: reverse("api:index-snapshot-detail", args=[w.snapshot_group.pk]), STAFF),
    Endpoint("indices POST", lambda w: reverse("api:index-snapshot-list"), STAFF_READ_ONLY, method="post"),
    # CCHC scores and the province report: provincial accounts only.
    Endpoint("cchc-scores", lambda w: reverse("api:cchc-score-list"), PROVINCIAL, unit_key="unit"),
    Endpoint("cchc-score A", lambda w: reverse("api:cchc-score-detail", args=[w.cchc_a.pk]), PROVINCIAL),
    Endpoint(
        "cchc-scores POST",
        lambda w: reverse("api:cchc-score-list"),
        PROVINCIAL_CREATE,
        method="post",
        data=lambda w: {"unit": w.unit_b.pk, "year": 2023, "points": 75, "max_points": 100},
    ),
    Endpoint(
        "cchc-scores import",
        lambda w: reverse("api:cchc-score-import"),
        PROVINCIAL_CREATE,
        method="post",
        data=cchc_file,
        format="multipart",
    ),
    Endpoint("province report", lambda w: f"{reverse('api:province-report')}?year=2024", PROVINCIAL),
    Endpoint("province report pdf", lambda w: f"{reverse('api:province-report')}?year=2024&format=pdf", PROVINCIAL),
]


@pytest.fixture(scope="module")
def _matrix_world_once(django_db_setup, django_db_blocker):
    """The matrix world, built once for the module's ~400 tests (building it is most of a test's time) inside a
    transaction rolled back at the end. Each test runs in a savepoint within it, as with Django's
    `setUpTestData`, so what one test changes (a case accepted, a score imported) is undone before the next."""
    from django.db import transaction
    from django.test import override_settings

    from tests import factories

    fast_passwords = override_settings(PASSWORD_HASHERS=factories.FAST_PASSWORD_HASHERS)
    with django_db_blocker.unblock(), fast_passwords, transaction.atomic():
        yield _build_matrix_world()
        transaction.set_rollback(True)


@pytest.fixture
def world(_matrix_world_once, db):
    """The `world` of `api_as` and `integrator` (tests/api/conftest.py) is the matrix world."""
    return _matrix_world_once


@pytest.fixture
def integrator(world):
    return world.integrator


def _build_matrix_world():
    """The named world plus a questionnaire per unit and a second counter per unit, so lists have rows of both."""
    from survey.models import Counter, User
    from tests import factories

    world = factories.make_world()
    world.integrator = factories.make_user(username="mot-cua", role=User.Role.PROVINCE)
    world.questionnaire_a = factories.make_questionnaire(unit=world.unit_a)
    world.questionnaire_b = factories.make_questionnaire(unit=world.unit_b)
    factories.make_counter(unit=world.unit_a)
    factories.make_counter(unit=world.unit_b)
    for counter in (world.counter_a, world.counter_b):
        factories.make_rating(counter=counter, questionnaire=world.questionnaire_a)
    world.case_a = factories.make_pakn_case(unit=world.unit_a)
    world.case_b = factories.make_pakn_case(unit=world.unit_b)
    world.case_a_accepted = factories.make_pakn_case(unit=world.unit_a)
    world.case_a_in_progress = factories.make_pakn_case(unit=world.unit_a)
    world.case_a_awaiting_approval = factories.make_pakn_case(unit=world.unit_a)
    world.case_a_approved = factories.make_pakn_case(unit=world.unit_a)
    world.case_a_answered = factories.make_pakn_case(unit=world.unit_a)
    world.case_a_fees = factories.make_pakn_case(unit=world.unit_a, category="extra_fees")
    _advance(world.case_a_accepted, "accepted", by=world.province)
    _advance(world.case_a_in_progress, "in_progress", by=world.province)
    _advance(world.case_a_awaiting_approval, "awaiting_approval", by=world.officer_a)
    _advance(world.case_a_approved, "approved", by=world.officer_a)
    _advance(world.case_a_answered, "answered", by=world.province)
    # Stored figures of every level, and CCHC scores of both units.
    counter_a2 = Counter.objects.filter(unit=world.unit_a).exclude(pk=world.counter_a.pk).get()
    for counter in (world.counter_a, counter_a2, world.counter_b):
        snapshot = factories.make_snapshot(level="counter", entity_id=counter.pk)
    world.snapshot_counter_b = snapshot
    world.snapshot_a = factories.make_snapshot(level="unit", entity_id=world.unit_a.pk)
    factories.make_snapshot(level="unit", entity_id=world.unit_b.pk)
    world.snapshot_group = factories.make_snapshot(level="group", entity_id=world.group.pk)
    factories.make_snapshot(level="province", entity_id=0, index="pooled_sipas")
    world.cchc_a = factories.make_cchc_score(unit=world.unit_a, year=2024, points=82.36)
    factories.make_cchc_score(unit=world.unit_b, year=2024, points=64)
    return world


def _advance(case, to: str, *, by) -> None:
    """Move a fresh case along the workflow with the services, up to `to`: "accepted", "in_progress", then the
    answer of `by`, which awaits approval when `by` is an officer ("awaiting_approval", or "approved" once
    provincial staff approve it) and is published at once when `by` is provincial staff ("answered")."""
    from feedback import services
    from feedback.models import Case
    from survey.models import User

    for step in ("accepted", "in_progress"):
        services.change_case_status(case=case, by=by, to=step)
        if step == to:
            return
    services.answer_case(case=case, by=by, text="Đã xử lý xong.")
    if to == "approved":
        services.approve_answer(case=case, by=User.objects.get(username="province"))
    assert Case.objects.get(pk=case.pk).status == to


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_permission_matrix(endpoint, role, world, api_as):
    # given
    client = api_as(role)
    url = endpoint.url(world)
    data = endpoint.data(world) if endpoint.data else None

    # when
    headers = endpoint.headers(world) if endpoint.headers else None
    response = getattr(client, endpoint.method)(url, data, format=endpoint.format, headers=headers)

    # then
    assert response.status_code == endpoint.statuses[role], (role, endpoint.name, response.content[:300])
    is_json = response.get("Content-Type", "").startswith("application/json")
    body = response.json() if response.content and is_json else None
    if response.status_code >= 400:
        assert set(body) == {"detail", "errors"} and body["detail"]
    if (endpoint.unit_key or endpoint.unit_of) and response.status_code == 200:
        unit_of = endpoint.unit_of or (lambda w, row: row[endpoint.unit_key])
        seen = {unit_of(world, row) for row in body["results"]} - {None}
        visible = (endpoint.visible or {}).get(role, VISIBLE_UNITS[role])
        every_unit = {world.unit_a.pk, world.unit_b.pk}
        allowed = every_unit if visible == "all" else {getattr(world, name).pk for name in visible}
        assert seen <= allowed or visible == "all", f"{role} sees another unit's rows in {endpoint}: {seen - allowed}"
        if not endpoint.filtered:
            # Not vacuous: each role sees all it may see (the world has rows in both units).
            assert seen >= allowed, f"{role} misses rows of {allowed - seen} in {endpoint}"


def test_every_api_route_is_in_the_matrix():
    """A new endpoint cannot be forgotten: every named route of the API appears in the matrix."""
    from api.urls import urlpatterns

    names = {pattern.name for pattern in urlpatterns}
    covered = set()
    for endpoint in ENDPOINTS:
        source = endpoint.url.__code__.co_consts
        covered.update(const.removeprefix("api:") for const in source if isinstance(const, str))
    assert names <= covered, f"missing from the permission matrix: {sorted(names - covered)}"
