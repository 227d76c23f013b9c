#!/usr/bin/env python3
"""Seeds a `ferry server` the way Rucio's CI seeds its own before running its client-mode tests.

Runs with Rucio's own Python client (RUCIO_CONFIG pointing at the Ferry server, logged in as root with the userpass
identity ddmlab/secret). Ferry's root already exists; this adds what Rucio's tools/bootstrap_tests.py adds through
its database (the admin attributes), then the tree's own tools/sync_rses.py and tools/sync_meta.py run unchanged
against Ferry (see conformance.sh). Idempotent: everything already there is skipped.
"""
from rucio.client import Client
from rucio.common.exception import Duplicate, RucioException

c = Client()
for account, email in (("jdoe", "jdoe@email.com"), ("panda", "panda@email.com")):
    try:
        c.add_account(account, "SERVICE", email)
    except Duplicate:
        pass
for account in ("root", "panda"):
    try:
        c.add_account_attribute(account, "admin", True)
    except Duplicate:
        pass
for account, scope in (("jdoe", "mock"), ("root", "archive")):
    try:
        c.add_scope(account, scope)
    except Duplicate:
        pass
for section, option, value in (("vo-map", "testvo1", "tst"), ("vo-map", "testvo2", "ts2")):
    try:
        c.set_config_option(section, option, value)
    except RucioException as e:
        print(f"config {section}.{option}: {e}")
# Rucio's own bootstrap gives root the [bootstrap] identities of its config (x509 and gss); bootstrap_tests adds more.
for dn, kind, email in (("CN=Rucio User", "x509", "rucio-dev@example.org"), ("rucio-dev@CERN.CH", "GSS", "rucio-dev@example.org"),
                        ("CN=docker client", "x509", "dummy@cern.ch"),
                        ("SUB=73f16d93-2441-4a50-88ff-85360d78c6b5, ISS=https://indigoiam/", "OIDC", "admin@iam.test")):
    try:
        c.add_identity(account="root", identity=dn, authtype=kind, email=email)
    except RucioException:
        pass
print("seeded")
