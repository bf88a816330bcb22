/* A heap copy of exactly len bytes, so that ASan traps a parser reading
 * past the end (a stack or static buffer would hide it). The copy lives
 * until the next call: a parser result that borrows from it and is used
 * after that is a use-after-free, which ASan traps too. */
#ifndef DMVPND_TESTS_EXACT_COPY_H
#define DMVPND_TESTS_EXACT_COPY_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static inline const uint8_t *exact_copy(const uint8_t *p, size_t len)
{
	static uint8_t *copy;

	free(copy);
	copy = malloc(len != 0 ? len : 1);
	if (copy == NULL)
		abort();
	memcpy(copy, p, len);
	return copy;
}

#endif
