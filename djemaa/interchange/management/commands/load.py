import os
import sys
from collections import Counter
from typing import BinaryIO

from django.core.management.base import BaseCommand, CommandError, no_translations

from djemaa.interchange.loader import LoadError, load_file
from djemaa.interchange.models import LoadedObject

# Output is English, like Django's own commands': the lines are for the site's admin, and
# a service's message must not switch language in the middle of an English one.


def _counts(counter: Counter[str]) -> str:
    listed = ", ".join(
        f"{kind} {counter[kind]}" for kind in LoadedObject.Kind.values if counter[kind]
    )
    return listed or "none"


class Command(BaseCommand):
    help = "Load an interchange file (JSON Lines) into the forum: all of it, or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", help='the file to read, or "-" for standard input')

    @no_translations
    def handle(self, *args, file: str, **options):
        stream, size = self._open(file)
        try:
            loader = load_file(stream, size=size)
        except LoadError as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror or exc}") from None
        finally:
            if stream is not sys.stdin.buffer:
                stream.close()
        new, existing = _counts(loader.created), _counts(loader.existing)
        # Load, then search indexing (after the commit): two times, as two steps of the work.
        self.stdout.write(
            f"Loaded {file} in {loader.load_seconds:.1f} s (then indexed for search in "
            f"{loader.index_seconds:.1f} s): new {new}; already there {existing}."
        )

    def _open(self, file: str) -> tuple[BinaryIO, int | None]:
        if file == "-":
            return sys.stdin.buffer, None
        try:
            stream = open(file, "rb")  # noqa: SIM115 (closed by handle, after the load)
        except OSError as exc:
            raise CommandError(f"cannot open {file}: {exc.strerror or exc}") from None
        return stream, os.fstat(stream.fileno()).st_size
