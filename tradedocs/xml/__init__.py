"""Everything that touches XML in the trade documents: lxml lives here and nowhere else."""
