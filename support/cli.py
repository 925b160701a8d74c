"""`flask demo seed`: demo organisations, people and tickets for a first look."""

from flask.cli import AppGroup

demo_cli = AppGroup("demo", help="Demo data.")
