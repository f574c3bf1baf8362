"""The `headway` command: Django's management commands plus serve, worker and run.

headway serve      gunicorn on HEADWAY_BIND (default 127.0.0.1:8000)
headway worker     the background task worker (django-tasks database queue), which
                   also schedules the periodic jobs (--no-scheduler: tasks only)
headway run        migrate, load the demo into an empty database, start one
                   worker and serve: what `make run` does
headway <command>  any management command: migrate, demo, createuser, token, ...
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from headway.lib.env import env_int, env_str


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "headway.settings")
    import django

    django.setup()


def _manage(args: list[str]) -> None:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["headway", *args])


def _gunicorn(args: list[str]) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "headway.wsgi:application",
        "--bind",
        env_str("HEADWAY_BIND", "127.0.0.1:8000"),
        "--workers",
        str(env_int("HEADWAY_WEB_WORKERS", 2)),
        "--access-logfile",
        "-",
        "--forwarded-allow-ips",
        env_str("HEADWAY_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        *args,
    ]


def serve(args: list[str]) -> int:
    os.execv(sys.executable, _gunicorn(args))
    return 0  # not reached: exec replaces this process


def worker(args: list[str]) -> None:
    _django()
    from headway.notify.schedule import scheduler_start, tick, worker_name
    from headway.transfer.services import imports_resume

    # Named host:pid, so a later worker can tell this one's lost tasks (imports_resume).
    if "--worker-id" not in args:
        args = [*args, "--worker-id", worker_name()[-64:]]
    imports_resume()
    if "--no-scheduler" in args:
        args = [arg for arg in args if arg != "--no-scheduler"]
    elif "--batch" in args:
        tick()  # one pass: a batch worker drains the queue and exits
    else:
        scheduler_start()
    _manage(["db_worker", *args])


def run(args: list[str]) -> int:
    """Prepare the database, start one worker beside gunicorn, stop it on exit."""
    _django()
    _manage(["migrate", "--verbosity", "0"])
    _manage(["demo", "--if-empty"])
    from headway.demo.data import DEMO_LOGIN, DEMO_PASSWORD

    children = [
        subprocess.Popen([sys.executable, "-m", "headway.cli", "worker"]),
        subprocess.Popen(_gunicorn(args)),
    ]
    url = f"http://{env_str('HEADWAY_BIND', '127.0.0.1:8000')}"
    print(f"\n  Headway is at {url}\n  Demo login: {DEMO_LOGIN} / {DEMO_PASSWORD}\n", flush=True)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        # Whichever child ends first (or Ctrl+C) stops the other.
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            child.wait(timeout=15)
    return children[1].returncode or 0


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command = args[0] if args else "help"
    if command == "serve":
        return serve(args[1:])
    if command == "run":
        return run(args[1:])
    if command == "worker":
        worker(args[1:])
        return 0
    if command in ("help", "--help", "-h"):
        print(__doc__)
    _django()
    _manage(args if command not in ("help", "--help", "-h") else ["help"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
