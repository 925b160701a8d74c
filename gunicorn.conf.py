"""gunicorn settings for the web workers: `make serve`, or `gunicorn -c gunicorn.conf.py` on each machine.

The environment decides the usual knobs (BIND, WORKERS); anything else can be given on the command line
or in GUNICORN_CMD_ARGS, which take precedence over this file. The workers run no jobs: `flask jobs run`
does, once per deployment (README, "Deployment (several machines)").
"""

import os

from core import heap

wsgi_app = "app:create_app()"
bind = os.environ.get("BIND", "127.0.0.1:8000")
# Sync workers, one request each at a time: the work is database-bound and short, and a reverse proxy in
# front (nginx) buffers slow clients. The usual sizing is two to four per core.
workers = int(os.environ.get("WORKERS", "4"))
worker_class = os.environ.get("WORKER_CLASS", "sync")
threads = int(os.environ.get("THREADS", "1"))  # more than 1 makes gunicorn use its gthread worker
# Load the app once in the master and fork it: jieba's dictionary and the templates are shared
# copy-on-write, and a broken configuration stops the master at once rather than each worker in turn.
# create_app opens no database connection, so no worker inherits one.
preload_app = True
timeout = int(os.environ.get("TIMEOUT", "30"))
graceful_timeout = 30
# A worker is replaced now and then, so a slow leak in any library cannot grow without bound.
max_requests = 20000
max_requests_jitter = 2000
# X-Forwarded-* is trusted from these addresses only: the reverse proxy's.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("ACCESS_LOG") or None  # "-" for stdout
errorlog = "-"
# Recent gunicorn versions open a control socket at one default path per user: a second server on the
# machine (a test, a benchmark) would take it over. Nothing here uses `gunicornc`; older versions ignore
# the setting.
control_socket_disable = True


def pre_fork(server, worker):
    # The app loaded in the master is shared copy-on-write; frozen, the workers' collections never
    # touch (and so never copy) its pages. See core/heap.py.
    heap.settle()


def post_request(worker, req, environ, resp):
    # After the answer has gone out, now and then: the caches the first pages filled join the
    # frozen heap, so a full collection no longer walks them in the middle of someone's page.
    worker.aftercare_served = getattr(worker, "aftercare_served", 0) + 1
    heap.settle_after_request(worker.aftercare_served)
