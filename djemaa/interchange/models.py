from django.db import models


class LoadedObject(models.Model):
    """Which object a file's id was loaded as.

    Loading a file again maps its ids to these objects instead of creating them twice,
    and a dump writes an object under the id it was loaded with.
    """

    class Kind(models.TextChoices):
        USER = "user"
        CATEGORY = "category"
        THREAD = "thread"
        POST = "post"
        ANNOUNCEMENT = "announcement"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    file_id = models.CharField(max_length=255)
    object_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "file_id"], name="loaded_object_once")
        ]
        # The dump looks ids up from the object's side.
        indexes = [models.Index(fields=["kind", "object_id"], name="loaded_object_by_object")]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_id} -> {self.object_id}"
