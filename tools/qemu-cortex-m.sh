#!/bin/sh
# Runs a bare-metal Cortex-M program under qemu-system-arm with semihosting: its arguments go on
# the semihosting command line (newlib's rdimon turns them into argv), its output to stdout and
# its exit status back to the caller. Usage: qemu-cortex-m.sh MACHINE PROGRAM [ARG...]
machine=$1
program=$2
shift 2
exec qemu-system-arm -M "$machine" -nographic -monitor none -serial none \
  -semihosting-config enable=on,target=native -kernel "$program" -append "$*"
