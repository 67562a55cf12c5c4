"""The platform's documents: the services' OpenAPI documents merged under their prefixes, Swagger
UI and ReDoc from the platform's own files, and the AsyncAPI document of its events."""
