#!/usr/bin/env bash
# Lighthouse scores (performance, accessibility, best practices, SEO) for the main public pages,
# on mobile and desktop, against a running site.
#
#   BASE_URL=http://127.0.0.1:8000 scripts/audit_pages.sh
#
# Installs lighthouse 12.2.3 (the last line that runs on Node 20) once into LIGHTHOUSE_DIR, outside the
# repository, and drives Debian's Chromium. Reports go to REPORT_DIR as JSON.
set -euo pipefail

BASE_URL=${BASE_URL:-http://127.0.0.1:8000}
BASE_URL=${BASE_URL%/}
LIGHTHOUSE_DIR=${LIGHTHOUSE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cpma-lighthouse}
REPORT_DIR=${REPORT_DIR:-/tmp/cpma-lighthouse-reports}
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
PAGES=(${PAGES:-/ /film-tv-production/ /products/bundle/ /faq/})
CHROME_FLAGS="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync"

lighthouse="$LIGHTHOUSE_DIR/node_modules/.bin/lighthouse"
if [ ! -x "$lighthouse" ]; then
  echo "--- installing lighthouse@12.2.3 into $LIGHTHOUSE_DIR"
  mkdir -p "$LIGHTHOUSE_DIR"
  npm install --prefix "$LIGHTHOUSE_DIR" --no-audit --no-fund --silent -E lighthouse@12.2.3
fi
mkdir -p "$REPORT_DIR"

printf '%-8s %-28s %5s %5s %5s %5s\n' form page perf a11y bp seo
for form in mobile desktop; do
  preset=()
  [ "$form" = desktop ] && preset=(--preset=desktop)
  for path in "${PAGES[@]}"; do
    name=$(echo "$path" | tr '/' '_' | sed 's/^_$/home/; s/^_//; s/_$//')
    report="$REPORT_DIR/$form-$name.json"
    if ! "$lighthouse" "$BASE_URL$path" "${preset[@]}" --quiet --output=json --output-path="$report" \
      --only-categories=performance,accessibility,best-practices,seo --chrome-flags="$CHROME_FLAGS"; then
      printf '%-8s %-28s failed (Lighthouse error; run again)\n' "$form" "$path"
      continue
    fi
    node -e '
      const r = require(process.argv[1]);
      const s = (k) => Math.round(r.categories[k].score * 100);
      console.log([process.argv[2].padEnd(8), process.argv[3].padEnd(28),
        ...["performance", "accessibility", "best-practices", "seo"].map((k) => String(s(k)).padStart(5))].join(" "));
    ' "$report" "$form" "$path"
  done
done
echo "Reports: $REPORT_DIR"
