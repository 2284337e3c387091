"""Bank statement parsers, one per format, all producing :mod:`matching.statements.model`."""
