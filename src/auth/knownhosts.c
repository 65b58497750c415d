/*
 * known_hosts files, sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT":
 *   [@revoked|@cert-authority] hostpatterns keytype base64 [comment]
 * Host patterns are a comma-separated list with '*', '?' and '!' negation;
 * hashed host fields are "|1|" base64(salt) "|" base64(HMAC-SHA1(salt, name))
 * (OpenSSH hostfile.c format, salt as long as the SHA-1 output).
 */
#include "auth/knownhosts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "auth/lines.h"
#include "crypto/crypto.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"
#include "wire/base64.h"
#include "wire/buf.h"

#define KH_HASH_MAGIC "|1|"
#define KH_SHA1_LEN 20

enum kh_marker { KH_MARK_NONE, KH_MARK_REVOKED, KH_MARK_CA };

static char kh_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Wildcard match of name against pat[0..plen), case-insensitive, '*' and '?'. */
static int kh_match_one(const char *name, const char *pat, size_t plen)
{
	const char *star_p = NULL, *star_n = NULL;
	const char *pend = pat + plen;

	while (*name != '\0') {
		if (pat < pend && *pat == '*') {
			star_p = ++pat;
			star_n = name;
		} else if (pat < pend && (*pat == '?' || kh_lower(*pat) == kh_lower(*name))) {
			pat++;
			name++;
		} else if (star_p != NULL) {
			/* Let the last '*' absorb one more character and retry. */
			pat = star_p;
			name = ++star_n;
		} else {
			return 0;
		}
	}
	while (pat < pend && *pat == '*')
		pat++;
	return pat == pend;
}

int kh_match_pattern_list(const char *name, const char *list)
{
	int got = 0;

	while (*list != '\0') {
		size_t n = strcspn(list, ",");
		const char *pat = list;
		int neg = 0;

		if (n > 0 && pat[0] == '!') {
			neg = 1;
			pat++;
			n--;
		}
		if (n > 0 && kh_match_one(name, pat, n)) {
			if (neg)
				return -1;
			got = 1;
		}
		list = pat + n;
		if (*list == ',')
			list++;
	}
	return got;
}

char *kh_host_name(const char *host, unsigned port)
{
	size_t n = strlen(host);
	char *s;

	/* "[" host "]:" up to 10 digits, NUL */
	if (n > 4096 || (s = malloc(n + 16)) == NULL)
		return NULL;
	if (port == 22 || port == 0)
		memcpy(s, host, n + 1);
	else
		snprintf(s, n + 16, "[%s]:%u", host, port);
	for (char *p = s; *p != '\0'; p++)
		*p = kh_lower(*p);
	return s;
}

/* HMAC-SHA1(key = salt, data = name) into out[KH_SHA1_LEN]. */
static int kh_hash_name(const uint8_t *salt, const char *name, uint8_t *out)
{
	return hmac_digest(HASH_SHA1, salt, KH_SHA1_LEN, name, strlen(name), out);
}

/* Does a "|1|salt|hash" field match name? 1 yes, 0 no (malformed fields never match). */
static int kh_match_hashed(const char *field, const char *name)
{
	const char *salt_b64 = field + strlen(KH_HASH_MAGIC);
	const char *bar = strchr(salt_b64, '|');
	uint8_t want[KH_SHA1_LEN];
	struct buf salt, hash;
	int match = 0;

	if (bar == NULL)
		return 0;
	buf_init(&salt);
	buf_init(&hash);
	if (base64_decode(&salt, salt_b64, (size_t)(bar - salt_b64)) != 0 ||
	    base64_decode(&hash, bar + 1, strlen(bar + 1)) != 0 ||
	    buf_len(&salt) != KH_SHA1_LEN || buf_len(&hash) != KH_SHA1_LEN)
		goto out;
	if (kh_hash_name(buf_ptr(&salt), name, want) != 0)
		goto out;
	match = mem_equal_ct(want, buf_ptr(&hash), KH_SHA1_LEN);
out:
	buf_free(&salt);
	buf_free(&hash);
	return match;
}

/* 1 if the host field of a line names `name` (and no negation excludes it). */
static int kh_host_field_matches(const char *field, const char *name)
{
	if (strncmp(field, KH_HASH_MAGIC, strlen(KH_HASH_MAGIC)) == 0)
		return kh_match_hashed(field, name);
	if (field[0] == '|')
		return 0; /* a hash format we do not know */
	return kh_match_pattern_list(name, field) == 1;
}

/* 1 if name is an element of the comma-separated list. */
static int kh_list_has(const char *list, const char *name)
{
	size_t n = strlen(name);

	while (*list != '\0') {
		size_t len = strcspn(list, ",");

		if (len == n && strncmp(list, name, n) == 0)
			return 1;
		list += len;
		if (*list == ',')
			list++;
	}
	return 0;
}

/* Which kind of line wins when several name the host. */
static const int kh_rank[] = { [KH_NOT_FOUND] = 0, [KH_CHANGED] = 1, [KH_MATCH] = 2,
			       [KH_REVOKED] = 3 };

struct kh_scan {
	enum kh_result result;
	unsigned long line;
	int want_ca; /* key is a CA: look only at @cert-authority and @revoked lines */
};

/*
 * Look at one line; update *s. REVOKED beats MATCH beats CHANGED, and the
 * first line of the winning kind is the one reported.
 */
static int kh_scan_line(char *line, const char *name, const struct key *key, unsigned long lineno,
			const char *path, struct kh_scan *s)
{
	enum kh_marker marker = KH_MARK_NONE;
	struct key *k = NULL;
	char *comment = NULL, *p = auth_skip_ws(line), *hosts;
	enum kh_result res;
	int r;

	auth_rstrip(p);
	if (*p == '\0' || *p == '#')
		return 0;
	if (*p == '@') {
		size_t n = strcspn(p, " \t");

		if (n == 8 && strncmp(p, "@revoked", n) == 0)
			marker = KH_MARK_REVOKED;
		else if (n == 15 && strncmp(p, "@cert-authority", n) == 0)
			marker = KH_MARK_CA;
		else {
			log_debug("%s:%lu: unknown marker, line skipped", path, lineno);
			return 0;
		}
		p = auth_skip_ws(p + n);
	}
	/* A CA search uses @cert-authority and @revoked lines; a key search the others. */
	if (marker == KH_MARK_CA && !s->want_ca)
		return 0;
	if (marker == KH_MARK_NONE && s->want_ca)
		return 0;
	hosts = p;
	p += strcspn(p, " \t");
	if (*p == '\0')
		return 0; /* no key: malformed */
	*p = '\0';
	p = auth_skip_ws(p + 1);
	if (!kh_host_field_matches(hosts, name))
		return 0;
	if ((r = key_parse_public_line(p, &k, &comment)) != 0) {
		if (r == ERR_ALLOC)
			return r;
		/* Another (unsupported) key type, or garbage: not an entry for this key. */
		log_debug3("%s:%lu: key not parsed (%s), line skipped", path, lineno, err_str(r));
		return 0;
	}
	free(comment);
	if (s->want_ca)
		res = !key_equal(k, key) ? KH_NOT_FOUND :
		      marker == KH_MARK_REVOKED ? KH_REVOKED : KH_MATCH;
	else if (key_type(k) != key_type(key))
		res = KH_NOT_FOUND;
	else if (key_equal(k, key))
		res = marker == KH_MARK_REVOKED ? KH_REVOKED : KH_MATCH;
	else
		res = marker == KH_MARK_REVOKED ? KH_NOT_FOUND : KH_CHANGED;
	key_free(k);
	if (kh_rank[res] > kh_rank[s->result]) {
		s->result = res;
		s->line = lineno;
	}
	return 0;
}

/* Scan the file at path for name and key into *s; a missing file finds nothing. */
static int kh_scan_file(const char *path, const char *name, const struct key *key,
			struct kh_scan *s)
{
	struct auth_lines *l;
	int r;

	if ((l = malloc(sizeof(*l))) == NULL)
		return ERR_ALLOC;
	if ((r = auth_lines_open(l, path)) == ERR_NOT_FOUND) {
		free(l);
		return 0;
	}
	if (r != 0)
		goto out;
	for (;;) {
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
		if ((r = kh_scan_line(line, name, key, l->lineno, path, s)) != 0)
			goto out;
	}
	r = 0;
out:
	auth_lines_close(l);
	free(l);
	return r;
}

/* OpenSSH 9.2's default CASignatureAlgorithms (ssh_config(5)), without the sk- types. */
#define KH_CA_SIG_DEFAULT                                                              \
	"ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,"     \
	"rsa-sha2-512,rsa-sha2-256"

/*
 * A host certificate (ssh(1) check_host_key): accepted when an
 * @cert-authority line for the host names its CA and the certificate is a
 * host certificate valid now with host among its principals; a revoked CA
 * is KH_REVOKED. Otherwise (*s left KH_NOT_FOUND) the caller checks the
 * certified key as a plain key, as ssh does.
 */
static int kh_scan_cert(const char *path, const char *name, const char *host,
			const struct key *cert, const char *ca_sig_algs, struct kh_scan *s)
{
	const struct key_cert_info *ci = key_cert_info(cert);
	const char *why = NULL;
	int r;

	s->want_ca = 1;
	if ((r = kh_scan_file(path, name, key_cert_signer(cert), s)) != 0)
		return r;
	s->want_ca = 0;
	if (s->result != KH_MATCH)
		return 0;
	if (key_cert_check(cert, KEY_CERT_HOST, host, (uint64_t)time(NULL), &why) != 0) {
		log_error("Certificate invalid: %s",
			  strncmp(why, "Certificate invalid: ", 21) == 0 ? why + 21 : why);
		s->result = KH_NOT_FOUND;
	} else if (!kh_list_has(ca_sig_algs != NULL ? ca_sig_algs : KH_CA_SIG_DEFAULT,
				ci->sig_alg)) {
		log_error("certificate signature algorithm %s not in CASignatureAlgorithms",
			  ci->sig_alg);
		s->result = KH_NOT_FOUND;
	} else {
		log_debug("Host certificate for %s signed by a CA listed in %s:%lu (ID %s, "
			  "serial %llu)", host, path, s->line, ci->key_id,
			  (unsigned long long)ci->serial);
	}
	if (s->result == KH_NOT_FOUND) {
		s->line = 0;
		log_debug("No matching CA found. Retry with plain key");
	}
	return 0;
}

int kh_check_ca(const char *path, const char *host, unsigned port, const struct key *key,
		const char *ca_sig_algs, enum kh_result *result, struct kh_match_info *info)
{
	struct kh_scan s = { KH_NOT_FOUND, 0, 0 };
	struct key *plain = NULL;
	char *name = NULL, *file = NULL;
	int r;

	if ((name = kh_host_name(host, port)) == NULL)
		return ERR_ALLOC;
	if (key_is_cert(key)) {
		if ((r = kh_scan_cert(path, name, host, key, ca_sig_algs, &s)) != 0)
			goto out;
		if ((r = key_cert_plain(key, &plain)) != 0)
			goto out;
		key = plain;
		if (s.result == KH_MATCH) {
			/* Vouched for by a CA, unless the key itself is @revoked. */
			struct kh_scan rs = { KH_NOT_FOUND, 0, 0 };

			if ((r = kh_scan_file(path, name, key, &rs)) != 0)
				goto out;
			if (rs.result == KH_REVOKED)
				s = rs;
		}
	}
	/* A plain key, or a certificate not vouched for here: the certified key on its own. */
	if (s.result == KH_NOT_FOUND && (r = kh_scan_file(path, name, key, &s)) != 0)
		goto out;
	if (info != NULL && s.result != KH_NOT_FOUND && (file = strdup(path)) == NULL) {
		r = ERR_ALLOC;
		goto out;
	}
	*result = s.result;
	if (info != NULL) {
		info->file = file;
		info->line = s.result != KH_NOT_FOUND ? s.line : 0;
	}
	r = 0;
out:
	key_free(plain);
	free(name);
	return r;
}

int kh_check(const char *path, const char *host, unsigned port, const struct key *key,
	     enum kh_result *result, struct kh_match_info *info)
{
	return kh_check_ca(path, host, port, key, NULL, result, info);
}

void kh_info_free(struct kh_match_info *info)
{
	if (info == NULL)
		return;
	free(info->file);
	info->file = NULL;
	info->line = 0;
}

/* A host we can write into a known_hosts line without changing its meaning. */
static int kh_host_ok(const char *host)
{
	if (host[0] == '\0' || strchr("@|#!", host[0]) != NULL)
		return 0;
	for (const char *p = host; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == ',' || *p == '*' || *p == '?' || *p == 0x7f)
			return 0;
	return 1;
}

/* Create the directory holding path (one level, mode 0700) if it is missing. */
static int kh_make_parent(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int r = 0;

	if (slash == NULL || slash == path)
		return 0;
	if ((dir = strndup(path, (size_t)(slash - path))) == NULL)
		return ERR_ALLOC;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		log_error("Could not create directory '%s': %s", dir, strerror(errno));
		r = ERR_SYSTEM;
	}
	free(dir);
	return r;
}

static int kh_write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return ERR_SYSTEM;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Append "|1|salt|hash" for name. */
static int kh_put_hashed(struct buf *b, const char *name)
{
	uint8_t salt[KH_SHA1_LEN], hash[KH_SHA1_LEN];
	int r;

	if ((r = crypto_random(salt, sizeof(salt))) != 0 ||
	    (r = kh_hash_name(salt, name, hash)) != 0)
		return r;
	if ((r = buf_put(b, KH_HASH_MAGIC, strlen(KH_HASH_MAGIC))) != 0 ||
	    (r = base64_encode(b, salt, sizeof(salt), 1)) != 0 ||
	    (r = buf_put_u8(b, '|')) != 0 ||
	    (r = base64_encode(b, hash, sizeof(hash), 1)) != 0)
		return r;
	return 0;
}

int kh_add(const char *path, const char *host, unsigned port, const struct key *key, int hash)
{
	struct buf b;
	struct stat st;
	struct key *plain = NULL;
	char *name = NULL;
	int fd = -1, r;

	buf_init(&b);
	if (!kh_host_ok(host) || port > 65535)
		return ERR_INVALID_ARG;
	if ((name = kh_host_name(host, port)) == NULL)
		return ERR_ALLOC;
	if (hash)
		r = kh_put_hashed(&b, name);
	else
		r = buf_put(&b, name, strlen(name));
	/* For a certificate, the certified key (ssh adds the plain key too). */
	if (r == 0 && key_is_cert(key) && (r = key_cert_plain(key, &plain)) == 0)
		key = plain;
	if (r != 0 || (r = buf_put_u8(&b, ' ')) != 0 || (r = key_format_public(key, &b)) != 0 ||
	    (r = buf_put_u8(&b, '\n')) != 0)
		goto out;
	if ((r = kh_make_parent(path)) != 0)
		goto out;
	if ((fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) < 0 ||
	    fstat(fd, &st) != 0) {
		log_error("Could not open '%s' for writing: %s", path, strerror(errno));
		r = ERR_SYSTEM;
		goto out;
	}
	/* Keep a file whose last line lacks its newline from swallowing our entry. */
	if (st.st_size > 0) {
		char last;

		if (pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n' &&
		    (r = kh_write_all(fd, (const uint8_t *)"\n", 1)) != 0)
			goto out;
	}
	r = kh_write_all(fd, buf_ptr(&b), buf_len(&b));
out:
	if (fd >= 0 && close(fd) != 0 && r == 0)
		r = ERR_SYSTEM;
	key_free(plain);
	free(name);
	buf_free(&b);
	return r;
}
