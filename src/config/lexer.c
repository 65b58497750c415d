#include "config/lexer.h"

#include <stdlib.h>
#include <string.h>

#include "util/err.h"

static int is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/*
 * Unquote one argument starting at *sp into *dp (in place: the output is never
 * longer than the input). Stops at an unquoted blank.
 */
static int lex_arg(char **sp, char **dp)
{
	char *s = *sp, *d = *dp;
	char quote = 0;

	for (; *s != '\0'; s++) {
		if (quote == 0 && is_blank(*s))
			break;
		if (*s == '\\' && (s[1] == '"' || s[1] == '\'' || s[1] == '\\' ||
				   (quote == 0 && s[1] == ' '))) {
			*d++ = *++s;
		} else if (quote == 0 && (*s == '"' || *s == '\'')) {
			quote = *s;
		} else if (quote != 0 && *s == quote) {
			quote = 0;
		} else {
			*d++ = *s;
		}
	}
	if (quote != 0)
		return ERR_FORMAT;
	*sp = s;
	*dp = d;
	return 0;
}

int cfg_lex(const char *line, struct cfg_line *out)
{
	struct cfg_line l;
	size_t n = strlen(line);
	char *s, *d;
	int r;

	memset(&l, 0, sizeof(l));
	/* Tokenised in place: unquoting only ever shortens the text. */
	if ((l.buf = malloc(n + 1)) == NULL)
		return ERR_ALLOC;
	memcpy(l.buf, line, n + 1);
	s = l.buf;
	while (is_blank(*s))
		s++;
	if (*s == '\0' || *s == '#')
		goto done;
	l.keyword = s;
	while (*s != '\0' && !is_blank(*s) && *s != '=')
		s++;
	/* "Keyword = value": blanks, at most one '=', blanks. */
	while (is_blank(*s))
		*s++ = '\0';
	if (*s == '=')
		*s++ = '\0';
	while (is_blank(*s))
		s++;

	d = s;
	while (*s != '\0') {
		char *arg = d;

		if (*s == '#')
			break; /* comment to end of line */
		if (l.nargs == CFG_LEX_MAX_ARGS) {
			r = ERR_TOO_LARGE;
			goto fail;
		}
		if ((r = lex_arg(&s, &d)) != 0)
			goto fail;
		while (is_blank(*s))
			s++;
		/* d may now equal s: terminate after moving past the blanks. */
		*d++ = '\0';
		l.args[l.nargs++] = arg;
	}
done:
	*out = l;
	return 0;
fail:
	free(l.buf);
	return r;
}

void cfg_line_free(struct cfg_line *l)
{
	free(l->buf);
	memset(l, 0, sizeof(*l));
}
