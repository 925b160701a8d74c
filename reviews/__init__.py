"""Improvement loop: recurring problems, surveys and reviews (built by the reviews issue)."""
