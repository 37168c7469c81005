"""Statistical validation of the model against exact queueing-theory results."""
