# Run by `netbox shell` at every lab start, beside gunicorn's start (one Django start-up instead of
# dozens of API round trips): the API user and its v2 token on the first start, then the scenario's
# hosts from STEWARD_LAB_HOSTS (JSON). Objects are only created when missing, so a change made
# since (a status Steward wrote) survives a restart. Saved through the ORM after full_clean(), the
# checks the API runs; outside a request, so NetBox's changelog starts empty.
import json
import os

from dcim.models import Device, DeviceRole, DeviceType, Interface, Manufacturer, Site
from django.contrib.contenttypes.models import ContentType
from extras.models import CustomField, CustomFieldChoiceSet
from ipam.models import IPAddress
from users.constants import TOKEN_PREFIX
from users.models import Token, User

DEPLOYMENT_OPTIONS = ['standard', 'none', 'custom']


def saved(obj):
    obj.full_clean()
    obj.save()
    return obj


def ensure_token(path):
    """Writes the token as clients send it after `Bearer ` to `path`, readable by its owner only."""
    if os.path.exists(path):
        return
    user, _ = User.objects.get_or_create(username='steward', defaults={'is_superuser': True})
    token = Token(user=user, description='Steward lab')
    token.save()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, 'w') as f:
        f.write(f'{TOKEN_PREFIX}{token.key}.{token.token}\n')


def ensure_custom_fields():
    choices, _ = CustomFieldChoiceSet.objects.get_or_create(
        name='Deployment options', defaults={'extra_choices': [[o, o] for o in DEPLOYMENT_OPTIONS]}
    )
    fields = {
        'deployment_option': {'type': 'select', 'choice_set': choices},
        'custom_base_script': {'type': 'text'},
        'kubelet_version': {'type': 'text'},
    }
    for name, definition in fields.items():
        field, created = CustomField.objects.get_or_create(name=name, defaults=definition)
        if created:
            field.object_types.set([ContentType.objects.get_for_model(Device)])


def ensure_host(host, site, device_type, role):
    if Device.objects.filter(name=host['name']).exists():
        return
    device = saved(Device(
        name=host['name'],
        serial=host['serial'],
        status=host['status'],
        site=site,
        device_type=device_type,
        role=role,
        custom_field_data={
            'deployment_option': host['deployment'],
            'custom_base_script': host['baseScript'],
        },
    ))
    if host['oobIp']:
        bmc = saved(Interface(device=device, name='bmc', type='1000base-t', mgmt_only=True))
        device.oob_ip = saved(IPAddress(address=host['oobIp'], assigned_object=bmc, status='active'))
        saved(device)


ensure_token(os.environ['STEWARD_NETBOX_TOKEN_FILE'])
ensure_custom_fields()
site, _ = Site.objects.get_or_create(slug='lab', defaults={'name': 'Lab', 'status': 'active'})
manufacturer, _ = Manufacturer.objects.get_or_create(slug='steward-lab', defaults={'name': 'Steward Lab'})
device_type, _ = DeviceType.objects.get_or_create(
    slug='lab-server', defaults={'manufacturer': manufacturer, 'model': 'Lab Server'}
)
role, _ = DeviceRole.objects.get_or_create(slug='server', defaults={'name': 'Server'})
for host in json.loads(os.environ['STEWARD_LAB_HOSTS']):
    ensure_host(host, site, device_type, role)
