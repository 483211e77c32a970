import os

import uvicorn
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def default_workers() -> int:
    """One worker per core: each is an event loop, and SQLite's single writer caps more."""
    return max(os.cpu_count() or 1, 1)


class Command(BaseCommand):
    help = "Serve the forum over ASGI in production mode."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=default_workers())

    def handle(self, *args, host, port, workers, **options):
        if settings.DEBUG:
            raise CommandError("DJEMAA_DEBUG is set: unset it to serve in production mode.")
        if not 0 < port < 65536:
            raise CommandError(f"--port must be between 1 and 65535, not {port}")
        if workers < 1:
            raise CommandError("--workers must be at least 1")
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("The database is not up to date: run `djemaa migrate` first.")
        connection.close()
        # Hashed, compressed static files, so browsers may cache them for a year.
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"Djemaa at {settings.PUBLIC_URL} (listening on {host}:{port})")
        uvicorn.run(
            "config.asgi:application",
            host=host,
            port=port,
            workers=workers,
            lifespan="off",
            access_log=False,
            log_level="warning",
            server_header=False,
        )
