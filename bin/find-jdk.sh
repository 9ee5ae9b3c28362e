# Sourced by ./launchpad and ./launchpad-test: exports JAVA_HOME pointing at a JDK >= 21.
# Order: $JAVA_HOME if new enough, the `java` on PATH, then JDKs installed in the usual places.

launchpad_java_major() { # prints the feature version of the java binary $1, or nothing
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

launchpad_find_jdk() {
  local candidate major
  local -a candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for candidate in /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* \
                   /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$candidate" ] && candidates+=("$candidate")
  done
  for candidate in "${candidates[@]}"; do
    [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(launchpad_java_major "$candidate/bin/java")
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then
      export JAVA_HOME="$candidate"
      return 0
    fi
  done
  echo "launchpad: no JDK 21 or newer found (looked at \$JAVA_HOME, java on PATH, /usr/lib/jvm)." >&2
  echo "launchpad: install one, e.g. 'apt-get install openjdk-21-jdk' or Temurin 21/25, or set JAVA_HOME." >&2
  return 1
}

launchpad_find_jdk || exit 1
