import os
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from djemaa.interchange.dumper import dump_forum


class Command(BaseCommand):
    help = "Write the whole forum to an interchange file (JSON Lines)."

    def add_arguments(self, parser):
        parser.add_argument("file", help='the file to write, or "-" for standard output')

    def handle(self, *args, file: str, **options):
        if file == "-":
            dump_forum(sys.stdout.buffer)
            sys.stdout.buffer.flush()
            return
        target = Path(file)
        # Written beside the target and renamed at the end: a failed dump leaves no half file.
        try:
            out = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed below, then renamed)
                "wb", dir=target.parent, prefix=f".{target.name}.", delete=False
            )
        except OSError as exc:
            raise CommandError(f"cannot write {file}: {exc.strerror or exc}") from None
        try:
            with out:
                written = dump_forum(out)
            os.replace(out.name, target)
        except OSError as exc:
            raise CommandError(f"cannot write {file}: {exc.strerror or exc}") from None
        finally:
            Path(out.name).unlink(missing_ok=True)  # gone already once renamed
        counts = ", ".join(f"{count} {kind}" for kind, count in written.items())
        self.stdout.write(f"Wrote {file} ({counts or 'an empty forum'}).")
