"""The console's SMS counter (static/sms.js, in Chromium) and persian_text.sms agree."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from persian_text import sms
from tests.browser.test_console_browser import CHROMIUM, CHROMIUM_ARGS, ROOT
from tests.persian_text.test_sms import CASES

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
]
SCRIPT = ROOT / "feedback_api" / "console" / "static" / "sms.js"


def test_the_browser_counts_like_the_service(tmp_path: Path) -> None:
    texts = [text for text, _, _ in CASES] + [
        "کمک نقدی شما واریز شد. شماره پیگیری: AAP-2026-ABCD-EFGH-K",
        "Salam, komak naqdi ma kay miayad? 😀",
        "x" * 153 * 3 + "€",
    ]
    page = tmp_path / "counter.html"
    page.write_text(
        "<!doctype html><meta charset='utf-8'><pre id='out'></pre>"
        f"<script>{SCRIPT.read_text(encoding='utf-8')}</script><script>"
        f"var texts = {json.dumps(texts)};"
        "document.getElementById('out').textContent = JSON.stringify("
        "texts.map(function (t) { return window.smsSegments(t); }));</script>",
        encoding="utf-8",
    )
    dom = subprocess.run(
        [CHROMIUM, *CHROMIUM_ARGS, "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    found = json.loads(dom.split('<pre id="out">', 1)[1].split("</pre>", 1)[0])
    expected = [
        {"encoding": m.encoding, "units": m.units, "segments": m.segments}
        for m in map(sms.measure, texts)
    ]
    assert found == expected
