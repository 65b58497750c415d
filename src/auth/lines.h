/*
 * Internal to src/auth: line-by-line reading of authorized_keys and
 * known_hosts files with a fixed line limit, so a hostile or corrupt file
 * cannot make us allocate without bound.
 */
#ifndef BURROW_AUTH_LINES_H
#define BURROW_AUTH_LINES_H

#include <stdio.h>

#define AUTH_LINE_MAX (16u * 1024) /* longest line we parse, without its newline */

struct auth_lines {
	FILE *f;
	unsigned long lineno;
	char buf[AUTH_LINE_MAX + 1]; /* line + NUL */
};

/* 0, ERR_NOT_FOUND for a missing file, ERR_SYSTEM otherwise (errno set). */
int auth_lines_open(struct auth_lines *l, const char *path);
/*
 * Next line with its end-of-line stripped. 0 with *line set; ERR_EOF at end
 * of file; ERR_TOO_LARGE for an overlong line (already skipped, lineno
 * counts it); ERR_FORMAT for a line holding a NUL byte (skipped too);
 * ERR_SYSTEM on a read error.
 */
int auth_lines_next(struct auth_lines *l, char **line);
void auth_lines_close(struct auth_lines *l);

/* Skip spaces and tabs. */
char *auth_skip_ws(const char *p);
/* Remove trailing whitespace (spaces, tabs, CR, LF) in place. */
void auth_rstrip(char *s);

#endif
