"""The dashboard in headless Chromium, against the real service (uvicorn in a subprocess).

Seeds a year of cases into a fresh SQLite database, logs in as accountability
staff, applies a province filter and saves screenshots (right-to-left Persian)
to test-output/screenshots/.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from feedback_api import migrate
from feedback_api.db import make_engine
from feedback_api.users.service import create_user
from tests.feedback_api.dashboard.factories import seed

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
PASSWORD = "dashboard browser password"
RANGE = "date_from=2024-03-20&date_to=2025-03-11"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    folder = Path(tempfile.mkdtemp(prefix="aap-dashboard-browser-"))
    url = f"sqlite:///{folder / 'dashboard.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        seed(session, 3000)
        create_user(session, "trends", "accountability_staff", PASSWORD)
        session.commit()
    engine.dispose()
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": url, "CHANNELS_WORKERS": "false", "PORT": str(port)}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "feedback_api.main:build_app",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=2):  # noqa: S310
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_dashboard_in_a_browser(server: str) -> None:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1300, "height": 900}, locale="fa-IR")
        page.goto(f"{server}/console/dashboard?{RANGE}")
        page.fill('input[name="username"]', "trends")
        page.fill('input[name="password"]', PASSWORD)
        page.click('button[type="submit"]')
        page.wait_for_url(f"**/console/dashboard?{RANGE}")
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert page.locator("h1").first.inner_text() == "داشبورد پاسخگویی"
        assert page.locator("svg.chart").count() >= 10
        national = page.locator('[data-kpi="total_cases"] strong').inner_text()
        assert page.locator("#sensitive table").count() == 2
        page.screenshot(path=str(SHOTS / "dashboard.png"), full_page=True)

        page.select_option('select[name="province"]', "Tehran")
        page.select_option('select[name="period"]', "week")
        page.click(".dash-filters button[type=submit]")
        page.wait_for_url("**province=Tehran**")
        tehran = page.locator('[data-kpi="total_cases"] strong').inner_text()
        assert tehran != national
        # A province filter hides the sensitive (S2/S3) counts.
        assert page.locator("#sensitive table").count() == 0
        assert page.locator('select[name="province"]').input_value() == "Tehran"
        page.screenshot(path=str(SHOTS / "dashboard-filtered.png"))
        page.locator("#response").screenshot(path=str(SHOTS / "dashboard-response.png"))
        page.locator("#sensitive").screenshot(path=str(SHOTS / "dashboard-sensitive.png"))
        browser.close()
