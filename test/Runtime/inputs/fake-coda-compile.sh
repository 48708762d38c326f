#!/bin/sh
# Stands in for coda-compile in compile.test: records its arguments, one per
# line, then "compiles" `coda-compile MODEL -o OUT ...` by copying a prebuilt
# model library to OUT (or fails with $FAKE_COMPILE_EXIT).
printf '%s\n' "$@" > "$FAKE_COMPILE_LOG"
if [ -n "$FAKE_COMPILE_EXIT" ]; then
  echo "fake coda-compile: failing on purpose" >&2
  exit "$FAKE_COMPILE_EXIT"
fi
cp "$FAKE_COMPILE_LIBRARY" "$3"
