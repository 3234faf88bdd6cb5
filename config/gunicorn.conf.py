"""gunicorn settings for production: `gunicorn -c config/gunicorn.conf.py`.

Values come from the environment where a deployment needs to tune them."""

import multiprocessing
import os

wsgi_app = "sgreviews:create_app()"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = 60
graceful_timeout = 30
# Restart workers now and then so a slow leak cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker):
    """Once the worker has loaded the application, move everything loaded so far (modules,
    templates, the app) out of the garbage collector's view: it never becomes garbage,
    and otherwise every full collection walks it again (docs/performance.md)."""
    import gc

    gc.freeze()
