#!/usr/bin/env bash
# Rebuild the vendored GOV.UK Frontend and axe-core assets from the npm registry.
# The compiled files are committed; run this only to move to another version.
set -euo pipefail
GOVUK_VERSION=${GOVUK_VERSION:-5.14.0}
AXE_VERSION=${AXE_VERSION:-4.14.1}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm init -y >/dev/null
npm install --silent "govuk-frontend@$GOVUK_VERSION" "axe-core@$AXE_VERSION" sass@1
npx sass --style=compressed --no-source-map --quiet-deps --silence-deprecation=import \
  --load-path=node_modules "$root/scripts/govuk-frontend.scss" "$root/static/govuk/govuk-frontend.min.css"
cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js "$root/static/govuk/"
cp node_modules/axe-core/axe.min.js "$root/e2e/vendor/axe.min.js"
echo "Built govuk-frontend $GOVUK_VERSION and axe-core $AXE_VERSION"
