#!/usr/bin/env bash
# Regenerates docs/openapi.json from a running test server's /openapi/v1.json (the drift test, in update mode).
# Run it after changing a route, its name, tag or schemas, and review the diff.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build tests/Ferry.Functional.Tests -c Release -v quiet -nologo
FERRY_UPDATE_OPENAPI=1 dotnet test tests/Ferry.Functional.Tests -c Release --no-build -nologo \
  --filter "FullyQualifiedName~Dialect.OpenApiDocumentTests.The_committed_document_is_the_one_the_server_serves"
git --no-pager diff --stat -- docs/openapi.json
