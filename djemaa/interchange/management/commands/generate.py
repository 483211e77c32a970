import io
import os
import sys
from collections import Counter
from dataclasses import fields
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations

from djemaa.interchange.generate import (
    BIG_THREAD_FORUM,
    BIG_THREAD_ID,
    Sizes,
    generate_records,
    write_records,
)
from djemaa.interchange.loader import LoadError, load_records

SIZE_HELP = {
    "users": "members",
    "forums": "forums and sub-forums, under one top-level category for every eight",
    "threads": "threads, the big one included",
    "posts": "posts in all, the big thread's included",
    "big_thread_posts": "posts of the one very long thread (0: no big thread)",
}


def _whole_number(option: str, value: int | str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{option} {value!r} is not a whole number") from None


def _listed(counts: Counter[str]) -> str:
    return ", ".join(f"{kind} {count}" for kind, count in counts.items() if count)


class Command(BaseCommand):
    help = (
        "Make a synthetic French/Arabic forum, the same for the same options: write it as an "
        "interchange file, or load it into the database (all or nothing)."
    )

    def add_arguments(self, parser):
        # Sizes are read as text and checked in handle: a bad value gets one line and exit 2.
        parser.add_argument("--seed", default="1", metavar="N", help="default: 1")
        for size in fields(Sizes):
            parser.add_argument(
                f"--{size.name.replace('_', '-')}",
                default=str(size.default),
                metavar="N",
                help=f"{SIZE_HELP[size.name]} (default: {size.default})",
            )
        parser.add_argument(
            "--output",
            metavar="FILE",
            help='write the records to FILE ("-": standard output) instead of loading them',
        )

    @no_translations
    def handle(self, *args, seed, output: str | None, **options):
        try:
            seed = _whole_number("--seed", seed)
            sizes = Sizes(
                **{
                    size.name: _whole_number(f"--{size.name.replace('_', '-')}", options[size.name])
                    for size in fields(Sizes)
                }
            )
            sizes.check()
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from None
        records = generate_records(sizes, seed)
        report, notes = self.stdout, ""
        if output is None:
            try:
                loader = load_records(records, total=sizes.records)
            except LoadError as exc:
                raise CommandError(str(exc)) from None
            where, counts = "Loaded into the database", loader.created
            if loader.existing:
                # Loading the same forum again adds nothing (see `djemaa load`).
                notes = f"; already there: {_listed(loader.existing)}"
        elif output == "-":
            # UTF-8 whatever the locale says, like the file.
            out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="\n")
            counts = write_records(records, out)
            out.flush()
            out.detach()
            # Standard output holds the records: the summary goes to standard error.
            where, report = "Wrote standard output", self.stderr
        else:
            where, counts = f"Wrote {output}", self._write_file(records, Path(output))
        if sizes.big_thread_posts:
            notes += (
                f"; big thread {BIG_THREAD_ID} ({sizes.big_thread_posts} posts) "
                f"in forum {BIG_THREAD_FORUM}"
            )
        report.write(f"{where}: {_listed(counts) or 'nothing new'}{notes}.", style_func=str)

    def _write_file(self, records, target: Path) -> Counter[str]:
        # Written beside the target and renamed at the end, so a stopped run leaves no half
        # file that would load as a smaller forum.
        part = target.with_name(f".{target.name}.{os.getpid()}.part")
        try:
            with open(part, "w", encoding="utf-8", newline="\n") as out:
                counts = write_records(records, out)
            os.replace(part, target)
        except OSError as exc:
            raise CommandError(f"cannot write {target}: {exc.strerror or exc}") from None
        finally:
            part.unlink(missing_ok=True)
        return counts
