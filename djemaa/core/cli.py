"""The `djemaa` command: a short front for the management commands a site's admin needs."""

import os
import sys

# Commands people type with a dash, as in the README; Django's names use underscores.
ALIASES = {"repair-counters": "repair_counters"}
USAGE = """usage: djemaa COMMAND [options]

  demo                 create a demo forum (sample content, an admin login) and serve it
  serve                serve the forum in production mode (--host, --port, --workers)
  migrate              create or update the database tables
  createadmin          create an administrator account
  load FILE            load an interchange file (JSON Lines) into the forum
  dump FILE            write the forum to an interchange file
  generate             make a synthetic French/Arabic forum (into the database, or --output FILE)
  repair-counters      rebuild every counter from the posts themselves

Any other Django management command works too (djemaa help COMMAND)."""


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help"}:
        print(USAGE)
        return
    argv[0] = ALIASES.get(argv[0], argv[0])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["djemaa", *argv])
    except ImproperlyConfigured as error:
        # A bad environment variable: one readable line, not a traceback.
        sys.exit(f"djemaa: {error}")


if __name__ == "__main__":
    main()
