"""Robots: the routine work on the order queue (validate, group, release).

Each robot reads its rules from its section of ``o2c.toml`` and works on the queue only
through :mod:`hub.queue`, so that any number of workers can share it.
"""
