#!/usr/bin/env bash
# Do trained zstd dictionaries help on the corpus' JSON? Leave-one-out, so no file is compressed with a
# dictionary that has seen it: for each JSON file, train a 110 KiB dictionary (zstd --train) on every
# other JSON file cut into 16 KiB samples, then compare `zstd -19 -D dict` with `zstd -19 --long=27`.
# Usage: Benchmarks/scripts/dictionary-loo.sh      (reads $CALDERA_SHARED/corpus, default ../shared/corpus)
set -euo pipefail
corpus="${CALDERA_SHARED:-$(cd "$(dirname "$0")/../.." && pwd)/../shared}/corpus"
[ -d "$corpus" ] || { echo "no corpus at $corpus (set CALDERA_SHARED)" >&2; exit 2; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mapfile -t files < <(find "$corpus" -name '*.json' | sort)
echo "| file | bytes | zstd -19 --long=27 | zstd -19 + leave-one-out dictionary | saved by the dictionary |"
echo "|---|---:|---:|---:|---:|"
for f in "${files[@]}"; do
  rm -rf "$work/s"; mkdir "$work/s"
  for g in "${files[@]}"; do [ "$g" = "$f" ] || split -b 16384 -a 4 "$g" "$work/s/$(basename "$g")."; done
  zstd -q -f --train "$work"/s/* -o "$work/d" --maxdict=112640 >/dev/null 2>&1
  a=$(zstd -q -19 --long=27 -c "$f" | wc -c); b=$(zstd -q -19 -D "$work/d" -c "$f" | wc -c)
  echo "| ${f#"$corpus"/} | $(stat -c %s "$f") | $a | $b | $(python3 -c "print(f'{($a-$b)/$a*100:+.1f} %')") |"
done
