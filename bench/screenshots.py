"""Take the documentation's screenshots (docs/screenshots/*.png) from the live demo.

Usage:

    python bench/screenshots.py [--ratings 10000] [--out docs/screenshots] [--language vi]

The script builds a throwaway demo in a temporary SQLite database (never the one in DATABASE_URL or db.sqlite3):
migrate, `load_demo --ratings N`, `compute_indices` for the last two years and their months, and a few PAKN cases
(one answered), then serves it with `runserver` and drives Debian's Chromium through Playwright:

- citizen-rating.png   the rating page of a counter, on a 360x640 phone
- pakn-tracking.png    an answered complaint followed with its tracking code, on the phone
- officer-inbox.png    the complaints inbox of an officer (Sở Tư pháp), on a desk
- agency-dashboard.png the unit's satisfaction dashboard with its charts
- province-report.png  the province report of 2017 (the seed's 75.3%) as provincial staff

Each PNG is reduced to a 256-colour palette (Pillow) so that it stays well under 200 KB.
"""

import argparse
import datetime
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "hailong-demo-2026"
UNIT = "so-tu-phap"
PHONE = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True, "device_scale_factor": 1}
DESK = {"viewport": {"width": 1280, "height": 860}, "device_scale_factor": 1}
MAX_BYTES = 200 * 1024


def _build_demo(ratings: int) -> dict:
    """Migrate and fill the throwaway database; return what the pages need (codes, ids)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from feedback.services import (
        ContactInput,
        answer_case,
        approve_answer,
        change_case_status,
        publish_answer,
        submit_case,
    )
    from survey import services as survey_services
    from survey.models import Unit, User

    call_command("migrate", verbosity=0)
    call_command("load_demo", password=PASSWORD, ratings=ratings, verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    today = timezone.localdate()
    periods = [str(today.year - 1), str(today.year)]
    month = today.replace(day=1)
    for _ in range(13):
        periods.append(f"{month:%Y-%m}")
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    call_command("compute_indices", *[f"--period={p}" for p in periods], stdout=open(os.devnull, "w"))  # noqa: SIM115

    unit = Unit.objects.get(code=UNIT)
    counter = unit.counters.filter(is_active=True).order_by("name").first()
    officer = User.objects.get(username=f"officer-{UNIT}")
    lead = User.objects.get(username=f"lead-{UNIT}")
    rating = survey_services.submit_rating(counter=counter, score=2, idempotency_key=uuid.uuid4())
    texts = [
        ("late_result", "Hẹn trả kết quả lý lịch tư pháp ngày thứ Hai nhưng đến thứ Sáu vẫn chưa có."),
        ("attitude", "Cán bộ không hướng dẫn rõ ràng thủ tục chứng thực, phải đi lại nhiều lần."),
        ("complex_procedure", "Đề nghị niêm yết rõ lệ phí và thời hạn giải quyết tại quầy."),
    ]
    cases = [
        submit_case(
            unit=unit,
            counter=counter,
            rating=rating if index == 0 else None,
            category=category,
            text=text,
            contact=ContactInput(name="Nguyễn Văn An", email="an@example.vn", consent_reply=True) if index else None,
        )
        for index, (category, text) in enumerate(texts)
    ]
    answered = cases[1]
    change_case_status(case=answered, by=officer, to="accepted")
    change_case_status(case=answered, by=officer, to="in_progress")
    # The officer drafts the answer, the unit's lead approves it, the officer publishes it.
    answer_case(
        case=answered,
        by=officer,
        text="Sở đã nhắc nhở cán bộ, niêm yết hướng dẫn chứng thực tại quầy số 1 và xin lỗi ông An.",
    )
    approve_answer(case=answered, by=lead)
    publish_answer(case=answered, by=officer)
    change_case_status(case=cases[2], by=officer, to="accepted")
    return {"code": counter.code, "tracking": answered.tracking_code, "unit_id": unit.pk}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 (our own local server)
            return
        except Exception:
            time.sleep(0.3)
    raise SystemExit(f"the demo server did not answer at {url}")


def _optimise(path: Path) -> int:
    """Reduce the PNG to a 256-colour palette; return its size in bytes."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(path, optimize=True)
    return path.stat().st_size


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def _shoot(browser, base: str, demo: dict, out: Path, language: str) -> list[Path]:
    locale = "vi-VN" if language == "vi" else "en-GB"
    shots = []

    def save(page, name: str, full_page: bool = False) -> None:
        path = out / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page, animations="disabled")
        shots.append(path)

    phone = browser.new_context(locale=locale, **PHONE).new_page()
    phone.goto(f"{base}/r/{demo['code']}")
    save(phone, "citizen-rating")
    phone.goto(f"{base}/pakn/tra-cuu/{demo['tracking']}/")
    save(phone, "pakn-tracking")
    phone.context.close()

    officer = browser.new_context(locale=locale, **DESK).new_page()
    _login(officer, base, f"officer-{UNIT}")
    officer.goto(f"{base}/pakn/hop-thu/")
    save(officer, "officer-inbox")
    # The last full year: the current month has only a few ratings so far.
    officer.set_viewport_size({"width": 1280, "height": 1500})
    officer.goto(f"{base}/chi-so/don-vi/{demo['unit_id']}/?ky={datetime.date.today().year - 1}")
    officer.wait_for_function(
        "() => window.Chart && Chart.getChart('chart-trend') && Chart.getChart('chart-counters')"
    )
    officer.wait_for_timeout(800)  # let the charts finish drawing
    save(officer, "agency-dashboard")
    officer.context.close()

    province = browser.new_context(locale=locale, **DESK).new_page()
    _login(province, base, "province")
    province.goto(f"{base}/bao-cao/?year=2017")
    province.wait_for_function("() => window.Chart && Chart.getChart('chart-bars')")
    province.wait_for_timeout(800)
    save(province, "province-report")
    province.context.close()
    return shots


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ratings", type=int, default=10000, help="Demo ratings to generate (default 10000).")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"), help="Where to write the PNGs.")
    parser.add_argument("--language", choices=["vi", "en"], default="vi", help="Language of the pages.")
    args = parser.parse_args()

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="hailong-shots-") as tmp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": "",
            "REDIS_URL": "",
            "DJANGO_DEBUG": "1",
            "SQLITE_PATH": str(Path(tmp) / "demo.sqlite3"),
            "MEDIA_ROOT": str(Path(tmp) / "media"),
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
        os.environ.update(env)
        demo = _build_demo(args.ratings)
        port = _free_port()
        server = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_for(f"{base}/healthz")
            from playwright.sync_api import sync_playwright

            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
                shots = _shoot(browser, base, demo, out, args.language)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    for path in shots:
        size = _optimise(path)
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {size // 1024} KB")
        if size > MAX_BYTES:
            raise SystemExit(f"{path} is larger than {MAX_BYTES // 1024} KB")


if __name__ == "__main__":
    main()
