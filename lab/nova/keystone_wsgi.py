# Keystone's public WSGI application for gunicorn. Keystone parses sys.argv with oslo.config,
# which would choke on gunicorn's own arguments: hide them first. The configuration comes from
# OS_KEYSTONE_CONFIG_FILES.
import sys

sys.argv = sys.argv[:1]

from keystone.server import wsgi  # noqa: E402

application = wsgi.initialize_public_application()
