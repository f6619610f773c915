#!/usr/bin/env bash
# Regenerate docs/screenshots/: run the real-browser tests (pytest -m browser) with
# RIVALSCOPE_SCREENSHOTS=docs, so that their screenshot(page, name) calls write
# docs/screenshots/<name>.png instead of pytest's temporary directory. Review the
# images (git diff --stat docs/screenshots) before committing them.
#   bash scripts/screenshots.sh                      every browser test
#   bash scripts/screenshots.sh -k admin_home        extra arguments go to pytest
# Needs Debian's chromium at /usr/bin/chromium: apt-get install -y --no-install-recommends chromium fonts-dejavu-core
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
  # The browser tests would only be skipped, leaving the old images in place.
  echo "/usr/bin/chromium is missing: apt-get install -y --no-install-recommends chromium fonts-dejavu-core" >&2
  exit 1
fi
mkdir -p docs/screenshots
# scripts/test.sh installs the requirements when they changed, then runs pytest.
RIVALSCOPE_SCREENSHOTS=docs bash scripts/test.sh -m browser "$@"
echo "==> docs/screenshots/"
ls -1 docs/screenshots
