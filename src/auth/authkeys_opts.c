/*
 * The options field of an authorized_keys line (sshd(8) "AUTHORIZED_KEYS
 * FILE FORMAT"): comma-separated names, some with ="quoted value" where \"
 * stands for a quote. Whitespace may appear only inside quotes and ends the
 * field.
 */
#include "auth/authkeys_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util/err.h"

enum ak_opt {
	AO_AGENT_FWD, AO_CERT_AUTHORITY, AO_COMMAND, AO_ENVIRONMENT, AO_EXPIRY_TIME,
	AO_FROM, AO_NO_AGENT_FWD, AO_NO_PORT_FWD, AO_NO_PTY, AO_NO_USER_RC, AO_NO_X11_FWD,
	AO_PERMITLISTEN, AO_PERMITOPEN, AO_PORT_FWD, AO_PRINCIPALS, AO_PTY,
	AO_NO_TOUCH_REQUIRED, AO_VERIFY_REQUIRED, AO_RESTRICT, AO_TUNNEL, AO_USER_RC,
	AO_X11_FWD,
};

static const struct {
	const char *name;
	enum ak_opt id;
	int has_value;
	int unsupported; /* parsed, but we cannot enforce it yet */
} ak_opt_table[] = {
	{ "agent-forwarding", AO_AGENT_FWD, 0, 0 },
	{ "cert-authority", AO_CERT_AUTHORITY, 0, 1 },
	{ "command", AO_COMMAND, 1, 0 },
	{ "environment", AO_ENVIRONMENT, 1, 1 },
	{ "expiry-time", AO_EXPIRY_TIME, 1, 0 },
	{ "from", AO_FROM, 1, 0 },
	{ "no-agent-forwarding", AO_NO_AGENT_FWD, 0, 0 },
	{ "no-port-forwarding", AO_NO_PORT_FWD, 0, 0 },
	{ "no-pty", AO_NO_PTY, 0, 0 },
	{ "no-user-rc", AO_NO_USER_RC, 0, 0 },
	{ "no-X11-forwarding", AO_NO_X11_FWD, 0, 0 },
	{ "permitlisten", AO_PERMITLISTEN, 1, 0 },
	{ "permitopen", AO_PERMITOPEN, 1, 0 },
	{ "port-forwarding", AO_PORT_FWD, 0, 0 },
	{ "principals", AO_PRINCIPALS, 1, 1 },
	{ "pty", AO_PTY, 0, 0 },
	{ "no-touch-required", AO_NO_TOUCH_REQUIRED, 0, 1 },
	{ "verify-required", AO_VERIFY_REQUIRED, 0, 1 },
	{ "restrict", AO_RESTRICT, 0, 0 },
	{ "tunnel", AO_TUNNEL, 1, 1 },
	{ "user-rc", AO_USER_RC, 0, 0 },
	{ "X11-forwarding", AO_X11_FWD, 0, 0 },
};

void authkey_opts_free(struct authkey_opts *o)
{
	if (o == NULL)
		return;
	free(o->command);
	free(o->from);
	ak_strv_free(o->permitopen);
	ak_strv_free(o->permitlisten);
	ak_strv_free(o->environment);
	free(o->unsupported_name);
	free(o);
}

void ak_strv_free(char **v)
{
	if (v == NULL)
		return;
	for (char **p = v; *p != NULL; p++)
		free(*p);
	free(v);
}

/* Append s (taken over) to the NULL-terminated vector *v. */
static int ak_strv_add(char ***v, char *s)
{
	size_t n = 0;
	char **nv;

	if (*v != NULL)
		while ((*v)[n] != NULL)
			n++;
	if (n > 1024 || (nv = realloc(*v, (n + 2) * sizeof(*nv))) == NULL)
		return ERR_ALLOC;
	nv[n] = s;
	nv[n + 1] = NULL;
	*v = nv;
	return 0;
}

static int ak_all_digits(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);

	if (n < min || n > max)
		return 0;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* A port number 1..65535 or "*" (sshd(8) permitopen/permitlisten: 0 is invalid). */
static int ak_valid_port(const char *s)
{
	long v;

	if (strcmp(s, "*") == 0)
		return 1;
	if (!ak_all_digits(s, 1, 5))
		return 0;
	v = strtol(s, NULL, 10);
	return v > 0 && v <= 65535;
}

/* "host:port", "[v6addr]:port", or for permitlisten also a bare "port". */
static int ak_valid_hostport(const char *s, int listen)
{
	const char *colon;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL || close == s + 1 || close[1] != ':')
			return 0;
		return ak_valid_port(close + 2);
	}
	if ((colon = strrchr(s, ':')) == NULL)
		return listen && ak_valid_port(s);
	if (colon == s || strchr(s, ':') != colon)
		return 0;
	return ak_valid_port(colon + 1);
}

/* "NAME=value" with NAME made of letters, digits and '_'. */
static int ak_valid_env(const char *s)
{
	const char *p = s;

	while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
	       (*p >= '0' && *p <= '9') || *p == '_')
		p++;
	return p != s && *p == '=';
}

/* The decimal number in s[0..n). */
static int ak_num(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/*
 * expiry-time: YYYYMMDD[HHMM[SS]], local time, or UTC with a trailing 'Z'
 * (sshd(8) "expiry-time"). 0 with *t set, ERR_FORMAT if malformed.
 */
static int ak_parse_time(const char *s, time_t *t)
{
	struct tm tm;
	char tmp[16];
	size_t n = strlen(s);
	int utc = 0;
	time_t v;

	if (n > 0 && (s[n - 1] == 'Z' || s[n - 1] == 'z')) {
		utc = 1;
		n--;
	}
	if (n != 8 && n != 12 && n != 14)
		return ERR_FORMAT;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (!ak_all_digits(tmp, n, n))
		return ERR_FORMAT;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = ak_num(tmp, 4) - 1900;
	tm.tm_mon = ak_num(tmp + 4, 2) - 1;
	tm.tm_mday = ak_num(tmp + 6, 2);
	if (n >= 12) {
		tm.tm_hour = ak_num(tmp + 8, 2);
		tm.tm_min = ak_num(tmp + 10, 2);
	}
	if (n == 14)
		tm.tm_sec = ak_num(tmp + 12, 2);
	if (tm.tm_year < 70 || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return ERR_FORMAT;
	tm.tm_isdst = -1;
	v = utc ? timegm(&tm) : mktime(&tm);
	if (v == (time_t)-1 || v <= 0)
		return ERR_FORMAT;
	*t = v;
	return 0;
}

/*
 * Read ="..." at *pp into a new string: \" becomes a quote, every other
 * character (a lone backslash too) is copied as it is.
 */
static int ak_read_value(const char **pp, char **out, const char **why)
{
	const char *p = *pp;
	char *v, *w;

	if (p[0] != '=' || p[1] != '"') {
		*why = "option needs a quoted value";
		return ERR_FORMAT;
	}
	p += 2;
	if ((v = malloc(strlen(p) + 1)) == NULL)
		return ERR_ALLOC;
	for (w = v; *p != '"'; p++) {
		if (*p == '\0') {
			free(v);
			*why = "missing end quote";
			return ERR_FORMAT;
		}
		if (p[0] == '\\' && p[1] == '"')
			p++;
		*w++ = *p;
	}
	*w = '\0';
	*pp = p + 1;
	*out = v;
	return 0;
}

static int ak_apply(struct authkey_opts *o, enum ak_opt id, char *val, const char **why)
{
	time_t t;

	switch (id) {
	case AO_RESTRICT:
		o->restrict_all = 1;
		o->no_port_forwarding = o->no_pty = o->no_agent_forwarding = 1;
		o->no_x11_forwarding = o->no_user_rc = 1;
		break;
	case AO_PORT_FWD: o->no_port_forwarding = 0; break;
	case AO_NO_PORT_FWD: o->no_port_forwarding = 1; break;
	case AO_PTY: o->no_pty = 0; break;
	case AO_NO_PTY: o->no_pty = 1; break;
	case AO_AGENT_FWD: o->no_agent_forwarding = 0; break;
	case AO_NO_AGENT_FWD: o->no_agent_forwarding = 1; break;
	case AO_X11_FWD: o->no_x11_forwarding = 0; break;
	case AO_NO_X11_FWD: o->no_x11_forwarding = 1; break;
	case AO_USER_RC: o->no_user_rc = 0; break;
	case AO_NO_USER_RC: o->no_user_rc = 1; break;
	case AO_CERT_AUTHORITY:
	case AO_NO_TOUCH_REQUIRED:
	case AO_VERIFY_REQUIRED:
		break;
	case AO_COMMAND:
		if (o->command != NULL) {
			*why = "multiple \"command\" clauses";
			return ERR_FORMAT;
		}
		o->command = val;
		return 1;
	case AO_FROM:
		if (o->from != NULL) {
			*why = "multiple \"from\" clauses";
			return ERR_FORMAT;
		}
		if (val[0] == '\0') {
			*why = "empty \"from\" pattern list";
			return ERR_FORMAT;
		}
		o->from = val;
		return 1;
	case AO_ENVIRONMENT:
		if (!ak_valid_env(val)) {
			*why = "invalid environment string";
			return ERR_FORMAT;
		}
		return ak_strv_add(&o->environment, val) == 0 ? 1 : ERR_ALLOC;
	case AO_PERMITOPEN:
		if (!ak_valid_hostport(val, 0)) {
			*why = "invalid permitopen specification";
			return ERR_FORMAT;
		}
		return ak_strv_add(&o->permitopen, val) == 0 ? 1 : ERR_ALLOC;
	case AO_PERMITLISTEN:
		if (!ak_valid_hostport(val, 1)) {
			*why = "invalid permitlisten specification";
			return ERR_FORMAT;
		}
		return ak_strv_add(&o->permitlisten, val) == 0 ? 1 : ERR_ALLOC;
	case AO_EXPIRY_TIME:
		if (ak_parse_time(val, &t) != 0) {
			*why = "invalid expiry time";
			return ERR_FORMAT;
		}
		if (o->expiry == 0 || t < o->expiry)
			o->expiry = t; /* as sshd: the earliest of several wins */
		break;
	case AO_TUNNEL:
		if (!ak_all_digits(val, 1, 10)) {
			*why = "invalid tun device";
			return ERR_FORMAT;
		}
		break;
	case AO_PRINCIPALS:
		if (val[0] == '\0') {
			*why = "empty principals list";
			return ERR_FORMAT;
		}
		break;
	}
	return 0;
}

static int ak_is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

int ak_parse_options(const char **pp, struct authkey_opts **out, const char **why)
{
	struct authkey_opts *o;
	const char *p = *pp;
	int r = ERR_FORMAT;

	if ((o = calloc(1, sizeof(*o))) == NULL)
		return ERR_ALLOC;
	for (;;) {
		const char *name = p;
		size_t n, i;
		char *val = NULL;

		while (ak_is_name_char(*p))
			p++;
		n = (size_t)(p - name);
		for (i = 0; i < sizeof(ak_opt_table) / sizeof(ak_opt_table[0]); i++)
			if (strlen(ak_opt_table[i].name) == n &&
			    strncasecmp(ak_opt_table[i].name, name, n) == 0)
				break;
		if (i == sizeof(ak_opt_table) / sizeof(ak_opt_table[0])) {
			*why = n == 0 ? "empty option" : "unknown option";
			r = ERR_FORMAT;
			goto out;
		}
		if (ak_opt_table[i].has_value) {
			if ((r = ak_read_value(&p, &val, why)) != 0)
				goto out;
		} else if (*p == '=') {
			*why = "option takes no value";
			r = ERR_FORMAT;
			goto out;
		}
		r = ak_apply(o, ak_opt_table[i].id, val, why);
		if (r <= 0)
			free(val); /* 1: val was kept */
		if (r < 0)
			goto out;
		if (ak_opt_table[i].unsupported && !o->unsupported) {
			o->unsupported = 1;
			if ((o->unsupported_name = strdup(ak_opt_table[i].name)) == NULL) {
				r = ERR_ALLOC;
				goto out;
			}
		}
		if (*p == ' ' || *p == '\t' || *p == '\0')
			break;
		if (*p != ',' || !ak_is_name_char(p[1])) {
			*why = *p == ',' ? "empty option" : "bad option separator";
			r = ERR_FORMAT;
			goto out;
		}
		p++;
	}
	*pp = p;
	*out = o;
	o = NULL;
	r = 0;
out:
	authkey_opts_free(o);
	return r;
}
