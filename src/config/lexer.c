#include "config/lexer.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "config/values.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"

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
	/* ssh takes ProxyCommand's text as written: keep a raw copy. */
	{
		size_t off = (size_t)(s - l.buf), rl = n - off;

		while (rl > 0 && is_blank(line[off + rl - 1]))
			rl--;
		if ((l.rest = strndup(line + off, rl)) == NULL) {
			r = ERR_ALLOC;
			goto fail;
		}
	}

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
	free(l.rest);
	free(l.buf);
	return r;
}

void cfg_line_free(struct cfg_line *l)
{
	free(l->buf);
	free(l->rest);
	memset(l, 0, sizeof(*l));
}

int cfg_apply_rekey_line(const struct cfg_line *l, const char *file, unsigned long line,
			 const char *number_label, int64_t *bytes, int64_t *seconds)
{
	const char *what = "";
	int64_t b, t;
	int r;

	r = cfg_parse_rekey_args(l->args[0], l->nargs > 1 ? l->args[1] : NULL, &b, &t, &what);
	if (r != 0) {
		if (strcmp(what, "number") == 0)
			fprintf(stderr, "%s line %lu: %s '%s': %s\n", file, line, number_label,
				l->args[0], r == ERR_TOO_LARGE ? "Numerical result out of range" :
				"Invalid argument");
		else if (strcmp(what, "small") == 0)
			fprintf(stderr, "%s line %lu: RekeyLimit too small\n", file, line);
		else
			fprintf(stderr, "%s line %lu: invalid time value.\n", file, line);
		return ERR_FORMAT;
	}
	if (*bytes == -1)
		*bytes = b;
	if (l->nargs > 1 && *seconds == -1)
		*seconds = t;
	return 0;
}

int cfg_include_glob(const char *pat, const char *dir, const char *file, unsigned long line,
		     struct cfg_include *inc)
{
	int gr;

	memset(inc, 0, sizeof(*inc));
	if (pat[0] != '/' && pat[0] != '~') {
		size_t n;

		if (mem_add_size(strlen(dir), strlen(pat) + 1, &n) != 0 ||
		    (inc->pattern = malloc(n)) == NULL)
			return ERR_ALLOC;
		snprintf(inc->pattern, n, "%s%s", dir, pat);
	} else if ((inc->pattern = strdup(pat)) == NULL) {
		return ERR_ALLOC;
	}
	gr = glob(inc->pattern, GLOB_TILDE, NULL, &inc->g);
	if (gr == GLOB_NOMATCH) {
		log_debug("%s line %lu: include %s matched no files", file, line, inc->pattern);
		inc->g.gl_pathc = 0;
		return 0;
	}
	return gr == 0 ? 0 : ERR_SYSTEM;
}

void cfg_include_done(struct cfg_include *inc)
{
	globfree(&inc->g);
	free(inc->pattern);
	inc->pattern = NULL;
}
