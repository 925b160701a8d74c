"""Flask-WTF forms of the support pages: one module per page family."""
