/* ssh(1) command line for burrow: flags, destination forms, remote command. */
#include "config/client_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "config/alglist.h"
#include "config/client_internal.h"
#include "config/values.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"

/* Flags without an argument, and those taking one (getopt "c:F:i:J:L:l:m:o:p:Q:R:W:"). */
#define CLIENT_FLAGS "46AaCfGgMNnqsTtvxy"
#define CLIENT_ARG_FLAGS "bcDEeFiJLlmOopQRSW"

static void client_usage(void)
{
	fprintf(stderr,
		"usage: burrow [-46AaCfGgMNnqsTtvxy] [-b bind_address] [-c cipher_spec]\n"
		"              [-D [bind_address:]port] [-E log_file] [-e escape_char]\n"
		"              [-F configfile]\n"
		"              [-O ctl_cmd] [-S ctl_path]\n"
		"              [-i identity_file] [-J destination] [-L address]\n"
		"              [-l login_name] [-m mac_spec] [-o option] [-p port]\n"
		"              [-Q query_option] [-R address] [-W host:port]\n"
		"              destination [command [argument ...]]\n");
}

struct args_state {
	int debug;  /* -v count, as ssh's debug_flag */
};

static int set_str_first(char **dst, const char *v)
{
	if (*dst != NULL)
		return 0;
	if ((*dst = mem_strdup(v)) == NULL)
		return ERR_ALLOC;
	return 0;
}

static int client_flag(struct client_config *c, struct args_state *st, char ch)
{
	switch (ch) {
	case '4': c->address_family = AF_INET; break;
	case '6': c->address_family = AF_INET6; break;
	/* -A / -a override ForwardAgent, as in ssh. */
	case 'A': c->forward_agent = 1; break;
	case 'a': c->forward_agent = 0; break;
	case 'C': c->compression = 1; break;
	/* -f implies -n, as in ssh. */
	case 'f': c->fork_after_auth = 1; c->stdin_null = 1; break;
	case 'g': c->gateway_ports = 1; break;
	case 'G': c->dump_config = 1; break;
	case 'M': return cfg_client_arg_control(c, 'M', NULL);
	case 'N': c->no_shell = 1; break;
	case 'n': c->stdin_null = 1; break;
	case 'q': c->log_level = LOG_QUIET; break;
	case 's': c->subsystem = 1; break; /* the command names a subsystem */
	case 'T': c->request_tty = REQUEST_TTY_NO; break;
	case 'x': break; /* no X11 forwarding: burrow never does it */
	case 'y': c->log_syslog = 1; break; /* ssh -y: log to syslog */
	case 't':
		c->request_tty = c->request_tty == REQUEST_TTY_YES ? REQUEST_TTY_FORCE :
			REQUEST_TTY_YES;
		break;
	case 'v':
		/* The first -v means DEBUG1 whatever was set; each further one adds a level. */
		if (st->debug == 0) {
			st->debug = 1;
			c->log_level = LOG_DEBUG1;
		} else if (c->log_level < LOG_DEBUG3) {
			st->debug++;
			c->log_level++;
		}
		break;
	default:
		return ERR_INVALID_ARG;
	}
	return 0;
}

/* -L: accumulates; a bad spec is fatal with ssh's message. */
static int arg_local_forward(struct client_config *c, const char *v)
{
	struct fwd_spec f;
	int r;

	if ((r = cfg_parse_fwd_spec(v, 0, &f)) != 0) {
		if (r != ERR_ALLOC)
			fprintf(stderr, "Bad local forwarding specification '%s'\n", v);
		return r;
	}
	if (c->n_local_forwards >= CFG_MAX_FORWARDS) {
		fprintf(stderr, "Too many local forwards (max %d)\n", CFG_MAX_FORWARDS);
		cfg_fwd_spec_free(&f);
		return ERR_TOO_LARGE;
	}
	c->local_forwards[c->n_local_forwards++] = f;
	return 0;
}

/* -R: accumulates; a bad spec is fatal with ssh's message. */
static int arg_remote_forward(struct client_config *c, const char *v)
{
	struct fwd_spec f;
	int r;

	if ((r = cfg_parse_fwd_spec(v, 1, &f)) != 0) {
		if (r != ERR_ALLOC)
			fprintf(stderr, "Bad remote forwarding specification '%s'\n", v);
		return r;
	}
	/* No target: remote dynamic forwarding (we answer SOCKS on its channels). */
	if (f.connect_host == NULL && f.connect_path == NULL && f.listen_path != NULL) {
		fprintf(stderr, "Bad remote forwarding specification '%s'\n", v);
		cfg_fwd_spec_free(&f);
		return ERR_FORMAT;
	}
	if (c->n_remote_forwards >= CFG_MAX_FORWARDS) {
		fprintf(stderr, "Too many remote forwards (max %d)\n", CFG_MAX_FORWARDS);
		cfg_fwd_spec_free(&f);
		return ERR_TOO_LARGE;
	}
	c->remote_forwards[c->n_remote_forwards++] = f;
	return 0;
}

/*
 * -W host:port (or a Unix socket path, then the port is -1). ssh parses it
 * as a dynamic forward's listen part; a lone port is refused here.
 */
static int arg_stdio_forward(struct client_config *c, const char *v)
{
	struct fwd_spec f;
	int r;

	if (c->stdio_forward_host != NULL) {
		fprintf(stderr, "stdio forward already specified\n");
		return ERR_INVALID_ARG;
	}
	if ((r = cfg_parse_fwd_spec(v, 1, &f)) == ERR_ALLOC)
		return r;
	if (r != 0 || f.connect_host != NULL || f.connect_path != NULL ||
	    (f.listen_path == NULL && (f.listen_host == NULL || f.listen_host[0] == '\0' ||
				       f.listen_port == 0))) {
		if (r == 0)
			cfg_fwd_spec_free(&f);
		fprintf(stderr, "Bad stdio forwarding specification '%s'\n", v);
		return ERR_FORMAT;
	}
	if (f.listen_path != NULL) {
		c->stdio_forward_host = f.listen_path;
		f.listen_path = NULL;
	} else {
		c->stdio_forward_host = f.listen_host;
		f.listen_host = NULL;
	}
	c->stdio_forward_port = f.listen_port;
	cfg_fwd_spec_free(&f);
	/* As ssh: no terminal for a stdio forward (a later -t still asks for one). */
	c->request_tty = REQUEST_TTY_NO;
	return 0;
}

/* -J: one only; it also stands for "ProxyCommand none" against later lines. */
static int arg_jump(struct client_config *c, const char *v)
{
	char *u = NULL, *h = NULL, *rest = NULL;
	int port, r;

	if (c->proxy_jump != NULL) {
		fprintf(stderr, "Only a single -J option is permitted "
			"(use commas to separate multiple jump hops)\n");
		return ERR_INVALID_ARG;
	}
	if (c->proxy_command_seen) {
		fprintf(stderr, "Cannot specify -J with ProxyCommand\n");
		return ERR_INVALID_ARG;
	}
	if (strcasecmp(v, "none") != 0) {
		if ((r = cfg_parse_jump(v, &u, &h, &port, &rest)) == ERR_ALLOC)
			return r;
		free(u);
		free(h);
		free(rest);
		if (r != 0) {
			fprintf(stderr, "Invalid -J argument\n");
			return ERR_FORMAT;
		}
	}
	if ((c->proxy_jump = mem_strdup(strcasecmp(v, "none") == 0 ? "none" : v)) == NULL)
		return ERR_ALLOC;
	c->proxy_command_seen = 1;
	return 0;
}

static int client_arg_flag(struct client_config *c, char ch, const char *v)
{
	int port, r;

	switch (ch) {
	/* -c / -m replace the list whatever came before, as ssh does. */
	case 'c':
		if (!cfg_alg_valid(CFG_ALG_CIPHER, v)) {
			fprintf(stderr, "Unknown cipher type '%s'\n", v);
			return ERR_FORMAT;
		}
		return cfg_replace_str(&c->ciphers, v);
	case 'm':
		/* ssh takes -m as a plain list: no +, - or ^ here. */
		if (v[0] == '+' || v[0] == '^' || !cfg_alg_valid(CFG_ALG_MAC, v)) {
			fprintf(stderr, "Unknown mac type '%s'\n", v);
			return ERR_FORMAT;
		}
		return cfg_replace_str(&c->macs, v);
	case 'Q':
		return cfg_replace_str(&c->query, v);
	case 'E':
		return cfg_replace_str(&c->log_file, v);
	case 'b':
	case 'D':
	case 'e':
		return cfg_client_arg_extra(c, ch, v);
	case 'O':
	case 'S':
		return cfg_client_arg_control(c, ch, v);
	case 'J':
		return arg_jump(c, v);
	case 'L':
		return arg_local_forward(c, v);
	case 'R':
		return arg_remote_forward(c, v);
	case 'W':
		return arg_stdio_forward(c, v);
	case 'F':
		free(c->config_file);
		if ((c->config_file = mem_strdup(v)) == NULL)
			return ERR_ALLOC;
		return 0;
	case 'i':
		if ((r = cfg_client_add_identity(c, v)) == ERR_TOO_LARGE)
			fprintf(stderr, "Too many identity files specified (max %d)\n",
				CFG_MAX_IDENTITIES);
		return r;
	case 'l':
		return set_str_first(&c->user, v);
	case 'o':
		return cfg_client_apply(c, v, "command-line");
	case 'p':
		if ((port = cfg_parse_port(v)) < 0) {
			fprintf(stderr, "Bad port '%s'\n", v);
			return ERR_FORMAT;
		}
		if (c->port == -1)
			c->port = port;
		return 0;
	default:
		return ERR_INVALID_ARG;
	}
}

/*
 * Options from argv[*idx] up to the first non-option, like a POSIX getopt
 * (no permutation). "--" is consumed and ends options for good.
 */
static int client_opts(struct client_config *c, struct args_state *st, int argc, char **argv,
		       int *idx, int *terminated)
{
	int r;

	while (*idx < argc) {
		const char *a = argv[*idx];

		if (a[0] != '-' || a[1] == '\0')
			break;
		/* -O status --json: burrow's own option of that control command. */
		if (strcmp(a, "--json") == 0 && c->control_command != NULL) {
			c->control_json = 1;
			(*idx)++;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			(*idx)++;
			*terminated = 1;
			break;
		}
		for (size_t j = 1; a[j] != '\0'; j++) {
			const char *v;

			if (strchr(CLIENT_FLAGS, a[j]) != NULL) {
				if ((r = client_flag(c, st, a[j])) != 0)
					return r;
				continue;
			}
			if (strchr(CLIENT_ARG_FLAGS, a[j]) == NULL) {
				fprintf(stderr, "unknown option -- %c\n", a[j]);
				client_usage();
				return ERR_INVALID_ARG;
			}
			if (a[j + 1] != '\0') {
				v = a + j + 1;
			} else if (*idx + 1 < argc) {
				v = argv[++*idx];
			} else {
				fprintf(stderr, "option requires an argument -- %c\n", a[j]);
				client_usage();
				return ERR_INVALID_ARG;
			}
			if ((r = client_arg_flag(c, a[j], v)) != 0)
				return r;
			/* ssh answers -Q at once, whatever follows. */
			if (a[j] == 'Q')
				return 0;
			break;
		}
		(*idx)++;
	}
	return 0;
}

/* A host name must be non-empty and free of blanks and control characters. */
int cfg_host_ok(const char *h, size_t n)
{
	if (n == 0 || h[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)h[i] <= ' ' || h[i] == 0x7f)
			return 0;
	return 1;
}

/*
 * ssh://[user@]host[:port][/] (draft-ietf-secsh-scp-sftp-ssh-uri); host may be
 * a bracketed IPv6 literal.
 */
int cfg_parse_ssh_uri(const char *s, char **user, char **host, int *port)
{
	const char *at, *h, *hend, *p, *end = s + strlen(s);
	char *u = NULL, *hh = NULL, num[8];
	int pt = -1, r = ERR_FORMAT;

	if (end > s && end[-1] == '/')
		end--;
	if (memchr(s, '/', (size_t)(end - s)) != NULL)
		return ERR_FORMAT; /* no path allowed */
	at = memchr(s, '@', (size_t)(end - s));
	h = s;
	if (at != NULL) {
		if (at == s || memchr(at + 1, '@', (size_t)(end - at - 1)) != NULL)
			return ERR_FORMAT;
		h = at + 1;
	}
	if (*h == '[') {
		if ((hend = memchr(h, ']', (size_t)(end - h))) == NULL)
			return ERR_FORMAT;
		p = hend + 1;
		h++;
	} else {
		hend = memchr(h, ':', (size_t)(end - h));
		if (hend == NULL)
			hend = end;
		p = hend;
	}
	if (!cfg_host_ok(h, (size_t)(hend - h)))
		return ERR_FORMAT;
	if (p < end) {
		size_t n = (size_t)(end - p - 1);

		if (*p != ':' || n == 0 || n >= sizeof(num))
			return ERR_FORMAT;
		memcpy(num, p + 1, n);
		num[n] = '\0';
		if ((pt = cfg_parse_port(num)) < 0)
			return ERR_FORMAT;
	}
	if (at != NULL && (u = strndup(s, (size_t)(at - s))) == NULL)
		return ERR_ALLOC;
	if ((hh = strndup(h, (size_t)(hend - h))) == NULL) {
		r = ERR_ALLOC;
		goto out;
	}
	*user = u;
	*host = hh;
	*port = pt;
	u = hh = NULL;
	r = 0;
out:
	free(u);
	free(hh);
	return r;
}

static int parse_destination(const char *d, char **user, char **host, int *port)
{
	const char *at, *h = d;
	char *u = NULL, *hh;

	if (strncasecmp(d, "ssh://", 6) == 0)
		return cfg_parse_ssh_uri(d + 6, user, host, port);
	/* user@host splits at the last '@': user names may contain '@'. */
	if ((at = strrchr(d, '@')) != NULL) {
		if (at == d)
			return ERR_FORMAT;
		h = at + 1;
	}
	if (!cfg_host_ok(h, strlen(h)))
		return ERR_FORMAT;
	if (at != NULL && (u = strndup(d, (size_t)(at - d))) == NULL)
		return ERR_ALLOC;
	if ((hh = strdup(h)) == NULL) {
		free(u);
		return ERR_ALLOC;
	}
	*user = u;
	*host = hh;
	*port = -1;
	return 0;
}

/* The remote command: the remaining words joined with single spaces, as ssh does. */
static int join_command(char **argv, int n, char **out)
{
	size_t len = 1, k = 0;
	char *s;

	for (int i = 0; i < n; i++)
		if (mem_add_size(len, strlen(argv[i]) + 1, &len) != 0)
			return ERR_TOO_LARGE;
	if ((s = malloc(len)) == NULL)
		return ERR_ALLOC;
	for (int i = 0; i < n; i++) {
		size_t l = strlen(argv[i]);

		if (i > 0)
			s[k++] = ' ';
		memcpy(s + k, argv[i], l);
		k += l;
	}
	s[k] = '\0';
	if (k == 0) {
		/* An empty command means a shell, as with no command at all. */
		free(s);
		s = NULL;
	}
	*out = s;
	return 0;
}

int cfg_client_parse_args(struct client_config *c, int argc, char **argv)
{
	struct args_state st = { 0 };
	char *user = NULL, *host = NULL, *cmd = NULL;
	int idx = 1, terminated = 0, port = -1, r;

	if ((r = client_opts(c, &st, argc, argv, &idx, &terminated)) != 0 || c->query != NULL)
		goto out;
	if (idx >= argc) {
		client_usage();
		r = ERR_INVALID_ARG;
		goto out;
	}
	if ((r = parse_destination(argv[idx], &user, &host, &port)) != 0) {
		if (r == ERR_FORMAT) {
			client_usage();
			r = ERR_INVALID_ARG;
		}
		goto out;
	}
	idx++;
	/* The destination's user and port count as given here, first value wins. */
	if (user != NULL && (r = set_str_first(&c->user, user)) != 0)
		goto out;
	if (port != -1 && c->port == -1)
		c->port = port;
	/* Like ssh, options may follow the destination until the first command word. */
	if (!terminated && ((r = client_opts(c, &st, argc, argv, &idx, &terminated)) != 0 ||
			    c->query != NULL))
		goto out;
	if ((r = join_command(argv + idx, argc - idx, &cmd)) != 0)
		goto out;
	free(c->host);
	c->host = host;
	host = NULL;
	free(c->command);
	c->command = cmd;
	r = 0;
out:
	free(user);
	free(host);
	return r;
}
