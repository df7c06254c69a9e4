"""Read functions over the marts (used by the command line, reports and the query DSL)."""
