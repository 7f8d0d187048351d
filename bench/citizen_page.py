"""Citizen page weight: compressed bytes of each rating page (HTML + the CSS and JS it loads).

Budget: at most 30 KB transferred per page, nothing from another host, no web fonts. Runs on its own throwaway
SQLite database, so it needs no server:

    .venv/bin/python bench/citizen_page.py

HTML is measured as the app sends it (GZipMiddleware, `Accept-Encoding: gzip`); static files as WhiteNoise
serves them in production (pre-compressed gzip, level 9). Exits 1 when a page is over budget.
"""

import gzip
import os
import re
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET = 30 * 1024


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = ""
    os.environ["REDIS_URL"] = ""
    os.environ["SQLITE_PATH"] = str(Path(tempfile.mkdtemp()) / "bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _static_bytes(path: str) -> int:
    from django.contrib.staticfiles import finders

    found = finders.find(path.removeprefix("/static/"))
    return len(gzip.compress(Path(found).read_bytes(), compresslevel=9))


def measure(client, url: str) -> dict:
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code in (200, 410), (url, response.status_code)
    assert response.get("Content-Encoding") == "gzip", url
    raw = gzip.decompress(response.content).decode()
    assets = re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', raw)
    foreign = re.findall(r'(?:href|src|action)="((?:https?:)?//[^"]+)"', raw)
    fonts = any("@font-face" in (ROOT / "static" / a.removeprefix("/static/")).read_text() for a in assets)
    static = {asset: _static_bytes(asset) for asset in assets}
    return {
        "html": len(response.content),
        "static": static,
        "total": len(response.content) + sum(static.values()),
        "foreign": foreign,
        "fonts": fonts,
    }


def main() -> int:
    _setup()
    from django.test import Client

    from survey import services
    from survey.models import Questionnaire, RetiredCounterCode, Unit, UnitGroup

    group = UnitGroup.objects.create(code="bench", name="Cơ quan chuyên môn thuộc UBND tỉnh")
    unit = Unit.objects.create(group=group, code="bench", name="Sở Lao động - Thương binh và Xã hội", short_name="LĐ")
    counter = unit.counters.create(name="Quầy số 12 – Lao động, việc làm")
    full_unit = Unit.objects.create(group=group, code="bench-full", name="UBND phường Quy Nhơn Đông", short_name="QN")
    full_counter = full_unit.counters.create(name="Quầy số 3 – Hộ tịch")
    full = Questionnaire.objects.get(family="sipas-full")
    services.revise_questionnaire(questionnaire=full, items=list(full.items.values()), unit=full_unit, is_active=True)
    kiosk = services.issue_kiosk_token(counter=counter, by=None, label="bench")
    low = services.submit_rating(counter=counter, score=1, idempotency_key=uuid.uuid4())
    high = services.submit_rating(counter=counter, score=5, idempotency_key=uuid.uuid4())
    full_low = services.submit_rating(counter=full_counter, score=2, idempotency_key=uuid.uuid4())
    RetiredCounterCode.objects.create(code="cuoi2ma2cu", counter=counter)

    pages = {
        "Rating page (five faces)": f"/r/{counter.code}",
        "Kiosk page": f"/kiosk/{kiosk.token}/",
        "Items + chips, short form (score 1)": f"/r/s/{low.idempotency_key}/",
        "Items, short form (score 5)": f"/r/s/{high.idempotency_key}/",
        "Items + chips, full 19-item form (score 2)": f"/r/s/{full_low.idempotency_key}/",
        "Thanks with complaint invitation": f"/r/s/{low.idempotency_key}/cam-on/",
        "Replaced code": "/r/cuoi2ma2cu",
    }
    client = Client()
    failed = False
    print(f"{'Page':45} {'HTML gz':>8} {'CSS+JS gz':>10} {'Total':>8}  Budget {BUDGET} B")
    for name, url in pages.items():
        result = measure(client, url)
        ok = result["total"] <= BUDGET and not result["foreign"] and not result["fonts"]
        failed |= not ok
        print(
            f"{name:45} {result['html']:>8} {sum(result['static'].values()):>10} {result['total']:>8}  "
            f"{'ok' if ok else 'OVER BUDGET or foreign request'}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
