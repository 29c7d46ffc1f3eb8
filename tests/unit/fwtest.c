/*
 * fwtest.c - see fwtest.h.
 */
#include "fwtest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static const char *join(const char *env, const char *fallback,
                        const char *rel)
{
    static char buf[4096];
    const char *dir = getenv(env);
    if (dir == NULL || dir[0] == '\0') {
        dir = fallback;
    }
    snprintf(buf, sizeof buf, "%s/%s", dir, rel);
    return buf;
}

const char *fwt_shared(const char *rel)
{
    const char *p = join("FW_SHARED_DATA", "../shared/data", rel);
    struct stat st;
    return stat(p, &st) == 0 ? p : NULL;
}

const char *fwt_shared_or_skip(const char *rel)
{
    const char *p = fwt_shared(rel);
    if (p == NULL) {
        printf("SKIP: real data not found (%s); set FW_SHARED_DATA to the "
               "folder ../shared/data to run this test\n",
               rel);
        skip();
    }
    return p;
}

const char *fwt_fixture(const char *rel)
{
    return join("FW_TEST_DATA", "tests/data", rel);
}

const char *fwt_sample(const char *rel)
{
    return join("FW_SAMPLE_DATA", "data/sample", rel);
}

void fwt_near_or_fail(double got, double want, double tol, const char *file,
                      int line)
{
    if (!(fabs(got - want) <= tol)) {
        print_error("got %.17g, want %.17g (tolerance %g)\n", got, want, tol);
        _fail(file, line);
    }
}
