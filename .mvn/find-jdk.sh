# Finds a JDK 25 or newer (the engine needs its Vector API and FFM). POSIX sh, sourced by ./jmistral and
# ./mvnw so both look in the same places: JAVA_HOME if it is 25+, else the usual install folders, else
# the java on PATH. `find_jdk25` prints the JDK's home, or returns 1 when there is none.
# `jdk25_missing` is the one sentence both say then.

jdk_feature_version() {
  # "25.0.1" -> 25, "25" -> 25, "1.8.0_402" -> 1
  "$1/bin/java" -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print v[1]; exit}'
}

jdk_is_25_or_newer() {
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] && [ "$(jdk_feature_version "$1")" -ge 25 ] 2>/dev/null
}

find_jdk25() {
  # the caller may run with globbing off (mvnw: set -f); the folder patterns need it
  case $- in *f*) set +f; _jdk_glob_was_off=1 ;; *) _jdk_glob_was_off= ;; esac
  _jdk_on_path=
  if command -v java >/dev/null 2>&1; then
    _jdk_on_path="$(dirname "$(dirname "$(readlink -f "$(command -v java)" || command -v java)")")"
  fi
  _jdk_found=
  for _jdk_home in "${JAVA_HOME:-}" \
      /usr/lib/jvm/temurin-2[5-9]* /usr/lib/jvm/*-2[5-9]* /usr/lib/jvm/jdk-2[5-9]* /opt/java/* \
      /Library/Java/JavaVirtualMachines/*/Contents/Home "${HOME:-/nonexistent}"/.sdkman/candidates/java/* \
      "$_jdk_on_path"; do
    if [ -n "$_jdk_home" ] && jdk_is_25_or_newer "$_jdk_home"; then _jdk_found="$_jdk_home"; break; fi
  done
  [ -z "$_jdk_glob_was_off" ] || set -f
  [ -n "$_jdk_found" ] && printf '%s\n' "$_jdk_found"
}

jdk25_missing() {
  echo "jmistral needs JDK 25 or newer and found none (JAVA_HOME=${JAVA_HOME:-unset}, the java on PATH and /usr/lib/jvm, /opt/java, ~/.sdkman are older or absent): install one, e.g. Temurin 25, and set JAVA_HOME to it." >&2
}
