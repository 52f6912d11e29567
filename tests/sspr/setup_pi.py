#!/usr/bin/env python3
"""Prepares privacyIDEA (TESSERA_PI_*) for the SSPR portal:

  setup_pi.py DIRECTORY_DB REALM

- DIRECTORY_DB: a fresh SQLite "company directory" (table `people`), the editable user store;
- an SQL resolver over it (`<REALM>-directory`, passwords stored as salted SHA-256 by
  privacyIDEA) and the realm REALM holding it (one realm per test run: see browser_test.py).

No policy is added: the portal enrolls with its service account (portal.py says why not as
the user), and the tests switch number matching on for their own user only.

Idempotent for the same arguments. Prints the resolver's name.
"""
import os
import sqlite3
import sys

from pi_api import PrivacyIDEA


def setup(db_path, realm):
    """Creates (or updates) the directory, resolver, realm and policy; returns the resolver name."""
    db_path = os.path.abspath(db_path)
    with sqlite3.connect(db_path) as db:
        db.execute("""CREATE TABLE IF NOT EXISTS people (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            username TEXT UNIQUE NOT NULL,
            givenname TEXT, surname TEXT, email TEXT,
            password TEXT)""")
    pi = PrivacyIDEA(os.environ["TESSERA_PI_URL"],
                     (os.environ["TESSERA_PI_ADMIN"], os.environ["TESSERA_PI_ADMIN_PASS"]))
    resolver = f"{realm}-directory"
    # Driver + Database give the SQLAlchemy URL sqlite:////abs/path (privacyIDEA joins
    # "{Driver}://{Server}/{Database}"; the path's own leading slash makes the fourth).
    pi.admin("POST", f"/resolver/{resolver}", data={
        "type": "sqlresolver", "Driver": "sqlite", "Server": "", "Database": db_path,
        "Table": "people", "Limit": "500", "Editable": "1", "Password_Hash_Type": "SSHA256",
        "Map": '{"userid": "id", "username": "username", "givenname": "givenname", '
               '"surname": "surname", "email": "email", "password": "password"}'})
    pi.admin("POST", f"/realm/{realm}", data={"resolvers": resolver})
    return resolver


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    print(setup(*sys.argv[1:]))
