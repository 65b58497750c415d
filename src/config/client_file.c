/* ssh_config(5) files: Host blocks, Match (client_match.c), Include, the default files. */
#include "config/client_config.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/client_internal.h"
#include "config/lexer.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"

/* ssh's limit on nested Include (READCONF_MAX_DEPTH). */
#define CCFG_MAX_DEPTH 16
#define CCFG_SYSTEM_FILE "/etc/ssh/ssh_config"
#define CCFG_SYSTEM_DIR "/etc/ssh/"
#define CCFG_USER_DIR "~/.ssh/"
#define CCFG_USER_FILE "~/.ssh/config"

struct load_ctx {
	struct client_config *c;
	struct client_config scratch; /* takes the lines of blocks that do not apply */
	const char *host;             /* the destination as given (alias) */
	int user_conf;                /* relative Include under ~/.ssh, '~' allowed */
	int aborted;                  /* an included file failed: stop everything */
};

static int load_depth(struct load_ctx *x, const char *path, int must_exist, int check_perm,
		      int *active, int never_match, int depth);

/* Glob with * and ?, case-insensitive as host names are. */
static int match_pattern(const char *s, const char *p)
{
	const char *star = NULL, *retry = NULL;

	while (*s != '\0') {
		if (*p == '*') {
			star = ++p;
			retry = s;
		} else if (*p != '\0' && (*p == '?' ||
					  tolower((unsigned char)*p) == tolower((unsigned char)*s))) {
			p++;
			s++;
		} else if (star != NULL) {
			/* Let the last '*' swallow one more character and retry. */
			p = star;
			s = ++retry;
		} else {
			return 0;
		}
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

/* A Host line applies if a pattern matches and no negated ("!") one does. */
static int host_line_matches(const char *host, struct cfg_line *l, const char *file,
			     unsigned long line)
{
	int matched = 0;

	for (int i = 0; i < l->nargs; i++) {
		const char *p = l->args[i];
		int neg = p[0] == '!';

		if (!match_pattern(host, p + neg))
			continue;
		if (neg) {
			log_debug("%s line %lu: Skipping Host block because of negated match for %s",
				  file, line, p + 1);
			return 0;
		}
		matched = 1;
	}
	if (matched)
		log_debug("%s line %lu: Applying options for %s", file, line, host);
	return matched;
}

/* Include: each argument a glob, relative ones under ~/.ssh or /etc/ssh. */
static int apply_include(struct load_ctx *x, struct cfg_line *l, const char *file,
			 unsigned long line, int *active, int never_match, int depth)
{
	int outer = *active, r = 0;

	if (l->nargs == 0) {
		fprintf(stderr, "%s line %lu: no argument after keyword \"include\"\n", file, line);
		return ERR_FORMAT;
	}
	if (depth + 1 >= CCFG_MAX_DEPTH) {
		fprintf(stderr, "%s line %lu: Too many recursive configuration includes\n", file,
			line);
		return ERR_TOO_LARGE;
	}
	for (int a = 0; a < l->nargs && r == 0; a++) {
		const char *pat = l->args[a];
		struct cfg_include inc;

		if (pat[0] == '~' && !x->user_conf) {
			fprintf(stderr, "%s line %lu: bad include path %s.\n", file, line, pat);
			return ERR_FORMAT;
		}
		r = cfg_include_glob(pat, x->user_conf ? CCFG_USER_DIR : CCFG_SYSTEM_DIR, file, line,
				     &inc);
		if (r == ERR_SYSTEM)
			fprintf(stderr, "%s line %lu: glob failed for %s.\n", file, line, inc.pattern);
		for (size_t i = 0; r == 0 && i < inc.g.gl_pathc; i++) {
			/* An included file's Host lines never leak out of it. */
			r = load_depth(x, inc.g.gl_pathv[i], 0, 1, active, never_match || !outer,
				       depth + 1);
			*active = outer;
			if (r != 0)
				x->aborted = 1; /* it has said why */
		}
		cfg_include_done(&inc);
	}
	return r;
}

/* One line; a negative result counts as a bad option unless it is ERR_ALLOC. */
static int load_line(struct load_ctx *x, const char *text, const char *file,
		     unsigned long line, int *active, int never_match, int depth)
{
	struct cfg_line l;
	int r;

	if ((r = cfg_lex(text, &l)) != 0) {
		if (r == ERR_FORMAT)
			fprintf(stderr, "%s line %lu: invalid quotes\n", file, line);
		else if (r == ERR_TOO_LARGE)
			fprintf(stderr, "%s line %lu: too many arguments.\n", file, line);
		return r;
	}
	if (l.keyword == NULL)
		goto out;
	if (strcasecmp(l.keyword, "Host") == 0) {
		if (l.nargs == 0 || l.args[0][0] == '\0') {
			fprintf(stderr, "%s line %lu: no argument after keyword \"host\"\n", file,
				line);
			r = ERR_FORMAT;
			goto out;
		}
		*active = !never_match && host_line_matches(x->host, &l, file, line);
	} else if (strcasecmp(l.keyword, "Match") == 0) {
		int m = 0;

		/* Inside an Include that cannot apply, nothing is evaluated (no exec). */
		if (never_match)
			*active = 0;
		else if ((r = cfg_client_match(x->c, x->host, &l, file, line, &m)) == 0)
			*active = m;
	} else if (strcasecmp(l.keyword, "Include") == 0) {
		r = apply_include(x, &l, file, line, active, never_match, depth);
	} else if (*active) {
		r = cfg_client_apply_lexed(x->c, &l, file, line, CFG_SRC_FILE);
	} else {
		/* Check values even where they do not apply, as ssh does. */
		if (x->c->ignore_unknown != NULL &&
		    (x->scratch.ignore_unknown = strdup(x->c->ignore_unknown)) == NULL) {
			r = ERR_ALLOC;
			goto out;
		}
		r = cfg_client_apply_lexed(&x->scratch, &l, file, line, CFG_SRC_FILE_INACTIVE);
		cfg_client_free(&x->scratch);
	}
out:
	cfg_line_free(&l);
	return r;
}

/* ssh refuses a user file others could have written. */
static int check_owner_mode(FILE *f, const char *path)
{
	struct stat st;

	if (fstat(fileno(f), &st) != 0) {
		fprintf(stderr, "fstat %s: %s\n", path, strerror(errno));
		return ERR_SYSTEM;
	}
	if ((st.st_uid != 0 && st.st_uid != getuid()) || (st.st_mode & 022) != 0) {
		fprintf(stderr, "Bad owner or permissions on %s\n", path);
		return ERR_PERMISSION;
	}
	return 0;
}

static int load_depth(struct load_ctx *x, const char *path, int must_exist, int check_perm,
		      int *active, int never_match, int depth)
{
	FILE *f;
	char *text = NULL;
	size_t cap = 0;
	unsigned long lineno = 0, bad = 0;
	int r;

	if ((f = fopen(path, "r")) == NULL) {
		/* Like ssh, a file that cannot be opened is simply not read unless required. */
		if (!must_exist)
			return 0;
		fprintf(stderr, "Can't open user config file %s: %s\n", path, strerror(errno));
		return ERR_NOT_FOUND;
	}
	log_debug("Reading configuration data %s", path);
	if (check_perm && (r = check_owner_mode(f, path)) != 0)
		goto out;
	while (getline(&text, &cap, f) != -1) {
		if (++lineno == ULONG_MAX)
			break;
		r = load_line(x, text, path, lineno, active, never_match, depth);
		if (r == ERR_ALLOC || x->aborted)
			goto out;
		if (r != 0)
			bad++;
	}
	r = 0;
	if (ferror(f)) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		r = ERR_SYSTEM;
	} else if (bad > 0) {
		fprintf(stderr, "%s: terminating, %lu bad configuration options\n", path, bad);
		r = ERR_FORMAT;
	}
out:
	free(text);
	fclose(f);
	return r;
}

static int load_top(struct client_config *c, const char *path, const char *host,
		    int must_exist, int user_conf, int check_perm)
{
	struct load_ctx *x;
	int active = 1, r;

	if (host == NULL)
		return ERR_INVALID_ARG;
	/* The scratch config is large: keep it off the stack. */
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return ERR_ALLOC;
	x->c = c;
	x->host = host;
	x->user_conf = user_conf;
	cfg_client_init(&x->scratch);
	r = load_depth(x, path, must_exist, check_perm, &active, 0, 0);
	cfg_client_free(&x->scratch);
	free(x);
	return r;
}

int cfg_client_load_file(struct client_config *c, const char *path, const char *host,
			 int must_exist)
{
	return load_top(c, path, host, must_exist, 1, 0);
}

int cfg_client_load_default_files(struct client_config *c)
{
	const char *home = cfg_home_dir();
	char *path = NULL;
	int r;

	if (home == NULL) {
		fprintf(stderr, "No home directory for uid %lu\n", (unsigned long)getuid());
		return ERR_NOT_FOUND;
	}
	if (c->config_file != NULL) {
		/* -F: only that file, which must exist; "none" reads nothing. */
		if (strcasecmp(c->config_file, "none") == 0)
			return 0;
		if ((r = cfg_expand_tilde(home, c->config_file, &path)) != 0)
			return r;
		r = load_top(c, path, c->host, 1, 1, 0);
		free(path);
		return r;
	}
	if ((r = cfg_expand_tilde(home, CCFG_USER_FILE, &path)) != 0)
		return r;
	r = load_top(c, path, c->host, 0, 1, 1);
	free(path);
	if (r != 0)
		return r;
	return load_top(c, CCFG_SYSTEM_FILE, c->host, 0, 0, 0);
}
