#!/usr/bin/env bash
# Runs the commands of the CI recipes in docs/ci.md locally, exactly as written there:
# `scimreplay serve` stands in for the vendor's service container, and each shard's
# `scimreplay run` line is run with the CI's variables set (GitHub: matrix.shard and
# strategy.job-total; GitLab: CI_NODE_INDEX and CI_NODE_TOTAL).
#
# Usage: scripts/ci-recipes.sh [docs/ci.md] [SHARDS]   (run from a checkout; needs curl)
set -euo pipefail

DOC=${1:-docs/ci.md}
SHARDS=${2:-2}
WORK=$(mktemp -d)
SERVER=
cleanup() {
    if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# The lines of the ```yaml title=$1 block that hold a command we run: the wait loop and run.
commands() {
    awk -v tag="title=$1" '
        index($0, "```yaml") == 1 && index($0, tag) { inside = 1; next }
        inside && index($0, "```") == 1 { inside = 0 }
        inside && (/scimreplay run/ || /curl -sf/) { print }
    ' "$DOC" | sed -E 's/^[[:space:]]*(- )?(run: )?//'
}

# The vendor's server: the reference server on a free loopback port.
export SCIM_TOKEN=ci-recipes-token
scimreplay serve --port 0 --token "$SCIM_TOKEN" > "$WORK/serve.out" &
SERVER=$!
for _ in $(seq 100); do
    grep -q 'SCIM base URL' "$WORK/serve.out" 2>/dev/null && break
    sleep 0.1
done
export SCIM_BASE_URL
SCIM_BASE_URL=$(sed 's/^SCIM base URL: //' "$WORK/serve.out")
export CI=true

# Each shard's testsuite names, to prove the shards together cover the suite once.
suites() { grep -o '<testsuite name="[^"]*"' "$1" | sed 's/<testsuite name=//' | sort; }

for recipe in github gitlab; do
    mapfile -t lines < <(commands "$recipe")
    if [ "${#lines[@]}" -ne 2 ]; then
        echo "$DOC: expected a wait and a run command in the $recipe recipe, found ${#lines[@]}" >&2
        exit 1
    fi
    : > "$WORK/all-$recipe"
    for shard in $(seq "$SHARDS"); do
        dir="$WORK/$recipe-$shard"
        mkdir -p "$dir"
        cp -r scenarios "$dir/"
        for line in "${lines[@]}"; do
            line=${line//'${{ matrix.shard }}'/$shard}
            line=${line//'${{ strategy.job-total }}'/$SHARDS}
            echo "[$recipe $shard/$SHARDS] $line"
            (cd "$dir" && CI_NODE_INDEX=$shard CI_NODE_TOTAL=$SHARDS bash -euo pipefail -c "$line" > run.log 2>&1) || {
                echo "the $recipe recipe failed in shard $shard:" >&2
                cat "$dir/run.log" >&2
                exit 1
            }
        done
        junit=$(ls "$dir"/junit*.xml)
        html=$(ls "$dir"/scimreplay*.html)
        grep -q '<testsuites' "$junit"
        grep -q '<h2>Problems</h2>' "$html"
        suites "$junit" >> "$WORK/all-$recipe"
    done
    if [ -n "$(sort "$WORK/all-$recipe" | uniq -d)" ]; then
        echo "the $recipe shards overlap" >&2
        exit 1
    fi
    echo "$recipe recipe: $(wc -l < "$WORK/all-$recipe") scenario instances over $SHARDS shards, each once"
done
