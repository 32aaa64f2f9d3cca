"""Server-rendered pages of the registry, one module per audience."""
