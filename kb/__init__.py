"""Knowledge base: articles and search (built by the knowledge-base issue)."""
