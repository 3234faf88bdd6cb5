"""Operations: is the service able to serve, and is its scheduler alive?

- :mod:`.heartbeat`: the scheduler's heartbeat row (written by the scheduler process);
- :mod:`.readiness`: the checks behind ``/health/ready`` (database, migrations, heartbeat);
- :mod:`.status`: what the administrator's reminder log shows of the scheduler and outbox.
"""
