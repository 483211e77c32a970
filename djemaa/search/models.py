from django.db import models


class PostEntry(models.Model):
    """A post as the index sees it: the analyser's terms, space-separated.

    The full-text index proper is kept from this table by the database itself (triggers
    written in the migration): an FTS5 table on SQLite, a tsvector column with a GIN index on
    PostgreSQL. Who may see a post is never stored here: searches ask the permission rules at
    query time, so deleting, restoring, moving or hiding a forum changes no entry.
    """

    post = models.OneToOneField(
        "posts.Post", primary_key=True, on_delete=models.CASCADE, related_name="search_entry"
    )
    # The thread's title, on the thread's opening post only (so a title matches once).
    title = models.TextField(blank=True)
    body = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"index entry of post {self.post_id}"


class Word(models.Model):
    """Every folded word the index has seen, for spelling suggestions. Only ever grows: a
    suggestion is offered only after a search shows it finds something for the searcher."""

    word = models.CharField(max_length=160, primary_key=True)

    def __str__(self) -> str:
        return self.word
