import getpass
import os

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from djemaa.accounts import services


class Command(BaseCommand):
    help = (
        "Create an administrator. The password is asked for, or read from "
        "DJEMAA_ADMIN_PASSWORD when there is no terminal."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")

    def handle(self, *args, username, email, **options):
        password = os.environ.get("DJEMAA_ADMIN_PASSWORD")
        if password is None:
            if not self.stdin_is_tty():
                raise CommandError("No terminal to ask for a password: set DJEMAA_ADMIN_PASSWORD.")
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords differ.")
        try:
            validate_password(password)
            user = services.create_member(
                username=username, email=email, password=password, is_admin=True
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"Administrator {user.username} created.")

    @staticmethod
    def stdin_is_tty() -> bool:
        return os.isatty(0)
