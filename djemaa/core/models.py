from django.db import models


class Generation(models.Model):
    """A number that grows each time something it stands for changes (see core.pagecache)."""

    name = models.CharField(max_length=32, primary_key=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"
