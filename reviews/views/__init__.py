"""Pages of the improvement loop: review meetings, recurring problems and problems, the glossary, and
the public survey page. Leaves: only app.py imports them."""
