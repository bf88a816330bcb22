/* Test helper: where the shared reference captures and vectors are. Set
 * DMVPND_FIXTURES to the fixtures folder, or DMVPND_SRCDIR to a checkout
 * that has shared/ beside it (as CI lays it out). Test code only. */
#ifndef DMVPND_TEST_FIXTURE_PATH_H
#define DMVPND_TEST_FIXTURE_PATH_H

#include <stdio.h>
#include <stdlib.h>

/* buf = <fixtures>/<rel> */
static inline void fixture_path_of(char *buf, size_t n, const char *rel)
{
	const char *fx = getenv("DMVPND_FIXTURES");
	const char *src = getenv("DMVPND_SRCDIR");

	if (fx != NULL)
		snprintf(buf, n, "%s/%s", fx, rel);
	else
		snprintf(buf, n, "%s/../shared/fixtures/%s", src != NULL ? src : ".", rel);
}

#endif
