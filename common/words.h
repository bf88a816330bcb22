/* Splitting an operator's command line into words, for every parser of
 * CLI arguments: one rule for all, and a line with more words than the
 * command can take is refused, never cut short. */
#ifndef DMVPND_WORDS_H
#define DMVPND_WORDS_H

/* Splits line in place at runs of spaces into w[0..max). Returns the
 * number of words, or -E2BIG when there are more than max (w then holds
 * the first max). */
int words_split(char *line, char **w, int max);

#endif
