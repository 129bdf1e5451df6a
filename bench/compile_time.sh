#!/bin/sh
# bench/compile_time.sh - what including coralperf.h costs at compile time.
# Median of 7 compiles each (-O2 -c) of: an empty file with <stdint.h> and
# <stddef.h> (the floor), a file that only includes coralperf.h, and a file
# with CORALPERF_IMPLEMENTATION. Goal: include-only adds under 20 ms.
set -u
CC=${CC:-cc}
BUILD=${BUILD:-build}
STB_INC=${STB_INC:-/usr/include/stb}
O="$BUILD/bench/compile"
mkdir -p "$O"
printf '#include <stddef.h>\n#include <stdint.h>\nint f(void);\nint f(void) { return 0; }\n' >"$O/floor.c"
printf '#include "coralperf.h"\nint f(void);\nint f(void) { return (int)cpf_now_ns(); }\n' >"$O/include.c"
printf '#define CORALPERF_IMPLEMENTATION\n#include "coralperf.h"\nint f(void);\nint f(void) { return (int)cpf_now_ns(); }\n' >"$O/impl.c"
ms() { # median wall ms of 7 compiles of $1
    for i in 1 2 3 4 5 6 7; do
        a=$(date +%s%N); $CC -O2 -c -I. -I"$STB_INC" "$1" -o "$O/x.o" || return 1; b=$(date +%s%N)
        echo $(( (b - a) / 1000 ))
    done | sort -n | sed -n 4p | awk '{ printf "%.1f", $1 / 1000 }'
}
floor=$(ms "$O/floor.c") && inc=$(ms "$O/include.c") && impl=$(ms "$O/impl.c") || { echo "compile_time: build failed"; exit 1; }
echo "== compile-time cost of coralperf.h ($CC -O2 -c, median of 7, $(wc -l <coralperf.h) lines)"
awk -v f="$floor" -v i="$inc" -v m="$impl" 'BEGIN {
    printf "   empty file (stdint + stddef)     %7.1f ms\n", f
    printf "   include coralperf.h only         %7.1f ms   adds %5.1f ms   goal < 20 ms: %s\n", i, i - f, (i - f < 20 ? "PASS" : "MISS")
    printf "   with CORALPERF_IMPLEMENTATION    %7.1f ms   adds %5.1f ms   (once per program)\n", m, m - f }'
