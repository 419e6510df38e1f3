"""Model catalog domain: schema, bundled data, stores, cache and sync. Knows nothing of HTTP."""
