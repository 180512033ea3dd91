"""frontend: the traders' entry point; serves the page and assets, forwards orders to api-gateway."""
