/* -L / -R / LocalForward specifications, with the field rules of ssh(1). */
#include "config/client_config.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "config/values.h"
#include "util/err.h"
#include "util/mem.h"

/* ssh accepts at most four fields: bind, port, host, hostport. */
#define FWD_MAX_FIELDS 4
/* A socket path must fit in sun_path with its NUL. */
#define FWD_PATH_MAX sizeof(((struct sockaddr_un *)0)->sun_path)

struct fwd_field {
	char *s;     /* points into the working copy */
	int is_path; /* contains '/' */
};

/*
 * Cut the next field off *p (the working copy, modified in place). A field
 * starting with '[' runs to the matching ']', which must end the spec or be
 * followed by ':'. Otherwise it ends at ':' and a backslash takes the next
 * character literally. Returns 0, 1 at the end of the spec, or ERR_FORMAT.
 */
static int next_field(char **p, struct fwd_field *f)
{
	char *s = *p, *d;

	if (s == NULL || *s == '\0')
		return 1;
	f->is_path = 0;
	if (*s == '[') {
		char *e = strchr(s + 1, ']');

		if (e == NULL || (e[1] != ':' && e[1] != '\0'))
			return ERR_FORMAT;
		f->is_path = memchr(s + 1, '/', (size_t)(e - s - 1)) != NULL;
		f->s = s + 1;
		*e = '\0';
		*p = e[1] == ':' ? e + 2 : e + 1;
		return 0;
	}
	f->s = s;
	for (d = s; *s != '\0' && *s != ':'; s++) {
		if (*s == '\\') {
			if (*++s == '\0')
				return ERR_FORMAT;
		} else if (*s == '/') {
			f->is_path = 1;
		}
		*d++ = *s;
	}
	*p = *s == ':' ? s + 1 : s;
	*d = '\0';
	return 0;
}

static int dup_opt(const char *s, char **out)
{
	*out = NULL;
	if (s != NULL && (*out = mem_strdup(s)) == NULL)
		return ERR_ALLOC;
	return 0;
}

int cfg_parse_fwd_spec(const char *spec, int remote, struct fwd_spec *out)
{
	struct fwd_field fl[FWD_MAX_FIELDS];
	const char *lhost = NULL, *lpath = NULL, *chost = NULL, *cpath = NULL;
	int lport = -1, cport = -1, n = 0, dynamic = 0, r;
	struct fwd_spec f;
	char *work, *p;

	memset(&f, 0, sizeof(f));
	if ((work = mem_strdup(spec)) == NULL)
		return ERR_ALLOC;
	p = work;
	while (*p == ' ' || *p == '\t')
		p++;
	while (n < FWD_MAX_FIELDS && (r = next_field(&p, &fl[n])) == 0)
		n++;
	r = ERR_FORMAT;
	if (n == 0 || *p != '\0')
		goto out; /* empty, a bad field, or a fifth field */
	switch (n) {
	case 1:
		/* "port" or "path": only a dynamic remote forward. */
		if (fl[0].is_path)
			lpath = fl[0].s;
		else
			lport = cfg_parse_port0(fl[0].s);
		dynamic = 1;
		break;
	case 2:
		if (fl[0].is_path && fl[1].is_path) {
			lpath = fl[0].s;
			cpath = fl[1].s;
		} else if (fl[1].is_path) {
			lport = cfg_parse_port0(fl[0].s);
			cpath = fl[1].s;
		} else {
			lhost = fl[0].s; /* "bind:port", dynamic */
			lport = cfg_parse_port0(fl[1].s);
			dynamic = 1;
		}
		break;
	case 3:
		if (fl[0].is_path) {
			lpath = fl[0].s;
			chost = fl[1].s;
			cport = cfg_parse_port0(fl[2].s);
		} else if (fl[2].is_path) {
			lhost = fl[0].s;
			lport = cfg_parse_port0(fl[1].s);
			cpath = fl[2].s;
		} else {
			lport = cfg_parse_port0(fl[0].s);
			chost = fl[1].s;
			cport = cfg_parse_port0(fl[2].s);
		}
		break;
	default:
		lhost = fl[0].s;
		lport = cfg_parse_port0(fl[1].s);
		chost = fl[2].s;
		cport = cfg_parse_port0(fl[3].s);
		break;
	}
	/* Dynamic forwards (SOCKS) exist only for -R here; -D comes later. */
	if (dynamic && !remote)
		goto out;
	if (!dynamic && cpath == NULL && cport <= 0)
		goto out;
	if (lpath == NULL && (lport < 0 || (lport == 0 && !remote)))
		goto out;
	if ((lhost != NULL && strlen(lhost) >= NI_MAXHOST) ||
	    (chost != NULL && strlen(chost) >= NI_MAXHOST) ||
	    (lpath != NULL && strlen(lpath) >= FWD_PATH_MAX) ||
	    (cpath != NULL && strlen(cpath) >= FWD_PATH_MAX))
		goto out;
	f.listen_port = lpath != NULL ? -1 : lport;
	f.connect_port = chost != NULL ? cport : -1;
	if ((r = dup_opt(lhost, &f.listen_host)) != 0 ||
	    (r = dup_opt(lpath, &f.listen_path)) != 0 ||
	    (r = dup_opt(chost, &f.connect_host)) != 0 ||
	    (r = dup_opt(cpath, &f.connect_path)) != 0) {
		cfg_fwd_spec_free(&f);
		goto out;
	}
	*out = f;
	r = 0;
out:
	free(work);
	return r;
}

void cfg_fwd_spec_free(struct fwd_spec *f)
{
	free(f->listen_host);
	free(f->listen_path);
	free(f->connect_host);
	free(f->connect_path);
	memset(f, 0, sizeof(*f));
	f->listen_port = -1;
	f->connect_port = -1;
}

/* Append "host:port" or "[v6]:port" (host may be NULL: port alone) at *k. */
static void put_hostport(char *buf, size_t len, size_t *k, const char *host, int port)
{
	int n;

	if (*k >= len)
		return;
	if (host == NULL)
		n = snprintf(buf + *k, len - *k, "%d", port);
	else if (strchr(host, ':') != NULL)
		n = snprintf(buf + *k, len - *k, "[%s]:%d", host, port);
	else
		n = snprintf(buf + *k, len - *k, "%s:%d", host, port);
	*k += n < 0 ? len : (size_t)n;
}

static void put_str(char *buf, size_t len, size_t *k, const char *s)
{
	int n;

	if (*k >= len)
		return;
	n = snprintf(buf + *k, len - *k, "%s", s);
	*k += n < 0 ? len : (size_t)n;
}

int cfg_fwd_spec_format(const struct fwd_spec *f, char *buf, size_t len)
{
	size_t k = 0;

	if (len == 0)
		return ERR_TOO_LARGE;
	buf[0] = '\0';
	if (f->listen_path != NULL)
		put_str(buf, len, &k, f->listen_path);
	else
		put_hostport(buf, len, &k, f->listen_host, f->listen_port);
	if (f->connect_path != NULL) {
		put_str(buf, len, &k, ":");
		put_str(buf, len, &k, f->connect_path);
	} else if (f->connect_host != NULL) {
		put_str(buf, len, &k, ":");
		put_hostport(buf, len, &k, f->connect_host, f->connect_port);
	}
	return k < len ? 0 : ERR_TOO_LARGE;
}
