#include "auth/lines.h"

#include <errno.h>
#include <string.h>

#include "util/err.h"

int auth_lines_open(struct auth_lines *l, const char *path)
{
	l->lineno = 0;
	if ((l->f = fopen(path, "r")) == NULL)
		return errno == ENOENT || errno == ENOTDIR ? ERR_NOT_FOUND : ERR_SYSTEM;
	return 0;
}

int auth_lines_next(struct auth_lines *l, char **line)
{
	size_t n = 0;
	int c, too_long = 0, nul = 0;

	/* Byte by byte, so that a NUL inside a line cannot hide its real length. */
	while ((c = getc(l->f)) != EOF && c != '\n') {
		if (n >= AUTH_LINE_MAX) {
			too_long = 1;
			continue;
		}
		nul |= c == '\0';
		l->buf[n++] = (char)c;
	}
	if (c == EOF) {
		if (ferror(l->f))
			return ERR_SYSTEM;
		if (n == 0 && !too_long)
			return ERR_EOF;
	}
	l->lineno++;
	if (too_long)
		return ERR_TOO_LARGE;
	if (nul)
		return ERR_FORMAT;
	l->buf[n] = '\0';
	*line = l->buf;
	return 0;
}

void auth_lines_close(struct auth_lines *l)
{
	if (l->f != NULL)
		fclose(l->f);
	l->f = NULL;
}

char *auth_skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return (char *)p;
}

void auth_rstrip(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' ||
			 s[n - 1] == '\n'))
		s[--n] = '\0';
}
