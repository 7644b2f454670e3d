"""Alembic environment: uses the app's engine (or a connection handed over by conton.db.migrate)."""
from alembic import context
from sqlmodel import SQLModel

import conton.models  # noqa: F401  (registers every table)
from conton.db import get_engine

target_metadata = SQLModel.metadata


def run() -> None:
    connection = context.config.attributes.get('connection')
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    with get_engine().connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run()
