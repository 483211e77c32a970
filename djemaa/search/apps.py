from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "djemaa.search"
    verbose_name = "Search"
