/* burrowd's main process: configuration, host keys, listeners, one child per connection. */
#include "server/server.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/sd_notify.h"
#include "net/tcp.h"
#include "util/err.h"
#include "util/log.h"

#define MAX_LISTENERS 64

static volatile sig_atomic_t got_sigchld, got_term, got_usr1;
/* Self-pipe: a signal between the flag checks and poll() still wakes poll(). */
static int sig_pipe[2] = { -1, -1 };

static void on_signal(int sig)
{
	int saved = errno;

	if (sig == SIGCHLD)
		got_sigchld = 1;
	else if (sig == SIGUSR1)
		got_usr1 = 1;
	else
		got_term = 1;
	if (sig_pipe[1] >= 0 && write(sig_pipe[1], "", 1) < 0)
		(void)0; /* full: poll() wakes anyway */
	errno = saved;
}

/*
 * Connection children, so SIGUSR1 reaches exactly them (not sessions'
 * processes, for which SIGUSR1 would be fatal). A child past the table's
 * end is served but left out of dumps.
 */
#define MAX_CHILDREN 4096
static pid_t children[MAX_CHILDREN];
static int n_children;

static void child_add(pid_t pid)
{
	if (n_children < MAX_CHILDREN)
		children[n_children++] = pid;
}

static void child_reaped(pid_t pid)
{
	for (int i = 0; i < n_children; i++)
		if (children[i] == pid) {
			children[i] = children[--n_children];
			return;
		}
}

/* Outside the handler: ask every connection process to log what it forwards. */
static void dump_children(void)
{
	log_info("Received SIGUSR1; %d connection%s to report.", n_children,
		 n_children == 1 ? "" : "s");
	for (int i = 0; i < n_children; i++)
		kill(children[i], SIGUSR1);
}

static int dir_writable(const char *path)
{
	char dir[4096];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == NULL)
		return access(".", W_OK) == 0;
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	return access(dir, W_OK) == 0;
}

/* sshd's default HostKey files (scfg_finish() lists only the first when none is configured). */
static const char *const default_host_keys[] = {
	"/etc/ssh/ssh_host_ed25519_key",
	"/etc/ssh/ssh_host_ecdsa_key",
	"/etc/ssh/ssh_host_rsa_key",
};

/* The type ssh-keygen -A gives a host key file, by its name (unknown: ed25519). */
static enum key_type host_key_type(const char *path, const char **label)
{
	const char *base = strrchr(path, '/');

	base = base != NULL ? base + 1 : path;
	if (strstr(base, "ecdsa") != NULL) {
		*label = "ECDSA";
		return KEY_ECDSA_P256;
	}
	if (strstr(base, "rsa") != NULL && strstr(base, "ed25519") == NULL) {
		*label = "RSA";
		return KEY_RSA;
	}
	*label = "ED25519";
	return KEY_ED25519;
}

/* Load one host key; create it when missing and create is set and its directory writable. */
static int load_host_key(const char *path, int create, struct key **out)
{
	struct key *k = NULL;
	char fp[KEY_FP_MAX];
	const char *label;
	int r;

	if (create && access(path, F_OK) != 0 && errno == ENOENT && dir_writable(path)) {
		if ((r = key_generate(host_key_type(path, &label), &k)) != 0 ||
		    (r = key_save_private(k, path, "burrowd host key")) != 0) {
			log_error("Could not create host key %s: %s", path, err_str(r));
			key_free(k);
			return r;
		}
		key_fingerprint(k, fp, sizeof(fp));
		log_info("Generated new %s host key %s (%s)", label, path, fp);
	} else if ((r = key_load_private(path, &k, NULL)) != 0) {
		log_error("Unable to load host key: %s: %s", path, err_str(r));
		return r;
	}
	*out = k;
	return 0;
}

/*
 * Load each HostKey, creating missing ones (like ssh-keygen -A). With no
 * HostKey lines, like sshd: every default key file that exists, and only
 * when none does, a new ed25519 key.
 */
static int load_host_keys(const struct server_config *cfg, struct key **keys, size_t *n)
{
	int defaults = cfg->n_host_keys == 1 && strcmp(cfg->host_keys[0], default_host_keys[0]) == 0;

	*n = 0;
	if (defaults) {
		for (size_t i = 0; i < sizeof(default_host_keys) / sizeof(default_host_keys[0]); i++)
			if (access(default_host_keys[i], F_OK) == 0 &&
			    load_host_key(default_host_keys[i], 0, &keys[*n]) == 0)
				(*n)++;
		if (*n == 0 && load_host_key(default_host_keys[0], 1, &keys[*n]) == 0)
			(*n)++;
	}
	for (int i = 0; !defaults && i < cfg->n_host_keys && *n < SCFG_MAX_LIST; i++)
		if (load_host_key(cfg->host_keys[i], 1, &keys[*n]) == 0)
			(*n)++;
	if (*n == 0) {
		log_error("burrowd: no hostkeys available -- exiting.");
		return ERR_NOT_FOUND;
	}
	return 0;
}

/* Split "addr", "addr:port" or "[addr]:port"; port stays as given when absent. */
static void split_listen(const char *spec, char *host, size_t hostlen, int *port)
{
	const char *colon;

	if (spec[0] == '[') {
		const char *end = strchr(spec, ']');
		size_t len = end != NULL ? (size_t)(end - spec - 1) : strlen(spec + 1);

		snprintf(host, hostlen, "%.*s", (int)len, spec + 1);
		if (end != NULL && end[1] == ':')
			*port = atoi(end + 2);
		return;
	}
	colon = strchr(spec, ':');
	if (colon != NULL && strchr(colon + 1, ':') == NULL) {
		snprintf(host, hostlen, "%.*s", (int)(colon - spec), spec);
		*port = atoi(colon + 1);
	} else {
		snprintf(host, hostlen, "%s", spec);
	}
}

static int open_listeners(const struct server_config *cfg, int *fds, int *nfds)
{
	char err[256], host[256];

	*nfds = 0;
	for (int p = 0; p < cfg->n_ports; p++) {
		int nl = cfg->n_listen_addresses > 0 ? cfg->n_listen_addresses : 1;

		for (int a = 0; a < nl; a++) {
			int port = cfg->ports[p], got = 0;

			host[0] = '\0';
			if (cfg->n_listen_addresses > 0) {
				split_listen(cfg->listen_addresses[a], host, sizeof(host), &port);
				/* An address with its own port is opened once, not per Port. */
				if (port != cfg->ports[p] && p > 0)
					continue;
			}
			if (net_listen_tcp(host, port, AF_UNSPEC, fds + *nfds, MAX_LISTENERS - *nfds,
					   &got, err, sizeof(err)) != 0) {
				log_error("%s", err[0] != '\0' ? err : "Cannot bind any address.");
				continue;
			}
			for (int i = 0; i < got; i++) {
				char desc[128];

				net_peer_desc(fds[*nfds + i], 1, desc, sizeof(desc));
				log_info("Server listening on %s.", desc);
			}
			*nfds += got;
		}
	}
	if (*nfds == 0) {
		log_error("Cannot bind any address.");
		return ERR_SYSTEM;
	}
	return 0;
}

/* systemd Type=notify: ready once every listener is bound; no child inherits the socket. */
static void notify_ready(void)
{
	char path[108], msg[64];
	const char *p = getenv("NOTIFY_SOCKET");

	if (p == NULL || *p == '\0')
		return;
	snprintf(path, sizeof(path), "%s", p);
	unsetenv("NOTIFY_SOCKET");
	snprintf(msg, sizeof(msg), "READY=1\nMAINPID=%ld", (long)getpid());
	if (net_sd_notify(path, msg) < 0)
		log_error("readiness notification to %s failed", path);
}

static void write_pid_file(const char *path)
{
	FILE *f;

	if (path == NULL || strcmp(path, "none") == 0)
		return;
	if ((f = fopen(path, "w")) == NULL) {
		log_error("Couldn't create pid file \"%s\": %s", path, strerror(errno));
		return;
	}
	fprintf(f, "%ld\n", (long)getpid());
	fclose(f);
}

static void serve(const struct server_config *cfg, int *fds, int nfds, struct key **keys,
		  size_t nkeys)
{
	struct pollfd pfd[MAX_LISTENERS + 1];

	for (int i = 0; i < nfds; i++) {
		pfd[i].fd = fds[i];
		pfd[i].events = POLLIN;
	}
	pfd[nfds].fd = sig_pipe[0];
	pfd[nfds].events = POLLIN;
	pfd[nfds].revents = 0;
	while (!got_term) {
		int r = poll(pfd, (nfds_t)nfds + (sig_pipe[0] >= 0), -1);
		char drain[64];

		if (sig_pipe[0] >= 0 && (pfd[nfds].revents & POLLIN) != 0)
			while (read(sig_pipe[0], drain, sizeof(drain)) > 0)
				;

		if (got_sigchld) {
			pid_t dead;

			got_sigchld = 0;
			while ((dead = waitpid(-1, NULL, WNOHANG)) > 0)
				child_reaped(dead);
		}
		if (got_usr1) {
			got_usr1 = 0;
			dump_children();
		}
		if (r <= 0)
			continue;
		for (int i = 0; i < nfds; i++) {
			pid_t pid;
			int c;

			if ((pfd[i].revents & POLLIN) == 0)
				continue;
			if ((c = accept4(fds[i], NULL, NULL, SOCK_CLOEXEC)) < 0)
				continue;
			net_set_nodelay(c);
			if ((pid = fork()) < 0) {
				log_error("fork: %s", strerror(errno));
				close(c);
				continue;
			}
			if (pid == 0) {
				for (int j = 0; j < nfds; j++)
					close(fds[j]);
				close(sig_pipe[0]);
				close(sig_pipe[1]);
				sig_pipe[0] = sig_pipe[1] = -1;
				signal(SIGCHLD, SIG_DFL);
				signal(SIGTERM, SIG_DFL);
				signal(SIGINT, SIG_DFL);
				signal(SIGHUP, SIG_DFL);
				/* SIGUSR1 keeps the inherited flag-only handler until libevent's replaces it. */
				server_conn_run(c, cfg, keys, nkeys);
			}
			child_add(pid);
			close(c);
		}
	}
}

/*
 * burrowd -i: the connection is stdin and stdout. One socket (as inetd or
 * socat give) is used as it is; two different descriptors (pipes) are
 * joined to one end of a socketpair by a relay child.
 */
static void relay_copy(int from, int to)
{
	char buf[16384];
	ssize_t n;

	while ((n = read(from, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR)) {
		for (ssize_t off = 0; n > 0 && off < n;) {
			ssize_t w = write(to, buf + off, (size_t)(n - off));

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return;
			off += w;
		}
	}
}

static int inetd_fd(void)
{
	struct stat a, b;
	int sp[2];
	pid_t pid;

	if (fstat(0, &a) == 0 && fstat(1, &b) == 0 && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino && S_ISSOCK(a.st_mode))
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) != 0)
		return 0;
	if ((pid = fork()) == 0) {
		close(sp[0]);
		if (fork() == 0) {
			relay_copy(0, sp[1]);
			shutdown(sp[1], SHUT_WR);
			_exit(0);
		}
		close(0);
		relay_copy(sp[1], 1);
		_exit(0);
	}
	close(sp[1]);
	if (pid < 0) {
		close(sp[0]);
		return 0;
	}
	return sp[0];
}

/*
 * HostCertificate: each certificate goes with the host key it certifies,
 * as an extra host key (the private key presenting as the certificate), so
 * both the plain and the certificate algorithms are offered, as sshd does.
 */
static void attach_host_certs(const struct server_config *cfg, struct key **keys, size_t *n)
{
	size_t nplain = *n;

	for (int i = 0; i < cfg->n_host_certificates && *n < SCFG_MAX_LIST; i++) {
		const char *path = cfg->host_certificates[i];
		struct key *cert = NULL, *k = NULL;
		size_t j;
		int r;

		if ((r = key_load_public(path, &cert, NULL)) != 0 || !key_is_cert(cert)) {
			log_error("Could not load host certificate \"%s\": %s", path,
				  r != 0 ? err_str(r) : "not a certificate");
			key_free(cert);
			continue;
		}
		for (j = 0; j < nplain; j++)
			if (key_dup(keys[j], &k) == 0 && key_cert_attach(k, cert) == 0)
				break;
			else {
				key_free(k);
				k = NULL;
			}
		if (k == NULL) {
			log_error("No matching private key for certificate: %s", path);
		} else {
			log_debug("host certificate: #%zu type %s %s", *n, key_type_name(k), path);
			keys[(*n)++] = k;
		}
		key_free(cert);
	}
}

int server_main(int argc, char **argv)
{
	struct server_config cfg;
	struct key *keys[SCFG_MAX_LIST];
	size_t nkeys = 0;
	int fds[MAX_LISTENERS], nfds = 0, status = 1;
	struct sigaction sa;

	log_init("burrowd", LOG_INFO);
	scfg_init(&cfg);
	/* A bad configuration exits 255, as sshd (and sshd -t) does. */
	if (scfg_configure(&cfg, argc, argv) != 0) {
		status = 255;
		goto out;
	}
	log_set_level((enum log_level)cfg.log_level);
	if (cfg.log_file != NULL && log_set_file(cfg.log_file) != 0) {
		fprintf(stderr, "burrowd: cannot open log file %s: %s\n", cfg.log_file, strerror(errno));
		goto out;
	}
	if (cfg.log_file == NULL && !cfg.log_stderr && !cfg.test_only && !cfg.dump_config)
		log_set_syslog(1);
	if (cfg.dump_config) {
		scfg_dump(&cfg);
		status = 0;
		goto out;
	}
	if (load_host_keys(&cfg, keys, &nkeys) != 0)
		goto out;
	attach_host_certs(&cfg, keys, &nkeys);
	if (cfg.test_only) {
		status = 0;
		goto out;
	}
	if (cfg.inetd_mode) {
		/* sshd -i: inetd hands over the connected socket as stdin and stdout. */
		signal(SIGPIPE, SIG_IGN);
		server_conn_run(inetd_fd(), &cfg, keys, nkeys);
		status = 0;
		goto out;
	}
	if (open_listeners(&cfg, fds, &nfds) != 0)
		goto out;
	if (!cfg.no_daemon && daemon(0, 0) != 0) {
		log_error("daemon() failed: %s", strerror(errno));
		goto out;
	}
	write_pid_file(cfg.pid_file);
	notify_ready();
	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
		sig_pipe[0] = sig_pipe[1] = -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	serve(&cfg, fds, nfds, keys, nkeys);
	log_info("Received signal; terminating.");
	if (cfg.pid_file != NULL && strcmp(cfg.pid_file, "none") != 0)
		unlink(cfg.pid_file);
	status = 0;
out:
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
	for (size_t i = 0; i < nkeys; i++)
		key_free(keys[i]);
	scfg_free(&cfg);
	return status;
}
