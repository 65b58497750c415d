/* authorized_keys: options, quoting, malformed lines, unsupported options, whole files. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../check.h"
#include "auth/authkeys.h"
#include "util/err.h"
#include "util/log.h"
#include "wire/buf.h"

static char ka[256], kb[256], kc[256], krsa[1024]; /* "type base64" of the test keys */
static struct key *key_a, *key_b, *key_c;
static char tmpdir[] = "/tmp/burrow-authkeys-XXXXXX";

static void load(const char *name, char *line, size_t cap, struct key **k)
{
	char path[512], *nl;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", AUTH_TEST_DATA, name);
	f = fopen(path, "r");
	CHECK(f != NULL);
	if (f == NULL)
		exit(1);
	CHECK(fgets(line, (int)cap, f) != NULL);
	fclose(f);
	if ((nl = strchr(line, '\n')) != NULL)
		*nl = '\0';
	/* keep "type base64", drop the comment */
	if ((nl = strchr(line, ' ')) != NULL && (nl = strchr(nl + 1, ' ')) != NULL)
		*nl = '\0';
	if (k != NULL)
		CHECK_INT(key_load_public(path, k, NULL), 0);
}

/* Parse "<opts> <key a> comment"; returns the error code, *o set on success. */
static int parse(const char *opts, const char *keyline, struct authkey_opts **o)
{
	char line[20000];
	struct key *k = NULL;
	int r;

	snprintf(line, sizeof(line), "%s%s%s the comment", opts, *opts ? " " : "", keyline);
	*o = NULL;
	r = authkeys_parse_line(line, &k, o);
	if (r == 0) {
		CHECK(k != NULL && *o != NULL);
		key_free(k);
	}
	return r;
}

static void test_plain(void)
{
	struct authkey_opts *o = NULL;
	struct key *k = NULL;
	char line[512];

	snprintf(line, sizeof(line), "%s user@host", ka);
	CHECK_INT(authkeys_parse_line(line, &k, &o), 0);
	CHECK(k != NULL && key_equal(k, key_a));
	CHECK(!key_equal(k, key_b));
	CHECK(o != NULL);
	if (o != NULL) {
		CHECK_INT(o->restrict_all + o->no_port_forwarding + o->no_pty +
			  o->no_agent_forwarding + o->no_x11_forwarding + o->no_user_rc +
			  o->unsupported, 0);
		CHECK(o->command == NULL && o->from == NULL && o->permitopen == NULL);
	}
	key_free(k);
	authkey_opts_free(o);

	/* no comment, leading whitespace, CRLF */
	k = NULL;
	o = NULL;
	snprintf(line, sizeof(line), "  \t%s\r\n", kb);
	CHECK_INT(authkeys_parse_line(line, &k, &o), 0);
	CHECK(k != NULL && key_equal(k, key_b));
	key_free(k);
	authkey_opts_free(o);

	k = NULL;
	o = NULL;
	CHECK_INT(authkeys_parse_line("", &k, &o), ERR_NOT_FOUND);
	CHECK_INT(authkeys_parse_line("   \t ", &k, &o), ERR_NOT_FOUND);
	CHECK_INT(authkeys_parse_line("# ssh-ed25519 AAAA", &k, &o), ERR_NOT_FOUND);
	CHECK_INT(authkeys_parse_line("   #comment", &k, &o), ERR_NOT_FOUND);
	CHECK_INT(authkeys_parse_line("\r\n", &k, &o), ERR_NOT_FOUND);
	CHECK(k == NULL && o == NULL);
}

static void test_flags(void)
{
	struct authkey_opts *o;

	CHECK_INT(parse("no-port-forwarding,no-pty,no-agent-forwarding,no-X11-forwarding,no-user-rc",
			ka, &o), 0);
	if (o != NULL) {
		CHECK_INT(o->restrict_all, 0);
		CHECK_INT(o->no_port_forwarding, 1);
		CHECK_INT(o->no_pty, 1);
		CHECK_INT(o->no_agent_forwarding, 1);
		CHECK_INT(o->no_x11_forwarding, 1);
		CHECK_INT(o->no_user_rc, 1);
		CHECK_INT(o->unsupported, 0);
	}
	authkey_opts_free(o);

	CHECK_INT(parse("no-pty", ka, &o), 0);
	if (o != NULL) {
		CHECK_INT(o->no_pty, 1);
		CHECK_INT(o->no_port_forwarding, 0);
	}
	authkey_opts_free(o);

	/* restrict alone: everything off */
	CHECK_INT(parse("restrict", ka, &o), 0);
	if (o != NULL) {
		CHECK_INT(o->restrict_all, 1);
		CHECK_INT(o->no_port_forwarding + o->no_pty + o->no_agent_forwarding +
			  o->no_x11_forwarding + o->no_user_rc, 5);
		CHECK_INT(o->unsupported, 0);
	}
	authkey_opts_free(o);

	/* restrict then an enabling form */
	CHECK_INT(parse("restrict,port-forwarding", ka, &o), 0);
	if (o != NULL) {
		CHECK_INT(o->restrict_all, 1);
		CHECK_INT(o->no_port_forwarding, 0);
		CHECK_INT(o->no_pty + o->no_agent_forwarding + o->no_x11_forwarding + o->no_user_rc, 4);
	}
	authkey_opts_free(o);

	CHECK_INT(parse("restrict,pty,agent-forwarding,X11-forwarding,user-rc", ka, &o), 0);
	if (o != NULL) {
		CHECK_INT(o->no_port_forwarding, 1);
		CHECK_INT(o->no_pty + o->no_agent_forwarding + o->no_x11_forwarding + o->no_user_rc, 0);
	}
	authkey_opts_free(o);

	/* left to right: a later restrict wins */
	CHECK_INT(parse("port-forwarding,restrict", ka, &o), 0);
	if (o != NULL)
		CHECK_INT(o->no_port_forwarding, 1);
	authkey_opts_free(o);

	/* names are case-insensitive */
	CHECK_INT(parse("NO-PTY,Restrict,Port-Forwarding,x11-FORWARDING", ka, &o), 0);
	if (o != NULL) {
		CHECK_INT(o->restrict_all, 1);
		CHECK_INT(o->no_pty, 1);
		CHECK_INT(o->no_port_forwarding, 0);
		CHECK_INT(o->no_x11_forwarding, 0);
	}
	authkey_opts_free(o);
}

/* An option that parses but makes the key unusable; returns the opts for more checks. */
static struct authkey_opts *unsupported(const char *opts, const char *name)
{
	struct authkey_opts *o = NULL;

	CHECK_INT(parse(opts, ka, &o), 0);
	if (o == NULL)
		return NULL;
	CHECK_INT(o->unsupported, 1);
	CHECK(o->unsupported_name != NULL && strcmp(o->unsupported_name, name) == 0);
	if (o->unsupported_name != NULL && strcmp(o->unsupported_name, name) != 0)
		fprintf(stderr, "  %s: got %s, want %s\n", opts, o->unsupported_name, name);
	return o;
}

/* An option we enforce (here or in src/policy): parsed, and the key stays usable. */
static struct authkey_opts *supported(const char *opts)
{
	struct authkey_opts *o = NULL;

	CHECK_INT(parse(opts, ka, &o), 0);
	if (o == NULL)
		return NULL;
	if (o->unsupported)
		fprintf(stderr, "  %s: unexpectedly unsupported (%s)\n", opts, o->unsupported_name);
	CHECK_INT(o->unsupported, 0);
	CHECK(o->unsupported_name == NULL);
	return o;
}

static void test_values(void)
{
	struct authkey_opts *o;

	o = supported("command=\"echo \\\"hi\\\" there\"");
	if (o != NULL)
		CHECK_STR(o->command, "echo \"hi\" there");
	authkey_opts_free(o);

	/* a backslash not before a quote stays */
	o = supported("command=\"a\\\\b\\n\"");
	if (o != NULL)
		CHECK_STR(o->command, "a\\\\b\\n");
	authkey_opts_free(o);

	o = supported("command=\"\"");
	if (o != NULL)
		CHECK_STR(o->command, "");
	authkey_opts_free(o);

	o = supported("no-pty,from=\"*.example.com,!bad.example.com\"");
	if (o != NULL) {
		CHECK_STR(o->from, "*.example.com,!bad.example.com");
		CHECK_INT(o->no_pty, 1);
	}
	authkey_opts_free(o);

	o = supported("permitopen=\"host.example:22\",permitopen=\"[::1]:80\",PermitOpen=\"*:*\"");
	if (o != NULL && o->permitopen != NULL) {
		CHECK_STR(o->permitopen[0], "host.example:22");
		CHECK_STR(o->permitopen[1], "[::1]:80");
		CHECK_STR(o->permitopen[2], "*:*");
		CHECK(o->permitopen[3] == NULL);
	} else {
		CHECK(0);
	}
	authkey_opts_free(o);

	o = supported("restrict,permitlisten=\"8080\",permitlisten=\"localhost:9000\"");
	if (o != NULL && o->permitlisten != NULL) {
		CHECK_STR(o->permitlisten[0], "8080");
		CHECK_STR(o->permitlisten[1], "localhost:9000");
		CHECK(o->permitlisten[2] == NULL);
		CHECK_INT(o->restrict_all, 1);
	} else {
		CHECK(0);
	}
	authkey_opts_free(o);

	o = unsupported("environment=\"LANG=C with space\",environment=\"X_1=\"", "environment");
	if (o != NULL && o->environment != NULL) {
		CHECK_STR(o->environment[0], "LANG=C with space");
		CHECK_STR(o->environment[1], "X_1=");
		CHECK(o->environment[2] == NULL);
	} else {
		CHECK(0);
	}
	authkey_opts_free(o);

	/* the first unsupported option is the one named; enforceable ones are kept */
	o = unsupported("from=\"10.0.0.1\",command=\"true\",tunnel=\"1\",environment=\"A=b\"",
			"tunnel");
	if (o != NULL) {
		CHECK_STR(o->command, "true");
		CHECK_STR(o->from, "10.0.0.1");
	}
	authkey_opts_free(o);

	/* expiry-time: local time, or UTC with Z; the earliest of several wins */
	o = supported("expiry-time=\"20300101\"");
	if (o != NULL) {
		struct tm tm = { .tm_year = 130, .tm_mon = 0, .tm_mday = 1, .tm_isdst = -1 };

		CHECK_INT(o->expiry, mktime(&tm));
	}
	authkey_opts_free(o);
	o = supported("expiry-time=\"203001011200Z\"");
	if (o != NULL)
		CHECK_INT(o->expiry, 1893499200); /* date -u -d 2030-01-01T12:00:00Z +%s */
	authkey_opts_free(o);
	o = supported("expiry-time=\"20300101120005Z\",expiry-time=\"20291231Z\"");
	if (o != NULL)
		CHECK_INT(o->expiry, 1893369600); /* 2029-12-31T00:00:00Z */
	authkey_opts_free(o);
	o = supported("expiry-time=\"19700102000000Z\"");
	if (o != NULL)
		CHECK_INT(o->expiry, 86400);
	authkey_opts_free(o);
	o = supported("no-pty");
	if (o != NULL)
		CHECK_INT(o->expiry, 0);
	authkey_opts_free(o);
	authkey_opts_free(unsupported("tunnel=\"0\"", "tunnel"));
	authkey_opts_free(unsupported("cert-authority,principals=\"alice,bob\"", "cert-authority"));
	authkey_opts_free(unsupported("principals=\"alice\"", "principals"));
	authkey_opts_free(unsupported("no-touch-required", "no-touch-required"));
	authkey_opts_free(unsupported("verify-required", "verify-required"));

	/* whitespace inside quotes belongs to the value; a tab may separate the key */
	{
		struct authkey_opts *q = NULL;
		struct key *k = NULL;
		char line[512];

		snprintf(line, sizeof(line), "command=\"a  b\tc\"\t%s", kc);
		CHECK_INT(authkeys_parse_line(line, &k, &q), 0);
		CHECK(k != NULL && key_equal(k, key_c));
		if (q != NULL)
			CHECK_STR(q->command, "a  b\tc");
		key_free(k);
		authkey_opts_free(q);
	}
}

static void test_malformed(void)
{
	static const char *const bad[] = {
		"foo",                       /* unknown option */
		"no-pty,foo",
		"no-pty=\"x\"",              /* flag with a value */
		"command",                   /* value missing */
		"command=true",              /* value not quoted */
		"command=\"unterminated",
		"no-pty,,restrict",          /* empty option */
		",no-pty",
		"no-pty,",                   /* trailing comma */
		"command=\"x\"y",            /* junk after the value */
		"permitopen=\"nohostport\"",
		"permitopen=\"host:99999\"",
		"permitopen=\"host:0\"",
		"permitopen=\":22\"",
		"permitopen=\"[::1:22\"",
		"permitlisten=\"host:port\"",
		"permitlisten=\"0\"",          /* sshd: port 0 is not a permission */
		"permitlisten=\"host:0\"",
		"permitlisten=\"70000\"",
		"permitlisten=\"\"",
		"permitopen=\"host\"",
		"permitopen=\"host:\"",
		"permitopen=\"host:22x\"",
		"permitopen=\"::1:22\"",       /* IPv6 needs brackets */
		"environment=\"=x\"",
		"environment=\"NOVALUE\"",
		"environment=\"A-B=1\"",
		"expiry-time=\"2030\"",
		"expiry-time=\"2030010a\"",
		"expiry-time=\"20301301\"",    /* month 13 */
		"expiry-time=\"20300132\"",
		"expiry-time=\"203001012400\"",
		"expiry-time=\"203001011261\"",
		"expiry-time=\"19600101\"",
		"expiry-time=\"2030010112\"",  /* hours without minutes */
		"expiry-time=\"20300101ZZ\"",
		"tunnel=\"x\"",
		"tunnel=\"\"",
		"from=\"\"",
		"principals=\"\"",
		"command=\"a\",command=\"b\"", /* only one command */
		"from=\"a\",from=\"b\"",
	};
	struct authkey_opts *o;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = parse(bad[i], ka, &o);

		if (r != ERR_FORMAT)
			fprintf(stderr, "  should be malformed: %s (got %d)\n", bad[i], r);
		CHECK_INT(r, ERR_FORMAT);
		CHECK(o == NULL);
		authkey_opts_free(o);
	}

	{
		struct authkey_opts *q = NULL;
		struct key *k = NULL;
		char line[2048];

		/* whitespace may not separate options */
		snprintf(line, sizeof(line), "no-pty ,restrict %s", ka);
		CHECK_INT(authkeys_parse_line(line, &k, &q), ERR_FORMAT);
		snprintf(line, sizeof(line), "no-pty, restrict %s", ka);
		CHECK_INT(authkeys_parse_line(line, &k, &q), ERR_FORMAT);
		/* options without a key, a key without base64, bad base64 */
		CHECK_INT(authkeys_parse_line("no-pty", &k, &q), ERR_FORMAT);
		CHECK_INT(authkeys_parse_line("no-pty ", &k, &q), ERR_FORMAT);
		CHECK_INT(authkeys_parse_line("ssh-ed25519", &k, &q), ERR_FORMAT);
		CHECK_INT(authkeys_parse_line("ssh-ed25519 !!!notbase64 c", &k, &q), ERR_FORMAT);
		CHECK_INT(authkeys_parse_line("restrict ssh-ed25519 AAAA", &k, &q), ERR_FORMAT);
		/* RSA keys parse, with or without options */
		CHECK_INT(authkeys_parse_line(krsa, &k, &q), 0);
		key_free(k);
		authkey_opts_free(q);
		k = NULL;
		q = NULL;
		/* key types we do not implement are not "unknown options" (blob: string "ssh-dss") */
		CHECK_INT(authkeys_parse_line("ssh-dss AAAAB3NzaC1kc3M=", &k, &q), ERR_KEY_TYPE);
		CHECK_INT(authkeys_parse_line("restrict ssh-dss AAAAB3NzaC1kc3M=", &k, &q), ERR_KEY_TYPE);
		/* the type name must match the blob */
		snprintf(line, sizeof(line), "ssh-ed25519 %s", strchr(krsa, ' ') + 1);
		CHECK(authkeys_parse_line(line, &k, &q) < 0);
		CHECK(k == NULL && q == NULL);
	}
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (f == NULL)
		return;
	fputs(text, f);
	fclose(f);
}

static int file_contains(const char *path, const char *needle)
{
	static char text[65536];
	size_t n;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return 0;
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	return strstr(text, needle) != NULL;
}

static void test_check_file(void)
{
	char path[256], logpath[256], needle[512];
	struct authkey_opts *o = NULL;
	struct buf b;

	snprintf(path, sizeof(path), "%s/authorized_keys", tmpdir);
	snprintf(logpath, sizeof(logpath), "%s/log", tmpdir);
	CHECK_INT(log_set_file(logpath), 0);
	log_set_level(LOG_DEBUG1);

	buf_init(&b);
	/* line 1: comment; 2: key A on a line longer than 16 KiB; 3: A with a bad option;
	 * 4: B with environment= (unsupported); 5: C with no-pty; 6: C again with restrict */
	buf_put(&b, "# keys\n", 7);
	buf_put(&b, ka, strlen(ka));
	buf_put_u8(&b, ' ');
	for (int i = 0; i < 17000; i++)
		buf_put_u8(&b, 'x');
	buf_put_u8(&b, '\n');
	buf_put(&b, "bogus-option ", 13);
	buf_put(&b, ka, strlen(ka));
	buf_put(&b, "\nenvironment=\"A=1\" ", strlen("\nenvironment=\"A=1\" "));
	buf_put(&b, kb, strlen(kb));
	buf_put(&b, " bee\r\nno-pty ", 13);
	buf_put(&b, kc, strlen(kc));
	buf_put(&b, "\nrestrict ", 10);
	buf_put(&b, kc, strlen(kc));
	buf_put(&b, "\n\0", 2);
	write_file(path, (const char *)buf_ptr(&b));
	buf_free(&b);

	CHECK_INT(authkeys_check_file(path, key_a, &o), ERR_NOT_FOUND);
	CHECK(o == NULL);
	CHECK_INT(authkeys_check_file(path, key_b, &o), ERR_PERMISSION);
	CHECK(o == NULL);
	CHECK_INT(authkeys_check_file(path, key_c, &o), 0);
	CHECK(o != NULL);
	if (o != NULL) {
		CHECK_INT(o->no_pty, 1);
		CHECK_INT(o->restrict_all, 0); /* the first matching line wins */
	}
	authkey_opts_free(o);
	o = NULL;

	snprintf(needle, sizeof(needle),
		 "authorized_keys %s:4: option environment is not supported yet; key refused", path);
	CHECK(file_contains(logpath, needle));
	snprintf(needle, sizeof(needle), "%s:3: bad key options: unknown option", path);
	CHECK(file_contains(logpath, needle));
	snprintf(needle, sizeof(needle), "%s:2: line too long", path);
	CHECK(file_contains(logpath, needle));

	/* an unsupported line does not hide a later usable one; a line of exactly 16 KiB is read */
	buf_init(&b);
	buf_put(&b, "tunnel=\"0\" ", 11);
	buf_put(&b, kb, strlen(kb));
	buf_put(&b, "\nrestrict,port-forwarding ", 26);
	buf_put(&b, kb, strlen(kb));
	buf_put(&b, "\n", 1);
	{
		size_t start = buf_len(&b);

		buf_put(&b, ka, strlen(ka));
		buf_put_u8(&b, ' ');
		while (buf_len(&b) - start < 16 * 1024)
			buf_put_u8(&b, 'y');
	}
	buf_put(&b, "\0", 1); /* no final newline */
	write_file(path, (const char *)buf_ptr(&b));
	buf_free(&b);
	CHECK_INT(authkeys_check_file(path, key_b, &o), 0);
	if (o != NULL) {
		CHECK_INT(o->restrict_all, 1);
		CHECK_INT(o->no_port_forwarding, 0);
		CHECK(o->command == NULL);
	}
	authkey_opts_free(o);
	o = NULL;
	CHECK_INT(authkeys_check_file(path, key_a, &o), 0);
	authkey_opts_free(o);
	o = NULL;
	CHECK_INT(authkeys_check_file(path, key_c, &o), ERR_NOT_FOUND);

	/* NUL bytes: a line holding one is skipped, and an overlong line with an early NUL
	 * cannot smuggle its tail in as a line of its own */
	buf_init(&b);
	buf_put(&b, "# x\0y\n", 6);
	buf_put(&b, kb, strlen(kb));
	buf_put(&b, "\0 trailing\n", 11);
	for (int i = 0; i < 16 * 1024 + 1; i++)
		buf_put_u8(&b, i == 3 ? '\0' : '#');
	buf_put(&b, kc, strlen(kc));
	buf_put(&b, "\n", 1);
	{
		FILE *f = fopen(path, "w");

		CHECK(f != NULL);
		if (f != NULL) {
			CHECK_INT(fwrite(buf_ptr(&b), 1, buf_len(&b), f), buf_len(&b));
			fclose(f);
		}
	}
	buf_free(&b);
	CHECK_INT(authkeys_check_file(path, key_b, &o), ERR_NOT_FOUND);
	CHECK_INT(authkeys_check_file(path, key_c, &o), ERR_NOT_FOUND);
	CHECK(o == NULL);

	snprintf(path, sizeof(path), "%s/missing", tmpdir);
	CHECK_INT(authkeys_check_file(path, key_a, &o), ERR_NOT_FOUND);
	CHECK(o == NULL);
	log_set_file(NULL);
}

/* from= and expiry-time against the client and the clock (authkeys_check_file_for). */
static void test_check_file_for(void)
{
	char path[256], logpath[256], text[4096];
	struct authkey_opts *o = NULL;
	const time_t now = 1893456000; /* 2030-01-01T00:00:00Z */

	snprintf(path, sizeof(path), "%s/authorized_keys_for", tmpdir);
	snprintf(logpath, sizeof(logpath), "%s/log_for", tmpdir);
	CHECK_INT(log_set_file(logpath), 0);
	log_set_level(LOG_INFO);
	/* A: from= with CIDR and a negated address and name; B: expired then valid;
	 * C: a bad CIDR list (host bits set) refuses rather than allows */
	snprintf(text, sizeof(text),
		 "from=\"10.0.0.0/8,!10.1.2.3,192.0.2.7,*.good.example,!evil.good.example\" %s\n"
		 "expiry-time=\"20291231235959Z\",no-pty %s\n"
		 "expiry-time=\"20300101000001Z\",restrict %s\n"
		 "from=\"10.0.0.1/8\" %s\n"
		 "from=\"2001:db8::/32,::1\" %s\n",
		 ka, kb, kb, kc, kc);
	write_file(path, text);

	static const struct {
		const char *addr, *host;
		int want_a;
	} from_table[] = {
		{ "10.9.8.7", NULL, 0 },
		{ "10.255.255.255", "10.255.255.255", 0 },
		{ "10.1.2.3", NULL, ERR_PERMISSION },           /* negated address */
		{ "10.1.2.4", NULL, 0 },
		{ "11.0.0.1", NULL, ERR_PERMISSION },
		{ "192.0.2.7", NULL, 0 },
		{ "192.0.2.8", NULL, ERR_PERMISSION },
		{ "203.0.113.5", "host.good.example", 0 },      /* by name */
		{ "203.0.113.5", "HOST.Good.Example", 0 },      /* names ignore case */
		{ "203.0.113.5", "evil.good.example", ERR_PERMISSION }, /* negated name */
		{ "10.2.2.2", "evil.good.example", ERR_PERMISSION },    /* negation wins */
		{ "203.0.113.5", "good.example", ERR_PERMISSION },
		{ "::1", NULL, ERR_PERMISSION },
		{ "2001:db8::1", NULL, ERR_PERMISSION },
	};
	for (size_t i = 0; i < sizeof(from_table) / sizeof(from_table[0]); i++) {
		int r = authkeys_check_file_for(path, key_a, from_table[i].addr, from_table[i].host,
						now, &o);

		if (r != from_table[i].want_a)
			fprintf(stderr, "  from= %s/%s: got %d\n", from_table[i].addr,
				from_table[i].host ? from_table[i].host : "-", r);
		CHECK_INT(r, from_table[i].want_a);
		if (r == 0) {
			CHECK(o != NULL && o->from != NULL);
			authkey_opts_free(o);
		} else {
			CHECK(o == NULL);
		}
		o = NULL;
	}
	/* without the client's address (the old entry point), from= cannot allow */
	CHECK_INT(authkeys_check_file(path, key_a, &o), ERR_PERMISSION);
	CHECK(o == NULL);
	/* the log names the user, the host and the address, as sshd does */
	CHECK_INT(authkeys_check_file_user(path, "alice", key_a, "10.1.2.3", "h.example", now, &o),
		  ERR_PERMISSION);
	CHECK(file_contains(logpath, "Authentication tried for alice with correct key but not "
				     "from a permitted host (host=h.example, ip=10.1.2.3)."));
	CHECK(file_contains(logpath, "(host=11.0.0.1, ip=11.0.0.1)."));

	/* expiry: the expired line is skipped, the later one (expires a second after now) used */
	CHECK_INT(authkeys_check_file_for(path, key_b, "10.0.0.1", NULL, now, &o), 0);
	if (o != NULL) {
		CHECK_INT(o->restrict_all, 1);
		CHECK_INT(o->expiry, now + 1);
	}
	authkey_opts_free(o);
	o = NULL;
	/* at exactly the expiry second the key still works; after it, nothing is left */
	CHECK_INT(authkeys_check_file_for(path, key_b, "10.0.0.1", NULL, now + 1, &o), 0);
	authkey_opts_free(o);
	o = NULL;
	CHECK_INT(authkeys_check_file_for(path, key_b, "10.0.0.1", NULL, now + 2, &o),
		  ERR_PERMISSION);
	CHECK(o == NULL);
	/* long before: the first (no-pty) line is still valid and wins */
	CHECK_INT(authkeys_check_file_for(path, key_b, "10.0.0.1", NULL, now - 86400, &o), 0);
	if (o != NULL) {
		CHECK_INT(o->restrict_all, 0);
		CHECK_INT(o->no_pty, 1);
	}
	authkey_opts_free(o);
	o = NULL;
	snprintf(text, sizeof(text), "authorized_keys %s:2: key for", path);
	CHECK(file_contains(logpath, text));
	CHECK(file_contains(logpath, "expired at 2029-12-31T23:59:59Z; key refused"));

	/* C: the malformed from= list refuses even the address it names; the next line allows v6 */
	CHECK_INT(authkeys_check_file_for(path, key_c, "10.0.0.1", NULL, now, &o), ERR_PERMISSION);
	CHECK_INT(authkeys_check_file_for(path, key_c, "2001:db8:1::5", NULL, now, &o), 0);
	authkey_opts_free(o);
	o = NULL;
	CHECK_INT(authkeys_check_file_for(path, key_c, "::1", NULL, now, &o), 0);
	authkey_opts_free(o);
	o = NULL;
	CHECK_INT(authkeys_check_file_for(path, key_c, "2001:db9::1", NULL, now, &o),
		  ERR_PERMISSION);
	log_set_file(NULL);
}

int main(void)
{
	char cmd[300];

	CHECK(mkdtemp(tmpdir) != NULL);
	load("key_a.pub", ka, sizeof(ka), &key_a);
	load("key_b.pub", kb, sizeof(kb), &key_b);
	load("key_c.pub", kc, sizeof(kc), &key_c);
	load("key_rsa.pub", krsa, sizeof(krsa), NULL);
	if (key_a == NULL || key_b == NULL || key_c == NULL)
		CHECK_DONE();

	test_plain();
	test_flags();
	test_values();
	test_malformed();
	test_check_file();
	test_check_file_for();

	key_free(key_a);
	key_free(key_b);
	key_free(key_c);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	CHECK_INT(system(cmd), 0);
	CHECK_DONE();
}
