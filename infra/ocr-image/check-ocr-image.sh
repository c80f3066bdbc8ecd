#!/bin/sh
# Fails unless the OCR function bundled in DIR loads with its runtime packages and, at start,
# chooses native Tesseract with MODEL (best_int or fast), reading through libtesseract: the OCR
# image's last build step, and test/infra's check of a bundle built by bundle-function.ts.
# Usage: check-ocr-image.sh DIR MODEL
set -eu
dir=$(cd "$1" && pwd)
model=$2
log=$(mktemp)
# The variables a pipeline function's configuration needs; the values are never used at start.
if ! env -i PATH="$PATH" HOME=/tmp AWS_REGION=us-east-1 DOCUMENTS_TABLE=ocr-image-check \
  INGEST_BUCKET=ocr-image-check ARCHIVE_BUCKET=ocr-image-check \
  node --input-type=module -e "await import('$dir/index.mjs')" >"$log" 2>&1; then
  cat "$log" >&2
  echo "check-ocr-image: the bundle in $dir does not load" >&2
  exit 1
fi
if ! grep -q "\"OCR engine: tesseract-native, model $model:" "$log"; then
  cat "$log" >&2
  echo "check-ocr-image: the bundle does not choose native Tesseract with the $model model" >&2
  exit 1
fi
if ! grep -q "pages read through libtesseract" "$log"; then
  cat "$log" >&2
  echo "check-ocr-image: the bundle does not read pages through libtesseract (koffi or the library is missing)" >&2
  exit 1
fi
cat "$log"
rm -f "$log"
