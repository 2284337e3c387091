"""Channel connectors: transports that find raw documents, extractors that read orders."""
