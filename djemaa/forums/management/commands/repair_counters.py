from django.core.management.base import BaseCommand

from djemaa.forums.services import repair_counters


class Command(BaseCommand):
    help = "Rebuild every counter and 'last post' link from the posts themselves."

    def handle(self, *args, **options):
        repair_counters()
        self.stdout.write("Counters rebuilt.")
