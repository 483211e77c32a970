from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    name = "djemaa.interchange"
    label = "interchange"
