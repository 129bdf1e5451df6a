#!/bin/sh
# bench/deflate.sh - cpf_deflate/cpf_inflate/cpf_gzip against zlib and the
# gzip program, side by side in one run (bench/deflate.c says what is timed).
# Goals, per input: level 9 within 1.05x of `gzip -9` in size; level 6 within
# 1.10x of zlib level 6 in size and at least 0.7x its speed; inflate at least
# 0.7x zlib's speed. A MISS is reported, not a failure.
# Needs zlib.h (Debian zlib1g-dev, only for this benchmark); says so and skips otherwise.
set -u
CC=${CC:-cc}; BUILD=${BUILD:-build}; STB_INC=${STB_INC:-/usr/include/stb}
O="$BUILD/bench"
mkdir -p "$O"
if ! [ -f /usr/include/zlib.h ]; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then apt-get install -y -qq zlib1g-dev >/dev/null 2>&1; fi
fi
[ -f /usr/include/zlib.h ] || { echo "== deflate: skipped (zlib.h not installed: apt-get install zlib1g-dev)"; exit 0; }
W="-std=c99 -Wall -Wextra -Werror -pedantic -I. -I$STB_INC"
$CC -O2 $W bench/deflate.c -o "$O/deflate" -lz -lm -pthread || { echo "deflate bench: build failed"; exit 1; }
echo "== deflate: coralperf vs zlib and gzip, $CC -O2"
BUILD="$BUILD" "$O/deflate" "$@"
