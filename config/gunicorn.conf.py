"""gunicorn settings for production: `gunicorn -c config/gunicorn.conf.py`.

Values come from the environment where a deployment needs to tune them."""

import os

from sgreviews.settings import web_workers

wsgi_app = "sgreviews:create_app()"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# GUNICORN_WORKERS, else two per CPU plus one (production checks the rate limiter's
# store against the same number).
workers = web_workers(os.environ)
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = 60
graceful_timeout = 30
# Restart workers now and then so a slow leak cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# Load the application once in the master and fork the workers from it: a worker that
# max_requests replaces starts in milliseconds instead of importing and building the app
# again (about a second, during which it serves nothing), and the workers share the loaded
# code's memory. A code change then needs a restart, not a HUP. GUNICORN_PRELOAD_APP=0
# loads the app in each worker instead.
preload_app = os.environ.get("GUNICORN_PRELOAD_APP", "1") != "0"
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


# Build the similar-findings index in the master before forking (see when_ready);
# GUNICORN_WARM_UP=0 leaves it to each worker's first similar-findings page.
warm_up = preload_app and os.environ.get("GUNICORN_WARM_UP", "1") != "0"


def when_ready(server):
    """With the app preloaded, build the similarity index once in the master before the
    workers are forked: each worker, and each worker max_requests brings in later, starts
    with it (shared copy-on-write) and only patches in findings changed since, instead of
    its first similar-findings page spending seconds building it at national scale
    (docs/performance.md). A failure here (the database not up yet) is logged and the
    workers build the index at first use as before."""
    if not warm_up:
        return
    from sgreviews.extensions import db
    from sgreviews.services.learning import similar

    app = server.app.wsgi()
    with app.app_context():
        try:
            count = similar.warm_up()
            server.log.info("Similarity index ready before forking: %d findings", count)
        except Exception as error:  # the service starts regardless
            server.log.warning("Similarity index not built before forking: %s", error)
        finally:
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()


def post_worker_init(worker):
    """Once the worker has loaded the application, move everything loaded so far (modules,
    templates, the app) out of the garbage collector's view: it never becomes garbage,
    and otherwise every full collection walks it again (docs/performance.md)."""
    import gc

    gc.freeze()


def post_fork(server, worker):
    """A forked worker opens its own database connections. create_app connects to nothing,
    but should a pool in the master ever hold one, the worker drops its copy without
    closing the master's socket (SQLAlchemy's pattern for forked processes)."""
    if not server.cfg.preload_app:
        return
    from sgreviews.extensions import db

    app = server.app.wsgi()
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
