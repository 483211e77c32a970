import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from djemaa.core import demo
from djemaa.core.errors import ServiceError


class Command(BaseCommand):
    help = (
        "Create a demo forum (French and Arabic sample content, an admin login) and serve it. "
        "Safe to run again: the content is written once, the admin password changes each time."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-serve", action="store_true", help="prepare the forum and the login, then stop"
        )

    def handle(self, *args, host: str, port: int, no_serve: bool, **options) -> None:
        self.stdout.write("Preparing the database…")
        call_command("migrate", interactive=False, verbosity=0)
        state = demo.site_state()
        password = secrets.token_urlsafe(12)
        now = timezone.now()
        try:
            admin = demo.ensure_admin(
                password,
                joined_at=now - demo.FOUNDED if state is demo.SiteState.EMPTY else None,
            )
        except ServiceError as error:
            raise CommandError(" ".join(error.messages)) from None

        if state is demo.SiteState.EMPTY:
            self.stdout.write("Writing the sample content…")
            threads = demo.build_demo(admin, now)
            self.stdout.write(f"Demo forum created: {threads} threads in French and Arabic.")
        elif state is demo.SiteState.DEMO:
            self.stdout.write("The demo content is already there: nothing added.")
        else:
            self.stdout.write(
                self.style.WARNING("This site has content of its own: no demo content added.")
            )

        address, public = settings.PUBLIC_URL, urlsplit(settings.PUBLIC_URL)
        if not no_serve and public.port not in (None, port):
            address = f"http://{host}:{port}"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"  Open      {address}"))
        self.stdout.write(f"  Username  {admin.username}")
        self.stdout.write(f"  Password  {password}")
        self.stdout.write("  (a new password is set each time `djemaa demo` runs)")
        if address != settings.PUBLIC_URL:
            # The forum writes its own absolute links from PUBLIC_URL, not from this port.
            self.stdout.write(
                f"  (DJEMAA_PUBLIC_URL is {settings.PUBLIC_URL}: set it to {address} "
                "so the forum's own links match)"
            )
        self.stdout.write("")
        if no_serve:
            self.stdout.write("Serve it with `djemaa serve`.")
            return
        self.stdout.write("Stop the server with Ctrl+C.")
        call_command("serve", host=host, port=port)
