"""Browser tests: Playwright drives Debian's Chromium against the live test server.

Screenshots land in test-artifacts/screenshots/ (kept by CI as artifacts, looked at by people).
"""

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("浏览器测试需要 Chromium：运行 ./dev test 会自动安装（apt-get install chromium）")
    return path


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, _plain_static_storage):
    """A fresh page whose console errors and failed requests fail the test."""
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1400, "height": 900}
    )
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None,
    )
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on(
        "requestfailed",
        # ERR_ABORTED is a request cancelled by navigating away, not a broken page
        lambda req: (
            problems.append(f"request failed: {req.url} {req.failure}")
            if "ERR_ABORTED" not in (req.failure or "")
            else None
        ),
    )
    page.problems = problems
    yield page
    context.close()
    assert not problems, problems


@pytest.fixture
def login(page):
    def do_login(user, password: str = "pw-12345678"):
        page.goto("/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login/" not in url)
        return page

    return do_login


@pytest.fixture
def screenshot(page):
    def take(name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
