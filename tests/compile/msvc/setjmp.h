#pragma once
typedef struct _JUMP_BUFFER {
    unsigned __int64 frame[32];
} jmp_buf[1];
