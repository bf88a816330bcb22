#include "words.h"

#include <errno.h>
#include <string.h>

int words_split(char *line, char **w, int max)
{
	char *save = NULL;
	int n = 0;

	for (char *t = strtok_r(line, " ", &save); t != NULL; t = strtok_r(NULL, " ", &save)) {
		if (n == max)
			return -E2BIG;
		w[n++] = t;
	}
	return n;
}
