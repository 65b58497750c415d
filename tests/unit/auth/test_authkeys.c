/* authorized_keys: options, quoting, malformed lines, unsupported options, whole files. */
#include <stdlib.h>
#include <string.h>
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

static void test_values(void)
{
	struct authkey_opts *o;

	o = unsupported("command=\"echo \\\"hi\\\" there\"", "command");
	if (o != NULL)
		CHECK_STR(o->command, "echo \"hi\" there");
	authkey_opts_free(o);

	/* a backslash not before a quote stays */
	o = unsupported("command=\"a\\\\b\\n\"", "command");
	if (o != NULL)
		CHECK_STR(o->command, "a\\\\b\\n");
	authkey_opts_free(o);

	o = unsupported("command=\"\"", "command");
	if (o != NULL)
		CHECK_STR(o->command, "");
	authkey_opts_free(o);

	o = unsupported("no-pty,from=\"*.example.com,!bad.example.com\"", "from");
	if (o != NULL) {
		CHECK_STR(o->from, "*.example.com,!bad.example.com");
		CHECK_INT(o->no_pty, 1);
	}
	authkey_opts_free(o);

	o = unsupported("permitopen=\"host.example:22\",permitopen=\"[::1]:80\",PermitOpen=\"*:*\"",
			"permitopen");
	if (o != NULL && o->permitopen != NULL) {
		CHECK_STR(o->permitopen[0], "host.example:22");
		CHECK_STR(o->permitopen[1], "[::1]:80");
		CHECK_STR(o->permitopen[2], "*:*");
		CHECK(o->permitopen[3] == NULL);
	} else {
		CHECK(0);
	}
	authkey_opts_free(o);

	o = unsupported("restrict,permitlisten=\"8080\",permitlisten=\"localhost:9000\"",
			"permitlisten");
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

	/* the first unsupported option is the one named */
	o = unsupported("from=\"10.0.0.1\",command=\"true\"", "from");
	if (o != NULL) {
		CHECK_STR(o->command, "true");
		CHECK_STR(o->from, "10.0.0.1");
	}
	authkey_opts_free(o);

	authkey_opts_free(unsupported("expiry-time=\"20300101\"", "expiry-time"));
	authkey_opts_free(unsupported("expiry-time=\"203001011200Z\"", "expiry-time"));
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
		"environment=\"=x\"",
		"environment=\"NOVALUE\"",
		"environment=\"A-B=1\"",
		"expiry-time=\"2030\"",
		"expiry-time=\"2030010a\"",
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
		/* key types we do not implement are not "unknown options" */
		CHECK_INT(authkeys_parse_line(krsa, &k, &q), ERR_KEY_TYPE);
		snprintf(line, sizeof(line), "restrict %s", krsa);
		CHECK_INT(authkeys_parse_line(line, &k, &q), ERR_KEY_TYPE);
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
	 * 4: B with from= (unsupported); 5: C with no-pty; 6: C again with restrict */
	buf_put(&b, "# keys\n", 7);
	buf_put(&b, ka, strlen(ka));
	buf_put_u8(&b, ' ');
	for (int i = 0; i < 17000; i++)
		buf_put_u8(&b, 'x');
	buf_put_u8(&b, '\n');
	buf_put(&b, "bogus-option ", 13);
	buf_put(&b, ka, strlen(ka));
	buf_put(&b, "\nfrom=\"10.0.0.1\" ", 17);
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
		 "authorized_keys %s:4: option from is not supported yet; key refused", path);
	CHECK(file_contains(logpath, needle));
	snprintf(needle, sizeof(needle), "%s:3: bad key options: unknown option", path);
	CHECK(file_contains(logpath, needle));
	snprintf(needle, sizeof(needle), "%s:2: line too long", path);
	CHECK(file_contains(logpath, needle));

	/* an unsupported line does not hide a later usable one; a line of exactly 16 KiB is read */
	buf_init(&b);
	buf_put(&b, "command=\"ls\" ", 13);
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

	key_free(key_a);
	key_free(key_b);
	key_free(key_c);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	CHECK_INT(system(cmd), 0);
	CHECK_DONE();
}
