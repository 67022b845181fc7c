"""gunicorn settings for tongzhan behind nginx (see docs/install.md).

gunicorn reads this file from its working directory; `gunicorn -c /path/gunicorn.conf.py`
names it explicitly. Each value can be changed with the environment variable beside it.
"""

import multiprocessing
import os

wsgi_app = "tongzhan.wsgi:application"

# nginx on the same host forwards to this address; nothing else should reach it.
bind = os.environ.get("TONGZHAN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("TONGZHAN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 9)))
# Exports of a county's ledgers can take a while; nginx's proxy_read_timeout matches it.
timeout = int(os.environ.get("TONGZHAN_TIMEOUT", 120))
graceful_timeout = 30
# Recycle workers now and then so that a slow leak cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200

# X-Forwarded-Proto is trusted only from nginx on this host (it tells Django the request
# came over HTTPS: SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("TONGZHAN_FORWARDED_ALLOW_IPS", "127.0.0.1")

# Access log without query strings or referrers: a search for a phone or ID number puts
# it in the query string, and no raw personal number may reach a log (docs/security.md).
# %(U)s is the path alone; %(M)s the duration in milliseconds.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'

# No control socket: systemd reloads with HUP, and the service user's home is read-only.
control_socket_disable = True
