/*
 * Certificates in the auth layer, with ssh-keygen making the CA and the
 * certificates: known_hosts @cert-authority (and the fallback to the plain
 * key), and TrustedUserCAKeys checks of user certificates with their
 * critical options and extensions.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../check.h"
#include "../crypto/test_key_util.h"
#include "auth/authcert.h"
#include "auth/knownhosts.h"
#include "util/err.h"

#ifndef AUTH_SSH_KEYGEN
#define AUTH_SSH_KEYGEN "ssh-keygen"
#endif

static char dir[] = "/tmp/burrow-auth-cert-XXXXXX";

static const char *p(const char *name)
{
	static char bufs[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(bufs[i], sizeof(bufs[i]), "%s/%s", dir, name);
	return bufs[i];
}

static void make_key(const char *name, const char *type)
{
	CHECK(tk_sh("'%s' -q -t %s -N '' -C '' -f '%s' </dev/null", AUTH_SSH_KEYGEN, type, p(name)) == 0);
}

/* Sign dir/key.pub with dir/ca and load dir/key-cert.pub. */
static struct key *cert(const char *ca, const char *key, const char *opts)
{
	struct key *k = NULL;
	char path[600];

	CHECK(tk_sh("'%s' -q -s '%s' %s '%s.pub' </dev/null 2>/dev/null", AUTH_SSH_KEYGEN, p(ca), opts,
		 p(key)) == 0);
	snprintf(path, sizeof(path), "%s-cert.pub", p(key));
	CHECK(key_load_public(path, &k, NULL) == 0);
	return k;
}

static struct key *pub(const char *name)
{
	struct key *k = NULL;
	char path[600];

	snprintf(path, sizeof(path), "%s.pub", p(name));
	CHECK(key_load_public(path, &k, NULL) == 0);
	return k;
}

/* known_hosts = the given lines, each "marker hosts KEYNAME" with KEYNAME's .pub appended. */
static void write_kh(const char *lines)
{
	FILE *f = fopen(p("known_hosts"), "w");
	char line[256];
	const char *s = lines;

	CHECK(f != NULL);
	if (f == NULL)
		return;
	while (*s != '\0') {
		size_t n = strcspn(s, "\n");
		char *last, path[600], keyline[4096];
		FILE *kf;

		snprintf(line, sizeof(line), "%.*s", (int)n, s);
		s += n + (s[n] == '\n');
		last = strrchr(line, ' ');
		*last++ = '\0';
		snprintf(path, sizeof(path), "%s.pub", p(last));
		kf = fopen(path, "r");
		CHECK(kf != NULL);
		if (kf == NULL || fgets(keyline, sizeof(keyline), kf) == NULL)
			keyline[0] = '\0';
		if (kf != NULL)
			fclose(kf);
		fprintf(f, "%s %s", line, keyline);
	}
	fclose(f);
}

static enum kh_result kh(const char *host, unsigned port, const struct key *k, const char *algs)
{
	enum kh_result res = (enum kh_result)-1;

	CHECK_INT(kh_check_ca(p("known_hosts"), host, port, k, algs, &res, NULL), 0);
	return res;
}

static void test_known_hosts(void)
{
	struct key *hc, *plain, *expired, *usercert, *rsacert;

	make_key("ca", "ed25519");
	make_key("ca2", "ed25519");
	make_key("carsa", "rsa");
	make_key("host", "ed25519");
	plain = pub("host");
	hc = cert("ca", "host", "-h -I hostcert -n host.example.com,10.0.0.1 -V -1d:+1d");
	expired = cert("ca", "host", "-h -I old -n host.example.com -V 20200101:20200201");
	usercert = cert("ca", "host", "-I user -n host.example.com");
	rsacert = cert("carsa", "host", "-h -I rsa -n host.example.com");
	if (hc == NULL || plain == NULL || expired == NULL || usercert == NULL || rsacert == NULL)
		goto out;

	write_kh("@cert-authority *.example.com,[10.0.0.1]:2222 ca\n"
		 "@cert-authority *.example.com carsa\n");
	CHECK_INT(kh("host.example.com", 22, hc, NULL), KH_MATCH);
	/* Principal is the host name; the pattern names the port form. */
	CHECK_INT(kh("10.0.0.1", 2222, hc, NULL), KH_MATCH);
	CHECK_INT(kh("10.0.0.1", 22, hc, NULL), KH_NOT_FOUND);
	/* Listed CA, but not a principal: the plain key is not known either. */
	CHECK_INT(kh("other.example.com", 22, hc, NULL), KH_NOT_FOUND);
	CHECK_INT(kh("host.example.com", 22, expired, NULL), KH_NOT_FOUND);
	CHECK_INT(kh("host.example.com", 22, usercert, NULL), KH_NOT_FOUND);
	/* The plain key itself is not vouched for by a CA line. */
	CHECK_INT(kh("host.example.com", 22, plain, NULL), KH_NOT_FOUND);
	/* CASignatureAlgorithms: rsa-sha2-512 CA signature allowed by default, not by a narrow list. */
	CHECK_INT(kh("host.example.com", 22, rsacert, NULL), KH_MATCH);
	CHECK_INT(kh("host.example.com", 22, rsacert, "ssh-ed25519"), KH_NOT_FOUND);
	CHECK_INT(kh("host.example.com", 22, hc, "ssh-ed25519"), KH_MATCH);

	/* Untrusted CA: falls back to the plain key, as ssh does. */
	write_kh("@cert-authority *.example.com ca2\n"
		 "host.example.com host\n");
	CHECK_INT(kh("host.example.com", 22, hc, NULL), KH_MATCH);
	CHECK_INT(kh("host.example.com", 22, expired, NULL), KH_MATCH);
	write_kh("@cert-authority *.example.com ca2\n"
		 "host.example.com ca2\n");
	CHECK_INT(kh("host.example.com", 22, hc, NULL), KH_CHANGED);

	/* A revoked CA, or a revoked host key, wins over the CA line. */
	write_kh("@cert-authority *.example.com ca\n"
		 "@revoked * ca\n");
	CHECK_INT(kh("host.example.com", 22, hc, NULL), KH_REVOKED);
	write_kh("@cert-authority *.example.com ca\n"
		 "@revoked * host\n");
	CHECK_INT(kh("host.example.com", 22, hc, NULL), KH_REVOKED);
	/* kh_check (no list given) behaves the same. */
	write_kh("@cert-authority * ca\n");
	{
		enum kh_result res = KH_NOT_FOUND;

		CHECK(kh_check(p("known_hosts"), "any.host", 22, hc, &res, NULL) == 0);
		CHECK_INT(res, KH_NOT_FOUND); /* any.host is not a principal */
		CHECK(kh_check(p("known_hosts"), "host.example.com", 22, hc, &res, NULL) == 0);
		CHECK_INT(res, KH_MATCH);
	}
	/* kh_add of a certificate writes the certified key. */
	CHECK(unlink(p("known_hosts")) == 0);
	CHECK_INT(kh_add(p("known_hosts"), "new.host", 22, hc, 0), 0);
	CHECK_INT(kh("new.host", 22, plain, NULL), KH_MATCH);
	CHECK_INT(kh("new.host", 22, hc, NULL), KH_MATCH);
	CHECK(tk_sh("grep -q '^new.host ssh-ed25519 ' '%s'", p("known_hosts")) == 0);
out:
	key_free(hc);
	key_free(plain);
	key_free(expired);
	key_free(usercert);
	key_free(rsacert);
}

static int user_check(const struct key *c, const char *user, const char *addr,
		      const char *algs, struct authkey_opts **opts)
{
	*opts = NULL;
	return authcert_check_user(p("trusted_ca"), algs, c, user, addr, time(NULL), opts);
}

static void test_user_certs(void)
{
	struct authkey_opts *o = NULL;
	struct key *c;

	make_key("user", "ed25519");
	CHECK(tk_sh("cat '%s.pub' '%s.pub' > '%s'", p("ca2"), p("ca"), p("trusted_ca")) == 0);

	c = cert("ca", "user", "-I alice-id -n alice,admin -V -5m:+5m -z 7");
	CHECK_INT(user_check(c, "alice", "127.0.0.1", NULL, &o), 0);
	CHECK(o != NULL && o->command == NULL && !o->no_port_forwarding && !o->no_pty &&
	      !o->no_agent_forwarding && !o->no_x11_forwarding && !o->no_user_rc);
	authkey_opts_free(o);
	CHECK_INT(user_check(c, "admin", "127.0.0.1", NULL, &o), 0);
	authkey_opts_free(o);
	CHECK_INT(user_check(c, "bob", "127.0.0.1", NULL, &o), ERR_PERMISSION);
	CHECK(o == NULL);
	/* CA not listed / no file / "none" */
	CHECK(tk_sh("cat '%s.pub' > '%s'", p("ca2"), p("trusted_ca")) == 0);
	CHECK_INT(user_check(c, "alice", "127.0.0.1", NULL, &o), ERR_NOT_FOUND);
	CHECK_INT(authcert_check_user(NULL, NULL, c, "alice", "127.0.0.1", time(NULL), &o),
		  ERR_NOT_FOUND);
	CHECK_INT(authcert_check_user("none", NULL, c, "alice", "127.0.0.1", time(NULL), &o),
		  ERR_NOT_FOUND);
	CHECK(tk_sh("printf '# CAs\\n\\n' > '%s'; cat '%s.pub' '%s.pub' >> '%s'", p("trusted_ca"),
		 p("carsa"), p("ca"), p("trusted_ca")) == 0);
	CHECK_INT(user_check(c, "alice", "127.0.0.1", NULL, &o), 0);
	authkey_opts_free(o);
	/* CASignatureAlgorithms */
	CHECK_INT(user_check(c, "alice", "127.0.0.1", "rsa-sha2-512", &o), ERR_PERMISSION);
	key_free(c);

	c = cert("ca", "user", "-I old -n alice -V 20200101:20200201");
	CHECK_INT(user_check(c, "alice", "127.0.0.1", NULL, &o), ERR_PERMISSION);
	key_free(c);
	c = cert("ca", "user", "-h -I hostcert -n alice");
	CHECK_INT(user_check(c, "alice", "127.0.0.1", NULL, &o), ERR_PERMISSION);
	key_free(c);
	c = cert("ca", "user", "-I noprinc");
	CHECK_INT(user_check(c, "alice", "127.0.0.1", NULL, &o), ERR_PERMISSION);
	key_free(c);

	/* Critical options and extensions. */
	c = cert("ca", "user", "-I opts -n alice -O force-command=/bin/echo\\ hi "
			       "-O source-address=10.0.0.0/8,127.0.0.1 -O no-port-forwarding -O no-pty");
	CHECK_INT(user_check(c, "alice", "127.0.0.1", NULL, &o), 0);
	CHECK(o != NULL && o->command != NULL && strcmp(o->command, "/bin/echo hi") == 0);
	CHECK(o != NULL && o->no_port_forwarding && o->no_pty && !o->no_agent_forwarding);
	authkey_opts_free(o);
	CHECK_INT(user_check(c, "alice", "10.9.8.7", NULL, &o), 0);
	authkey_opts_free(o);
	CHECK_INT(user_check(c, "alice", "192.168.1.1", NULL, &o), ERR_PERMISSION);
	CHECK_INT(user_check(c, "alice", NULL, NULL, &o), ERR_PERMISSION);
	key_free(c);
	c = cert("ca", "user", "-I unk -n alice -O critical:unknown-option@example.com=x");
	CHECK_INT(user_check(c, "alice", "127.0.0.1", NULL, &o), ERR_PERMISSION);
	key_free(c);
	/* -O clear: every permit-* extension off */
	c = cert("ca", "user", "-I clear -n alice -O clear");
	CHECK_INT(user_check(c, "alice", "127.0.0.1", NULL, &o), 0);
	CHECK(o != NULL && o->no_port_forwarding && o->no_pty && o->no_agent_forwarding &&
	      o->no_x11_forwarding && o->no_user_rc);
	authkey_opts_free(o);
	key_free(c);
	/* The CA file check on its own. */
	c = pub("ca");
	CHECK(authcert_key_in_file(p("trusted_ca"), c));
	key_free(c);
	c = pub("ca2");
	CHECK(!authcert_key_in_file(p("trusted_ca"), c));
	key_free(c);
}

int main(void)
{
	CHECK(mkdtemp(dir) != NULL);
	test_known_hosts();
	test_user_certs();
	tk_sh("rm -rf '%s'", dir);
	CHECK_DONE();
}
