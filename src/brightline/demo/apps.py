from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "brightline.demo"
    label = "demo"
    verbose_name = "Demo district"
