import os
import sys
import tempfile
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from djemaa.interchange.dumper import dump_forum


class Command(BaseCommand):
    help = "Write the whole forum, or what one member may see, to an interchange file (JSON Lines)."

    def add_arguments(self, parser):
        parser.add_argument("file", help='the file to write, or "-" for standard output')
        parser.add_argument(
            "--as",
            dest="viewer",
            metavar="USERNAME",
            help="write only what this member may see (default: everything)",
        )

    def handle(self, *args, file: str, viewer: str | None = None, **options):
        member = None
        if viewer is not None:
            member = get_user_model().objects.named(viewer).first()
            if member is None:
                raise CommandError(f"there is no member named {viewer}")
        if file == "-":
            dump_forum(sys.stdout.buffer, member)
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
                written = dump_forum(out, member)
            os.replace(out.name, target)
        except OSError as exc:
            raise CommandError(f"cannot write {file}: {exc.strerror or exc}") from None
        finally:
            Path(out.name).unlink(missing_ok=True)  # gone already once renamed
        counts = ", ".join(f"{count} {kind}" for kind, count in written.items())
        self.stdout.write(f"Wrote {file} ({counts or 'an empty forum'}).")
