"""Settings live in modules per environment: ``local`` (default), ``test``, ``production``."""
