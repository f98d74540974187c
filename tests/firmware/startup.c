/* Minimal Cortex-M start-up for the firmware test under qemu-system-arm (mps2 boards): a vector
   table whose reset handler turns the FPU on (CPACR CP10/CP11 full access) and enters newlib's
   _start, which sets up the C library (semihosting via rdimon) and calls main. */
#include <stdint.h>

extern void _start(void);
void ruv_fw_reset(void);
void ruv_fw_fault(void);
extern const uintptr_t ruv_fw_vectors[16]; /* kept by the link: -Wl,-u,ruv_fw_vectors */

#ifndef RUV_FW_STACK_TOP
#define RUV_FW_STACK_TOP 0x00400000u
#endif

__attribute__((section(".vectors"), used))
const uintptr_t ruv_fw_vectors[16] = {RUV_FW_STACK_TOP,
                                      (uintptr_t)ruv_fw_reset,
                                      (uintptr_t)ruv_fw_fault,
                                      (uintptr_t)ruv_fw_fault,
                                      (uintptr_t)ruv_fw_fault,
                                      (uintptr_t)ruv_fw_fault,
                                      (uintptr_t)ruv_fw_fault,
                                      0,
                                      0,
                                      0,
                                      0,
                                      (uintptr_t)ruv_fw_fault,
                                      (uintptr_t)ruv_fw_fault,
                                      0,
                                      (uintptr_t)ruv_fw_fault,
                                      (uintptr_t)ruv_fw_fault};

__attribute__((naked, noreturn)) void ruv_fw_reset(void) {
    __asm__ volatile("ldr r0, =0xE000ED88\n" /* CPACR */
                     "ldr r1, [r0]\n"
                     "orr r1, r1, #(0xF << 20)\n"
                     "str r1, [r0]\n"
                     "dsb\n"
                     "isb\n"
                     "b _start\n");
}

/* Any fault: report through semihosting's exit (ADP_Stopped_RunTimeError) so qemu stops. */
__attribute__((noreturn)) void ruv_fw_fault(void) {
    for (;;)
        __asm__ volatile("mov r0, #0x18\n"
                         "ldr r1, =0x20023\n"
                         "bkpt #0xAB\n");
}
