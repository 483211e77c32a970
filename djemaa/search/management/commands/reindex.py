import sys

from django.core.management.base import BaseCommand
from tqdm import tqdm

from djemaa.posts.models import Post
from djemaa.search.services import reindex_all


class Command(BaseCommand):
    help = "Rebuild the search index from every post, while the forum stays open."

    def handle(self, *args, **options):
        # disable=None: no bar when stderr is not a terminal (logs, pipes, tests).
        with tqdm(total=Post.objects.count(), unit=" posts", file=sys.stderr, disable=None) as bar:
            count = reindex_all(progress=bar.update)
        self.stdout.write(f"{count} posts indexed.")
