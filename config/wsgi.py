"""The web server's entry point (gunicorn). ENVIRONMENT chooses the settings as for every other entry
point; when neither ENVIRONMENT nor DJANGO_SETTINGS_MODULE is set, a web server means production."""

from django.core.wsgi import get_wsgi_application

from config.env import choose_settings

choose_settings(default="production")

application = get_wsgi_application()
