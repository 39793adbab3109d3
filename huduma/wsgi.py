import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huduma.settings")
application = get_wsgi_application()

# Granian runs no system checks: the ones tagged "huduma.start" (payment providers, ...) are run
# here, and a serious one stops the server before it takes a request.
from huduma.core.startup import database_pools_open, refuse_unsafe_start

refuse_unsafe_start()
database_pools_open()
