#!/usr/bin/env bash
# Makes target/tokenmill-bundle.tar.gz for GPU machines that have an NVIDIA driver and nothing else:
#   tokenmill/tokenmill        the launcher (it finds runtime/ beside itself, and lib/tokenmill.jar)
#   tokenmill/runtime/         a jlink'd Java 25 runtime with the JDK modules tokenmill uses
#   tokenmill/lib/tokenmill.jar
#   tokenmill/tokenmill-tests  runs the JUnit tests (tests/: test classes and JUnit) with that runtime
# Run by `./mvnw -Pbundle package` after the jar is built: make-bundle.sh <project dir> <JDK 25 home>.
# The archive is reproducible: sorted names, fixed times and owners, no gzip timestamp.
set -euo pipefail
root=$1
jdk=$2
# JDK modules only (JMH, JCuda and the other libraries are not modules; they ride in the jar). jdeps on the jar
# finds the first six; java.logging, jdk.management and jdk.jfr serve JMH's profilers (-prof gc, -prof jfr), and
# jdk.zipfs lets JUnit find the test classes inside their jar (tokenmill-tests).
modules=java.base,java.desktop,java.management,java.sql,jdk.incubator.vector,jdk.unsupported,java.logging,jdk.management,jdk.jfr,jdk.zipfs
limit=$((64 * 1024 * 1024))

stage=$root/target/bundle
out=$stage/tokenmill
archive=$root/target/tokenmill-bundle.tar.gz
rm -rf "$stage" "$archive"
mkdir -p "$out/lib" "$out/tests"

# Uncompressed modules: the archive's gzip compresses them better than jlink's zip, and the JVM starts faster.
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files --output "$out/runtime" 2>&1 \
  | { grep -v 'Using incubator modules' || true; }
cp "$root/target/tokenmill.jar" "$out/lib/tokenmill.jar"
cp "$root/tokenmill" "$out/tokenmill"
cp "$root/src/bundle/tokenmill-tests" "$out/tokenmill-tests"
cp "$root"/target/tokenmill-*-tests.jar "$out/tests/tokenmill-tests.jar"
cp "$root"/target/test-libs/*.jar "$out/tests/"
cp "$root/README.md" "$out/README.md"
chmod 755 "$out/tokenmill" "$out/tokenmill-tests"

tar --sort=name --mtime="@${SOURCE_DATE_EPOCH:-0}" --owner=0 --group=0 --numeric-owner -C "$stage" -cf - tokenmill \
  | gzip -9n > "$archive"
size=$(stat -c %s "$archive")
echo "bundle: $archive ($((size / 1024 / 1024)) MiB; runtime: $("$out/runtime/bin/java" -version 2>&1 | head -n1))"
if [ "$size" -gt "$limit" ]; then
  echo "bundle: $((size / 1024 / 1024)) MiB is over the 64 MiB budget" >&2
  exit 1
fi
