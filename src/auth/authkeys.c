/*
 * authorized_keys lines and files, sshd(8) "AUTHORIZED_KEYS FILE FORMAT":
 * [options] keytype base64 [comment].
 */
#include "auth/authkeys.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth/authkeys_int.h"
#include "auth/lines.h"
#include "util/err.h"
#include "util/log.h"

/* Is the first field a key type we implement? (Then a parse error is a bad line.) */
static int ak_known_type(const char *p)
{
	size_t n = strcspn(p, " \t");
	char name[128];

	if (n >= sizeof(name))
		return 0;
	memcpy(name, p, n);
	name[n] = '\0';
	return key_type_from_name(name) != KEY_UNKNOWN;
}

/*
 * Does the first field look like a key type rather than options? Types we
 * cannot parse still count, so that an ssh-rsa line is "unsupported key
 * type" and not "unknown option ssh-rsa".
 */
static int ak_looks_like_keytype(const char *p)
{
	static const char *const prefixes[] = { "ssh-", "ecdsa-sha2-", "sk-", "rsa-sha2-" };
	size_t n = strcspn(p, " \t");
	char name[128];

	if (n == 0 || n >= sizeof(name))
		return 0;
	if (ak_known_type(p))
		return 1;
	memcpy(name, p, n);
	name[n] = '\0';
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	return strchr(name, '@') != NULL && strchr(name, '=') == NULL &&
	       strchr(name, ',') == NULL;
}

/* authkeys_parse_line with a reason for ERR_FORMAT / ERR_KEY_TYPE (for logs). */
static int ak_parse_line(const char *line, struct key **keyp, struct authkey_opts **optsp,
			 const char **why)
{
	struct authkey_opts *opts = NULL;
	struct key *k = NULL;
	char *copy = NULL, *comment = NULL;
	const char *p = auth_skip_ws(line);
	int r;

	if (*p == '\0' || *p == '#' || *p == '\r' || *p == '\n')
		return ERR_NOT_FOUND;
	if (ak_looks_like_keytype(p)) {
		if ((opts = calloc(1, sizeof(*opts))) == NULL)
			return ERR_ALLOC;
	} else {
		if ((r = ak_parse_options(&p, &opts, why)) != 0)
			goto out;
		p = auth_skip_ws(p);
	}
	if ((copy = strdup(p)) == NULL) {
		r = ERR_ALLOC;
		goto out;
	}
	auth_rstrip(copy);
	if ((r = key_parse_public_line(copy, &k, &comment)) != 0) {
		if (r != ERR_ALLOC)
			r = !ak_known_type(copy) && ak_looks_like_keytype(copy) ? ERR_KEY_TYPE :
										    ERR_FORMAT;
		*why = r == ERR_KEY_TYPE ? "unsupported key type" : "invalid key";
		goto out;
	}
	*keyp = k;
	*optsp = opts;
	k = NULL;
	opts = NULL;
out:
	free(comment);
	free(copy);
	key_free(k);
	authkey_opts_free(opts);
	return r;
}

int authkeys_parse_line(const char *line, struct key **key, struct authkey_opts **opts)
{
	const char *why = NULL;

	return ak_parse_line(line, key, opts, &why);
}

/* The user the file is read for (it is read with that user's rights). */
static const char *ak_user_name(const char *user)
{
	struct passwd *pw;

	if (user != NULL)
		return user;
	pw = getpwuid(geteuid());
	return pw != NULL ? pw->pw_name : "(unknown)";
}

/*
 * Options that make a matching line unusable for this client now: an
 * option we cannot enforce, a from= that does not allow it, an expired key.
 * Returns 1 (refused, logged) or 0.
 */
static int ak_refused(const char *path, unsigned long lineno, const struct authkey_opts *o,
		      const char *user, const char *addr, const char *host, time_t now)
{
	if (o->unsupported) {
		log_info("authorized_keys %s:%lu: option %s is not supported yet; key refused",
			 path, lineno, o->unsupported_name);
		return 1;
	}
	if (o->from != NULL && !authkeys_from_allows(o->from, addr, host)) {
		/* sshd's wording, so existing log watchers keep working */
		log_info("Authentication tried for %s with correct key but not from a permitted "
			 "host (host=%s, ip=%s).", ak_user_name(user),
			 host != NULL ? host : (addr != NULL ? addr : "unknown"),
			 addr != NULL ? addr : "unknown");
		log_debug("%s:%lu: from=\"%s\" does not allow the client", path, lineno, o->from);
		return 1;
	}
	if (o->expiry != 0 && o->expiry < now) {
		char when[32];
		struct tm tm;

		if (gmtime_r(&o->expiry, &tm) == NULL ||
		    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
			snprintf(when, sizeof(when), "%lld", (long long)o->expiry);
		log_info("authorized_keys %s:%lu: key for %s expired at %s; key refused", path,
			 lineno, ak_user_name(user), when);
		return 1;
	}
	return 0;
}

int authkeys_check_file_user(const char *path, const char *user, const struct key *key,
			     const char *addr, const char *host, time_t now,
			     struct authkey_opts **optsp)
{
	struct auth_lines *l;
	int r, refused = 0;

	if ((l = malloc(sizeof(*l))) == NULL)
		return ERR_ALLOC;
	if ((r = auth_lines_open(l, path)) != 0) {
		if (r != ERR_NOT_FOUND)
			log_debug("Could not open authorized keys '%s'", path);
		goto out;
	}
	for (;;) {
		struct authkey_opts *opts = NULL;
		struct key *k = NULL;
		const char *why = "?";
		char *line;

		if ((r = auth_lines_next(l, &line)) == ERR_EOF)
			break;
		if (r == ERR_TOO_LARGE || r == ERR_FORMAT) {
			log_debug("%s:%lu: %s, skipped", path, l->lineno,
				  r == ERR_FORMAT ? "NUL byte in line" : "line too long");
			continue;
		}
		if (r != 0)
			goto out;
		r = ak_parse_line(line, &k, &opts, &why);
		if (r == ERR_ALLOC)
			goto out;
		if (r == ERR_FORMAT || r == ERR_KEY_TYPE) {
			if (r == ERR_KEY_TYPE || strcmp(why, "invalid key") == 0)
				log_debug("%s:%lu: %s, line skipped", path, l->lineno, why);
			else
				log_debug("%s:%lu: bad key options: %s", path, l->lineno, why);
			continue;
		}
		if (r != 0)
			continue; /* blank or comment */
		if (!key_equal(k, key)) {
			key_free(k);
			authkey_opts_free(opts);
			continue;
		}
		key_free(k);
		if (ak_refused(path, l->lineno, opts, user, addr, host, now)) {
			authkey_opts_free(opts);
			refused = 1;
			continue;
		}
		log_debug("%s:%lu: matching key found", path, l->lineno);
		*optsp = opts;
		r = 0;
		goto out;
	}
	r = refused ? ERR_PERMISSION : ERR_NOT_FOUND;
out:
	auth_lines_close(l);
	free(l);
	return r;
}

int authkeys_check_file_for(const char *path, const struct key *key, const char *addr,
			    const char *host, time_t now, struct authkey_opts **opts)
{
	return authkeys_check_file_user(path, NULL, key, addr, host, now, opts);
}

int authkeys_check_file(const char *path, const struct key *key, struct authkey_opts **opts)
{
	return authkeys_check_file_user(path, NULL, key, NULL, NULL, time(NULL), opts);
}
