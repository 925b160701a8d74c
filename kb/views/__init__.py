"""Knowledge-base pages: public reading and search, editing, the ticket panel, reports."""
