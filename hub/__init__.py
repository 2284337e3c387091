"""The o2c kernel: canonical model, database, queue, raw document store, audit, settings, CLI."""
