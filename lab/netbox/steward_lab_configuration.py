# NetBox configuration of the Steward lab (NETBOX_CONFIGURATION=steward_lab_configuration).
# Everything that differs between labs comes from the environment the lab starts NetBox with, so
# secrets never appear on a command line.
import os

ALLOWED_HOSTS = ['127.0.0.1', 'localhost']

DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.postgresql',
        'NAME': 'netbox',
        'USER': 'netbox',
        'HOST': '127.0.0.1',
        'PORT': os.environ['STEWARD_NETBOX_DB_PORT'],
        'CONN_MAX_AGE': 300,
    }
}

_redis = {'HOST': '127.0.0.1', 'PORT': int(os.environ.get('STEWARD_NETBOX_REDIS_PORT', '6379'))}
REDIS = {'tasks': {**_redis, 'DATABASE': 0}, 'caching': {**_redis, 'DATABASE': 1}}

SECRET_KEY = os.environ['STEWARD_NETBOX_SECRET_KEY']
# v2 API tokens are stored as an HMAC of the token with this pepper.
API_TOKEN_PEPPERS = {1: os.environ['STEWARD_NETBOX_TOKEN_PEPPER']}

# The lab has no outside network.
RELEASE_CHECK_URL = None
CENSUS_REPORTING_ENABLED = False
ISOLATED_DEPLOYMENT = True
