"""`headway coach classify`: the outcome/output classifier on the command line."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

BATCH = 1000  # lines classified together: one embedding call each


def _batches(lines: Iterable[str], keep_blank: bool) -> Iterator[list[str]]:
    batch: list[str] = []
    for line in lines:
        text = line.rstrip("\r\n")
        if not keep_blank and not text.strip():
            continue
        batch.append(text)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _stdin() -> TextIO:
    # Undecodable bytes become U+FFFD instead of stopping the run.
    if isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(errors="replace")
    return sys.stdin


class Command(BaseCommand):
    help = (
        "The coach. `coach classify` reads one key result per line on standard input and "
        'writes one JSON object per line, in input order: {"text", "label" ("outcome" or '
        '"output"), "score" (probability of outcome), "low_confidence", "note"}. Blank lines '
        "are skipped unless --keep-blank is given. Works offline: it needs only the committed "
        "model files. See docs/coach-evaluation.md."
    )
    requires_system_checks: list[str] = []
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        classify = actions.add_parser(
            "classify", help="Classify key results read from standard input, one per line."
        )
        classify.add_argument(
            "--keep-blank",
            action="store_true",
            help="Classify blank lines too (as empty texts) so output line N is input line N.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from headway.coach.classifier import ModelError, classify

        stream: TextIO = options.get("stdin") or _stdin()
        # Non-ASCII text is written as is where the output can carry it, else as \u escapes.
        encoding = (getattr(self.stdout._out, "encoding", None) or "utf-8").lower()
        ascii_only = not encoding.replace("-", "").replace("_", "").startswith("utf")
        try:
            for batch in _batches(stream, options["keep_blank"]):
                for prediction in classify(batch):
                    self.stdout.write(json.dumps(prediction.as_dict(), ensure_ascii=ascii_only))
                self.stdout.flush()
        except ModelError as error:
            raise CommandError(str(error)) from error
