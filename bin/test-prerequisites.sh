#!/usr/bin/env bash
# Run by `npm test` before the tests: what they need beyond Node packages.
# Java 17 and Maven (the local Kafka broker) are checked by the tests
# themselves, which say what to install. The dashboard is tested in Debian's
# Chromium, installed here when it is missing and this runs as root.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
  echo "installing Debian's chromium for the dashboard tests (once)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium > /dev/null
  exit 0
fi
echo "The dashboard tests need Chromium at /usr/bin/chromium:" \
  "run 'sudo apt-get install -y chromium'." >&2
exit 1
