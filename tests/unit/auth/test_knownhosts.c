/*
 * known_hosts: plain entries, patterns, negation, [host]:port, hashed
 * entries made by `ssh-keygen -H` (data/known_hosts.hashed from
 * data/known_hosts.tohash), markers, and kh_add round trips checked with
 * `ssh-keygen -F` as an oracle.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../check.h"
#include "auth/knownhosts.h"
#include "util/err.h"
#include "util/log.h"

static struct key *key_a, *key_b, *key_c;
static char tmpdir[] = "/tmp/burrow-knownhosts-XXXXXX";

static struct key *load(const char *name)
{
	char path[512];
	struct key *k = NULL;

	snprintf(path, sizeof(path), "%s/%s", AUTH_TEST_DATA, name);
	CHECK_INT(key_load_public(path, &k, NULL), 0);
	return k;
}

static void expect_at(const char *file, const char *host, unsigned port, const struct key *k,
		      enum kh_result want, unsigned long want_line, int lineno)
{
	char path[512];
	struct kh_match_info info = { NULL, 0 };
	enum kh_result got = (enum kh_result)-1;
	int r;

	if (file[0] == '/')
		snprintf(path, sizeof(path), "%s", file);
	else
		snprintf(path, sizeof(path), "%s/%s", AUTH_TEST_DATA, file);
	r = kh_check(path, host, port, k, &got, &info);
	if (r != 0 || got != want || (want_line != 0 && info.line != want_line)) {
		fprintf(stderr, "%s:%d: %s %s port %u: r=%d result %d (want %d) line %lu (want %lu)\n",
			__FILE__, lineno, file, host, port, r, (int)got, (int)want, info.line,
			want_line);
		check_failures++;
	}
	if (r == 0 && want != KH_NOT_FOUND) {
		CHECK(info.file != NULL && strcmp(info.file, path) == 0);
	}
	if (r == 0 && want == KH_NOT_FOUND)
		CHECK(info.file == NULL);
	kh_info_free(&info);
}
#define EXPECT(file, host, port, k, want, line) \
	expect_at(file, host, port, k, want, line, __LINE__)

static void test_patterns(void)
{
	CHECK_INT(kh_match_pattern_list("host.example.com", "host.example.com"), 1);
	CHECK_INT(kh_match_pattern_list("HOST.Example.com", "host.example.COM"), 1);
	CHECK_INT(kh_match_pattern_list("host.example.com", "other,host.example.com"), 1);
	CHECK_INT(kh_match_pattern_list("host.example.com", "*.example.com"), 1);
	CHECK_INT(kh_match_pattern_list("example.com", "*.example.com"), 0);
	CHECK_INT(kh_match_pattern_list("host.example.com", "*"), 1);
	CHECK_INT(kh_match_pattern_list("host1", "host?"), 1);
	CHECK_INT(kh_match_pattern_list("host12", "host?"), 0);
	CHECK_INT(kh_match_pattern_list("a.b.c", "*.*"), 1);
	CHECK_INT(kh_match_pattern_list("abcbcd", "a*bcd"), 1);
	CHECK_INT(kh_match_pattern_list("abcbce", "a*bcd"), 0);
	CHECK_INT(kh_match_pattern_list("x", "**?**"), 1);
	CHECK_INT(kh_match_pattern_list("", "*"), 1);
	CHECK_INT(kh_match_pattern_list("", "?"), 0);
	CHECK_INT(kh_match_pattern_list("bad.example.com", "*.example.com,!bad.example.com"), -1);
	CHECK_INT(kh_match_pattern_list("bad.example.com", "!bad.example.com,*.example.com"), -1);
	CHECK_INT(kh_match_pattern_list("good.example.com", "*.example.com,!bad.example.com"), 1);
	CHECK_INT(kh_match_pattern_list("good.example.com", "!bad.example.com"), 0);
	CHECK_INT(kh_match_pattern_list("[h]:2222", "[h]:2222"), 1);
	CHECK_INT(kh_match_pattern_list("[h]:2222", "[h]:22*"), 1);
	CHECK_INT(kh_match_pattern_list("h", ""), 0);
	CHECK_INT(kh_match_pattern_list("h", ",,h,"), 1);
	CHECK_INT(kh_match_pattern_list("h", "!"), 0);

	{
		char *n = kh_host_name("Host.Example", 22);

		CHECK(n != NULL && strcmp(n, "host.example") == 0);
		free(n);
		n = kh_host_name("host", 2222);
		CHECK(n != NULL && strcmp(n, "[host]:2222") == 0);
		free(n);
		n = kh_host_name("::1", 830);
		CHECK(n != NULL && strcmp(n, "[::1]:830") == 0);
		free(n);
	}
}

static void test_plain(void)
{
	const char *f = "known_hosts.plain";

	EXPECT(f, "alpha.example.com", 22, key_a, KH_MATCH, 2);
	EXPECT(f, "ALPHA.Example.COM", 22, key_a, KH_MATCH, 2);
	EXPECT(f, "192.0.2.1", 22, key_a, KH_MATCH, 2);
	EXPECT(f, "alpha.example.com", 22, key_b, KH_CHANGED, 2);
	/* the port form is a different name */
	EXPECT(f, "alpha.example.com", 2222, key_b, KH_MATCH, 5);
	EXPECT(f, "alpha.example.com", 2222, key_a, KH_CHANGED, 5);
	EXPECT(f, "alpha.example.com", 2223, key_a, KH_NOT_FOUND, 0);
	EXPECT(f, "beta.example.com", 22, key_a, KH_NOT_FOUND, 0);
	/* wildcards */
	EXPECT(f, "x.wild.example", 22, key_b, KH_MATCH, 3);
	EXPECT(f, "x.y.wild.example", 22, key_a, KH_CHANGED, 3);
	EXPECT(f, "wild.example", 22, key_b, KH_NOT_FOUND, 0);
	EXPECT(f, "x.wild.example", 2222, key_b, KH_NOT_FOUND, 0);
	EXPECT(f, "h.port.example", 8080, key_c, KH_MATCH, 6);
	EXPECT(f, "h.port.example", 8180, key_c, KH_NOT_FOUND, 0);
	EXPECT(f, "h.port.example", 22, key_c, KH_NOT_FOUND, 0);
	/* negation excludes the line */
	EXPECT(f, "good.neg.example", 22, key_a, KH_MATCH, 4);
	EXPECT(f, "bad.neg.example", 22, key_a, KH_NOT_FOUND, 0);
	EXPECT(f, "bad.neg.example", 22, key_b, KH_NOT_FOUND, 0);
	/* a key of another type is not a conflict */
	EXPECT(f, "rsaonly.example", 22, key_a, KH_NOT_FOUND, 0);
	EXPECT(f, "changed.example", 22, key_a, KH_CHANGED, 8);
	/* revoked beats a plain line with the same key; a revoked other key is no conflict */
	EXPECT(f, "revoked.example", 22, key_c, KH_REVOKED, 9);
	EXPECT(f, "revoked.example", 22, key_a, KH_CHANGED, 10);
	/* cert-authority lines are skipped for now */
	EXPECT(f, "alpha.example.com", 22, key_c, KH_CHANGED, 2);
	EXPECT(f, "zzz.example.com", 22, key_c, KH_NOT_FOUND, 0);
	/* a match anywhere wins over a conflicting line */
	EXPECT(f, "multi.example", 22, key_a, KH_MATCH, 13);
	EXPECT(f, "multi.example", 22, key_b, KH_MATCH, 12);
	EXPECT(f, "multi.example", 22, key_c, KH_CHANGED, 12);
	/* names in the file compare case-insensitively */
	EXPECT(f, "mixed.case.example", 22, key_a, KH_MATCH, 14);
	/* unknown markers and malformed lines are skipped */
	EXPECT(f, "unknown.example", 22, key_a, KH_NOT_FOUND, 0);
	EXPECT(f, "malformed.example", 22, key_a, KH_NOT_FOUND, 0);
	/* a missing file is simply not found */
	EXPECT("no-such-file", "alpha.example.com", 22, key_a, KH_NOT_FOUND, 0);
}

static void test_hashed(void)
{
	const char *f = "known_hosts.hashed";

	EXPECT(f, "alpha.example.com", 22, key_a, KH_MATCH, 1);
	EXPECT(f, "Alpha.Example.Com", 22, key_a, KH_MATCH, 1);
	EXPECT(f, "192.0.2.1", 22, key_a, KH_MATCH, 2);
	EXPECT(f, "alpha.example.com", 22, key_b, KH_CHANGED, 1);
	EXPECT(f, "alpha.example.com", 2222, key_b, KH_MATCH, 3);
	EXPECT(f, "alpha.example.com", 2222, key_a, KH_CHANGED, 3);
	EXPECT(f, "alpha.example.co", 22, key_a, KH_NOT_FOUND, 0);
	EXPECT(f, "192.0.2.2", 22, key_a, KH_NOT_FOUND, 0);
	EXPECT(f, "rsaonly.example", 22, key_a, KH_NOT_FOUND, 0);
	EXPECT(f, "changed.example", 22, key_a, KH_CHANGED, 5);
	EXPECT(f, "changed.example", 22, key_b, KH_MATCH, 5);
	EXPECT(f, "revoked.example", 22, key_c, KH_REVOKED, 6);
	EXPECT(f, "multi.example", 22, key_a, KH_MATCH, 8);
	EXPECT(f, "multi.example", 22, key_c, KH_CHANGED, 7);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

/* `ssh-keygen -F name -f path` exit status: 0 when it finds the host. */
static int keygen_finds(const char *name, const char *path)
{
#ifdef AUTH_SSH_KEYGEN
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "'%s' -F '%s' -f '%s' >/dev/null 2>&1", AUTH_SSH_KEYGEN, name,
		 path);
	return system(cmd) == 0;
#else
	(void)name;
	(void)path;
	return -1;
#endif
}

static void test_add(void)
{
	char path[512], text[4096];
	struct stat st;
	FILE *f;
	size_t n;

	/* creates the missing parent directory (0700) and the file (0600) */
	snprintf(path, sizeof(path), "%s/dotssh/known_hosts", tmpdir);
	CHECK_INT(kh_add(path, "Host.Example", 22, key_a, 0), 0);
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 0777, 0600);
	snprintf(text, sizeof(text), "%s/dotssh", tmpdir);
	CHECK_INT(stat(text, &st), 0);
	CHECK_INT(st.st_mode & 0777, 0700);
	CHECK_INT(kh_add(path, "host.example", 2222, key_b, 0), 0);
	CHECK_INT(kh_add(path, "hashed.example", 22, key_b, 1), 0);
	CHECK_INT(kh_add(path, "hashed.example", 8022, key_c, 1), 0);
	CHECK_INT(kh_add(path, "::1", 22, key_c, 0), 0);

	f = fopen(path, "r");
	CHECK(f != NULL);
	n = f != NULL ? fread(text, 1, sizeof(text) - 1, f) : 0;
	text[n] = '\0';
	if (f != NULL)
		fclose(f);
	CHECK(strncmp(text, "host.example ssh-ed25519 AAAA", 29) == 0);
	CHECK(strstr(text, "\n[host.example]:2222 ssh-ed25519 AAAA") != NULL);
	CHECK(strstr(text, "\n|1|") != NULL);
	CHECK(strstr(text, "hashed") == NULL);
	CHECK(strstr(text, "\n::1 ssh-ed25519 ") != NULL);
	CHECK(n > 0 && text[n - 1] == '\n');

	EXPECT(path, "host.example", 22, key_a, KH_MATCH, 1);
	EXPECT(path, "HOST.example", 22, key_b, KH_CHANGED, 1);
	EXPECT(path, "host.example", 2222, key_b, KH_MATCH, 2);
	EXPECT(path, "hashed.example", 22, key_b, KH_MATCH, 3);
	EXPECT(path, "hashed.example", 22, key_a, KH_CHANGED, 3);
	EXPECT(path, "hashed.example", 8022, key_c, KH_MATCH, 4);
	EXPECT(path, "hashed.example", 8023, key_c, KH_NOT_FOUND, 0);
	EXPECT(path, "::1", 22, key_c, KH_MATCH, 5);

	/* ssh-keygen finds what we wrote, plain and hashed */
#ifdef AUTH_SSH_KEYGEN
	CHECK_INT(keygen_finds("host.example", path), 1);
	CHECK_INT(keygen_finds("[host.example]:2222", path), 1);
	CHECK_INT(keygen_finds("hashed.example", path), 1);
	CHECK_INT(keygen_finds("[hashed.example]:8022", path), 1);
	CHECK_INT(keygen_finds("::1", path), 1);
	CHECK_INT(keygen_finds("other.example", path), 0);
#else
	fprintf(stderr, "ssh-keygen not found: oracle checks skipped\n");
#endif

	/* a last line without newline does not swallow the new entry */
	snprintf(path, sizeof(path), "%s/known_hosts2", tmpdir);
	write_file(path, "# no newline at the end");
	CHECK_INT(kh_add(path, "nl.example", 22, key_a, 0), 0);
	EXPECT(path, "nl.example", 22, key_a, KH_MATCH, 2);

	/* host names that would change the line's meaning are refused */
	CHECK_INT(kh_add(path, "a b", 22, key_a, 0), ERR_INVALID_ARG);
	CHECK_INT(kh_add(path, "a,b", 22, key_a, 0), ERR_INVALID_ARG);
	CHECK_INT(kh_add(path, "*", 22, key_a, 0), ERR_INVALID_ARG);
	CHECK_INT(kh_add(path, "@revoked", 22, key_a, 0), ERR_INVALID_ARG);
	CHECK_INT(kh_add(path, "|1|x", 22, key_a, 0), ERR_INVALID_ARG);
	CHECK_INT(kh_add(path, "a\nb", 22, key_a, 0), ERR_INVALID_ARG);
	CHECK_INT(kh_add(path, "", 22, key_a, 0), ERR_INVALID_ARG);
}

/* Hand-made hashed lines: bad base64 / wrong lengths never match, unknown hash types skipped. */
static void test_hashed_malformed(void)
{
	char path[512];
	enum kh_result res;

	snprintf(path, sizeof(path), "%s/kh_bad", tmpdir);
	write_file(path,
		   "|1|!!!|dTDB7yo+JpvSccP8B8t+ZTSy4oM= ssh-ed25519 AAAA\n"
		   "|1|icKjWm/p5e2jobeKiWojemJSmxs= ssh-ed25519 AAAA\n"
		   "|1|aWNL|dTDB7yo+JpvSccP8B8t+ZTSy4oM= ssh-ed25519 AAAA\n"
		   "|2|icKjWm/p5e2jobeKiWojemJSmxs=|dTDB7yo+JpvSccP8B8t+ZTSy4oM= ssh-ed25519 AAAA\n");
	CHECK_INT(kh_check(path, "alpha.example.com", 22, key_a, &res, NULL), 0);
	CHECK_INT(res, KH_NOT_FOUND);
}

int main(void)
{
	char cmd[300];

	log_set_level(LOG_ERROR);
	CHECK(mkdtemp(tmpdir) != NULL);
	key_a = load("key_a.pub");
	key_b = load("key_b.pub");
	key_c = load("key_c.pub");
	if (key_a == NULL || key_b == NULL || key_c == NULL)
		CHECK_DONE();
	test_patterns();
	test_plain();
	test_hashed();
	test_add();
	test_hashed_malformed();
	key_free(key_a);
	key_free(key_b);
	key_free(key_c);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	CHECK_INT(system(cmd), 0);
	CHECK_DONE();
}
