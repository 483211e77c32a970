from django.apps import AppConfig


class PostsConfig(AppConfig):
    name = "djemaa.posts"
    label = "posts"
