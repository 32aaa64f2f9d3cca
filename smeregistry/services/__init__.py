"""Write side of the supplier registry, one module per aggregate."""
