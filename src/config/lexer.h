/*
 * Splitting of one configuration line into a keyword and its arguments, shared
 * by ssh_config and sshd_config parsing. Internal to src/config.
 */
#ifndef BURROW_CONFIG_LEXER_H
#define BURROW_CONFIG_LEXER_H

#include <glob.h>
#include <stdint.h>

#define CFG_LEX_MAX_ARGS 256

struct cfg_line {
	char *buf;                       /* owned storage for every string below */
	char *keyword;                   /* NULL for a blank or comment line */
	char *args[CFG_LEX_MAX_ARGS];    /* unquoted arguments; a '#' token ends the line */
	int nargs;
	/* The text after the keyword (and its '='), unlexed, trailing blanks cut: ProxyCommand. */
	char *rest;
};

/*
 * Split "Keyword value...", "Keyword=value" or "Keyword = value". Arguments are
 * separated by blanks; double or single quotes group (and are removed), and a
 * backslash escapes a quote or backslash. Returns ERR_FORMAT for unbalanced
 * quotes, ERR_TOO_LARGE for too many arguments, ERR_ALLOC.
 */
int cfg_lex(const char *line, struct cfg_line *out);
void cfg_line_free(struct cfg_line *l);

/*
 * Apply a RekeyLimit line's arguments to *bytes / *seconds (first value wins:
 * only fields still -1 are set). Prints OpenSSH's message on a bad value;
 * number_label is "Bad number" (ssh) or "Bad RekeyLimit number" (sshd).
 */
int cfg_apply_rekey_line(const struct cfg_line *l, const char *file, unsigned long line,
			 const char *number_label, int64_t *bytes, int64_t *seconds);

/*
 * Include: expand one pattern (relative ones under dir, which ends in '/') with
 * glob(3) and GLOB_TILDE. 0 with g filled (no match leaves g->gl_pathc 0 and
 * logs at DEBUG1), ERR_SYSTEM if glob failed, ERR_ALLOC. *pattern gets the
 * expanded pattern for messages. Free with cfg_include_done().
 */
struct cfg_include {
	glob_t g;
	char *pattern;
};
int cfg_include_glob(const char *pat, const char *dir, const char *file, unsigned long line,
		     struct cfg_include *inc);
void cfg_include_done(struct cfg_include *inc);

#endif
