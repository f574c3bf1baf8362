"""Screenshots of Headway's main pages, from the demo, for docs/screenshots/.

    python scripts/screenshots.py [--out docs/screenshots]

Builds the demo organisation in a throwaway data directory (SQLite; `headway migrate`,
then `headway demo`), serves it with gunicorn (`headway serve`) on a free port, logs in
as the demo owner in Debian's Chromium and saves one PNG per page: the first screen of
each page at 1440 x 900, and three at 375 x 800 (a phone). PNGs are reduced to a
256-colour palette, which keeps each under about 250 KB with text still crisp.

Needs the dev install (Playwright) and /usr/bin/chromium. It never touches your own
data directory or database: HEADWAY_DATABASE_URL is ignored here.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
LAPTOP = {"width": 1440, "height": 900}
PHONE = {"width": 375, "height": 800}


@dataclass(frozen=True)
class Shot:
    file: str
    path: str
    caption: str
    phone: bool = False
    menu_open: bool = False
    click: str = ""  # a button to press first, e.g. to show a brief


def shots(ids: dict[str, object]) -> list[Shot]:
    o = "/o/tidewater"
    return [
        Shot("login.png", "/login/", "Log in"),
        Shot("my-work.png", f"{o}/", "My work: what is due, my objectives, the current cycle"),
        Shot("check-in.png", f"{o}/check-in/", "The weekly check-in, one row per key result"),
        Shot("team.png", f"{o}/teams/{ids['team']}/", "A team's page"),
        Shot("objective.png", f"{o}/objectives/{ids['objective']}/", "An objective"),
        Shot("strategy.png", f"{o}/strategy/", "Strategy and themes"),
        Shot("alignment-map.png", f"{o}/alignment/", "The alignment map"),
        Shot("alignment-health.png", f"{o}/alignment/health/", "Alignment health"),
        Shot("needs-attention.png", f"{o}/attention/", "Needs attention: open flags"),
        Shot("learning-log.png", f"{o}/learning/", "The learning log"),
        Shot("coach.png", f"{o}/coach/", "The coach's summary"),
        Shot("cycles.png", f"{o}/cycles/", "Cycles"),
        Shot("adoption.png", f"{o}/adoption/", "Adoption and maturity"),
        Shot("discovery.png", f"{o}/discovery/", "Discovery"),
        Shot("rollout-plan.png", f"{o}/rollout/{ids['plan']}/", "A rollout plan"),
        Shot("leader-brief.png", f"{o}/rollout/brief/", "A leader brief", click="Show the brief"),
        Shot(
            "survey-report.png", f"{o}/surveys/{ids['survey']}/report/", "A purpose survey's report"
        ),
        Shot("import.png", f"{o}/import/", "Import from a spreadsheet or Viva Goals"),
        Shot("notifications.png", f"{o}/settings/notifications/", "Notification settings"),
        Shot("phone-my-work.png", f"{o}/", "My work on a phone", phone=True),
        Shot("phone-menu.png", f"{o}/", "The navigation behind Menu on a phone", True, True),
        Shot("phone-check-in.png", f"{o}/check-in/", "The check-in on a phone", phone=True),
    ]


def headway(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "headway.cli", *args], env=env, check=True, cwd=ROOT)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2):
            return
        time.sleep(0.3)
    raise SystemExit(f"the server did not answer at {url} within {seconds:.0f} s")


@contextlib.contextmanager
def served(env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    env = {**env, "HEADWAY_BIND": f"127.0.0.1:{port}", "HEADWAY_WEB_WORKERS": "2"}
    server = subprocess.Popen(
        [sys.executable, "-m", "headway.cli", "serve"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(f"{url}/login/")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def demo_ids(env: dict[str, str]) -> dict[str, object]:
    """The demo objects the pages show, read from the throwaway database."""
    code = (
        "from headway.goals.models import Objective;"
        "from headway.discovery.models import PurposeSurvey;"
        "from headway.rollout.models import RolloutPlan;"
        "o = Objective.objects.filter(cycle__status='active', owner_team__isnull=False,"
        " key_results__isnull=False).order_by('pk').first();"
        "s = PurposeSurvey.objects.exclude(analysed_at=None).order_by('-closes_on').first();"
        "print(o.pk, o.owner_team.slug, s.pk, RolloutPlan.objects.first().pk)"
    )
    out = subprocess.run(
        [sys.executable, "-m", "headway.cli", "shell", "-c", code],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[-4:]
    return {"objective": out[0], "team": out[1], "survey": out[2], "plan": out[3]}


def save_small_png(png: bytes, target: Path) -> int:
    """A 256-colour palette PNG: a UI screenshot loses nothing visible and shrinks 3-4x."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)
    return target.stat().st_size


def take(url: str, shots: list[Shot], out: Path) -> list[tuple[Shot, int]]:
    from playwright.sync_api import sync_playwright

    from headway.demo.data import DEMO_LOGIN, DEMO_PASSWORD

    saved = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(viewport=LAPTOP)
        page = context.new_page()
        page.goto(f"{url}/login/")
        page.screenshot()  # warm up fonts before the first saved shot
        logged_in = False
        for shot in shots:
            if shot.path != "/login/" and not logged_in:
                page.goto(f"{url}/login/")
                page.get_by_label("E-mail").fill(DEMO_LOGIN)
                page.get_by_label("Password").fill(DEMO_PASSWORD)
                page.get_by_role("button", name="Log in").click()
                page.wait_for_url(f"{url}/o/tidewater/")
                logged_in = True
            page.set_viewport_size(PHONE if shot.phone else LAPTOP)
            page.goto(f"{url}{shot.path}")
            page.wait_for_load_state("networkidle")
            if shot.click:
                with page.expect_navigation():
                    page.get_by_role("button", name=shot.click).click()
                page.wait_for_load_state("networkidle")
            if shot.menu_open:
                page.get_by_role("button", name="Menu").click()
            target = out / shot.file
            saved.append((shot, save_small_png(page.screenshot(), target)))
            print(f"{target.relative_to(ROOT)}  {saved[-1][1] // 1024} KB")
        browser.close()
    return saved


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    out = parser.parse_args().out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="headway-screenshots-") as data_dir:
        env = {k: v for k, v in os.environ.items() if k != "HEADWAY_DATABASE_URL"}
        env.update(HEADWAY_DATA_DIR=data_dir, HEADWAY_ENV="development")
        headway(env, "migrate", "--verbosity", "0")
        headway(env, "demo")
        ids = demo_ids(env)
        with served(env) as url:
            take(url, shots(ids), out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
