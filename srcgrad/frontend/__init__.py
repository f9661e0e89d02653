"""Front end: from a live Python function to a checked gast tree with its namespace."""
