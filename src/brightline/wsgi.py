import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brightline.settings")
application = get_wsgi_application()

# Load the URL configuration, and with it every view, schema and policy module, before the first
# request instead of during it; then set what is loaded aside from the cyclic garbage collector. Those
# objects live as long as the process, and without this every full collection walks all of them: a
# pause of tens of milliseconds in the middle of somebody's request.
get_resolver().url_patterns  # noqa: B018 (the attribute loads the URLconf)
gc.collect()
gc.freeze()
