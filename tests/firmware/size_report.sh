#!/bin/sh
# Code size of ruvector on Cortex-M4, M7 and M33 (arm-none-eabi-gcc -Os, Thumb-2, hard float,
# newlib-nano, --gc-sections): the size probe (flat and HNSW over f32 and SQ8: create, train,
# add, remove, search, free) against the same program with an empty main. Prints a Markdown
# table: what the library adds to .text/.data/.bss (C library and libgcc helpers included) and
# the library's own functions alone; fails if those exceed 28 KB on Cortex-M4.
#   sh tests/firmware/size_report.sh [out-dir]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$(mktemp -d)}
mkdir -p "$out"
cflags="-std=c99 -Os -mthumb -mfloat-abi=hard -Wall -Wextra -Werror -pedantic -ffunction-sections -fdata-sections"
lflags="--specs=nano.specs --specs=nosys.specs -Wl,--gc-sections -Wl,-u,ruv_fw_vectors -Wl,--section-start=.vectors=0"
echo "| target | library .text | .data | .bss | of which ruvector's own functions |"
echo "|---|---|---|---|---|"
status=0
for t in "m4:cortex-m4 -mfpu=fpv4-sp-d16" "m7:cortex-m7 -mfpu=fpv5-d16" "m33:cortex-m33 -mfpu=fpv5-sp-d16"; do
  name=${t%%:*}
  cpu=${t#*:}
  # shellcheck disable=SC2086
  arm-none-eabi-gcc $cflags -mcpu=$cpu "$here/size_probe.c" "$here/startup.c" -o "$out/probe-$name.elf" $lflags -lm
  # shellcheck disable=SC2086
  arm-none-eabi-gcc $cflags -mcpu=$cpu -DRUV_FW_BASELINE "$here/size_probe.c" "$here/startup.c" -o "$out/base-$name.elf" $lflags -lm
  set -- $(arm-none-eabi-size "$out/probe-$name.elf" | tail -1)
  pt=$1 pd=$2 pb=$3
  set -- $(arm-none-eabi-size "$out/base-$name.elf" | tail -1)
  own=$(arm-none-eabi-nm --size-sort -S -t d "$out/probe-$name.elf" |
        awk '($3 == "t" || $3 == "T") && $4 ~ /^ruv_/ { s += $2 } END { print s + 0 }')
  # the probe's own main/probe and its 64 KB bump heap are not the library's
  probe=$(arm-none-eabi-nm -S -t d "$out/probe-$name.elf" | awk '$4 ~ /^(main|probe|bump|nofree)/ { s += $2 } END { print s + 0 }')
  heap=$(arm-none-eabi-nm -S -t d "$out/probe-$name.elf" | awk '$4 == "g_heap" { print $2 + 0 }')
  printf '| Cortex-%s | %d B | %d B | %d B | %d B |\n' "$(echo "$name" | tr m M)" \
    $((pt - $1 - probe)) $((pd - $2)) $((pb - $3 - heap)) "$own"
  if [ "$name" = m4 ] && [ "$own" -gt 28672 ]; then
    echo "Cortex-M4: ruvector's code is $own bytes, over the 28 KB budget" >&2
    status=1
  fi
done
exit $status
