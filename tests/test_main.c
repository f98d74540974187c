/* ruv_tests, the test runner: plain C99, no framework, so the same program runs on the host,
   under qemu-user, on Cortex-M semihosting, under Wine and under Node (WebAssembly).

     ruv_tests              runs every case
     ruv_tests NAME...      runs the named cases
     ruv_tests --label L    runs every case labelled L (may be repeated, and mixed with names)
     ruv_tests --list       prints the case names (with --label: those cases only)

   Ends with "N passed, N failed"; exit status 0 iff nothing failed (an unknown name or a label
   no case has counts as a failure). The cases and their labels are listed once, in cases.h;
   CMake registers each as its own ctest case, ruv.NAME, with the same labels. */
#include "test.h"

int g_failed_checks;

typedef struct test_case {
    const char *name;
    const char *labels; /* space-separated */
    void (*fn)(void);
} test_case;

static const test_case g_tests[] = {
#define X(name, labels) {#name, labels, test_##name},
#include "cases.h"
#undef X
};

#define NTESTS (sizeof g_tests / sizeof g_tests[0])

/* Whether the space-separated list has the label (whole words only). */
static int has_label(const char *labels, const char *label) {
    size_t n = strlen(label);
    const char *p = labels;
    while (n && (p = strstr(p, label)) != NULL) {
        if ((p == labels || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
            return 1;
        p += n;
    }
    return 0;
}

int main(int argc, char **argv) {
    static unsigned char selected[NTESTS];
    size_t i;
    int a, passed = 0, failed = 0, list = 0, any = 0;
    for (a = 1; a < argc; a++) {
        int found = 0;
        if (strcmp(argv[a], "--list") == 0) {
            list = 1;
            continue;
        }
        any = 1;
        if (strcmp(argv[a], "--label") == 0) {
            if (a + 1 == argc) {
                printf("--label needs a label\n");
                failed++;
                break;
            }
            a++;
            for (i = 0; i < NTESTS; i++)
                if (has_label(g_tests[i].labels, argv[a]))
                    selected[i] = 1, found = 1;
            if (!found) {
                printf("no test case has the label %s\n", argv[a]);
                failed++;
            }
            continue;
        }
        for (i = 0; i < NTESTS; i++)
            if (strcmp(argv[a], g_tests[i].name) == 0)
                selected[i] = 1, found = 1;
        if (!found) {
            printf("unknown test case: %s\n", argv[a]);
            failed++;
        }
    }
    if (list) {
        for (i = 0; i < NTESTS; i++)
            if (!any || selected[i])
                printf("%s\n", g_tests[i].name);
        return failed ? 1 : 0;
    }
    for (i = 0; i < NTESTS; i++) {
        if (any && !selected[i])
            continue;
        g_failed_checks = 0;
        printf("[ RUN  ] %s\n", g_tests[i].name);
        fflush(stdout);
        g_tests[i].fn();
        printf("[ %s ] %s\n", g_failed_checks ? "FAIL" : " OK ", g_tests[i].name);
        if (g_failed_checks)
            failed++;
        else
            passed++;
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
