#!/usr/bin/env bash
# Regenerates the configuration table of README.md from Ferry's ConfigDef (core/config).
# Run it after adding or changing a config key; ConfigDocsTest fails until the README matches.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -pl core -am install -DskipTests
cp=$(mvn -q -B -pl core dependency:build-classpath -Dmdep.outputFile=/dev/stdout):core/target/classes
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/Print.java" <<'JAVA'
public class Print {
    public static void main(String[] args) {
        System.out.print(dev.ferry.core.config.ConfigDocs.readmeSection());
    }
}
JAVA
javac -cp "$cp" -d "$tmp" "$tmp/Print.java"
java -cp "$cp:$tmp" -Dslf4j.internal.verbosity=ERROR Print > "$tmp/table.md"
python3 - "$tmp/table.md" <<'PY'
import re, sys
table = open(sys.argv[1]).read()
readme = open("README.md").read()
start = readme.index("<!-- config-table:start")
end = readme.index("<!-- config-table:end -->") + len("<!-- config-table:end -->")
open("README.md", "w").write(readme[:start] + table + readme[end:])
PY
echo "README.md configuration table updated."
