#include "config/values.h"

#include <limits.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>

#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"

/* LogLevel names are util/log's; these keep config's naming. */
int cfg_parse_log_level(const char *s)
{
	return log_level_parse(s);
}

const char *cfg_log_level_name(int level)
{
	return log_level_name((enum log_level)level);
}

int cfg_parse_yesno(const char *s)
{
	if (strcasecmp(s, "yes") == 0 || strcasecmp(s, "true") == 0)
		return 1;
	if (strcasecmp(s, "no") == 0 || strcasecmp(s, "false") == 0)
		return 0;
	return -1;
}

static int is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

int cfg_parse_uint(const char *s, int *v)
{
	long long acc = 0;

	if (*s == '\0')
		return ERR_FORMAT;
	for (; *s != '\0'; s++) {
		if (!is_digit(*s))
			return ERR_FORMAT;
		acc = acc * 10 + (*s - '0');
		if (acc > INT_MAX)
			return ERR_TOO_LARGE;
	}
	*v = (int)acc;
	return 0;
}

int cfg_parse_port(const char *s)
{
	int v = cfg_parse_port0(s);

	return v == 0 ? -1 : v;
}

int cfg_parse_port0(const char *s)
{
	int v;

	if (cfg_parse_uint(s, &v) != 0 || v > 65535)
		return -1;
	return v;
}

/* Units accepted after a time number (sshd_config(5) TIME FORMATS). */
static int64_t time_unit(char ch)
{
	switch (ch) {
	case 's': case 'S': return 1;
	case 'm': case 'M': return 60;
	case 'h': case 'H': return 60 * 60;
	case 'd': case 'D': return 24 * 60 * 60;
	case 'w': case 'W': return 7 * 24 * 60 * 60;
	default: return 0;
	}
}

int cfg_parse_time(const char *s, int64_t *secs)
{
	int64_t total = 0;

	if (*s == '\0')
		return ERR_FORMAT;
	while (*s != '\0') {
		int64_t n = 0, mult = 1;

		if (!is_digit(*s))
			return ERR_FORMAT;
		for (; is_digit(*s); s++) {
			n = n * 10 + (*s - '0');
			if (n > INT_MAX)
				return ERR_FORMAT;
		}
		if (*s != '\0') {
			if ((mult = time_unit(*s)) == 0)
				return ERR_FORMAT;
			s++;
		}
		/* n and mult are small enough that n * mult fits in int64_t. */
		total += n * mult;
		if (total > INT_MAX)
			return ERR_FORMAT;
	}
	*secs = total;
	return 0;
}

static int size_shift(char ch)
{
	static const char units[] = "BKMGTPE";
	const char *p;

	if (ch == '\0')
		return 0;
	if (ch >= 'a' && ch <= 'z')
		ch = (char)(ch - 'a' + 'A');
	if ((p = strchr(units, ch)) == NULL)
		return -1;
	return (int)(p - units) * 10;
}

#define SIZE_MAX_FRAC_DIGITS 6

int cfg_parse_size(const char *s, int64_t *bytes)
{
	int64_t whole = 0, frac = 0, div = 1, scale, v;
	int neg = 0, shift, ndig = 0;

	if (*s == '-' || *s == '+')
		neg = (*s++ == '-');
	if (!is_digit(*s))
		return ERR_FORMAT;
	for (; is_digit(*s); s++) {
		if (whole > (INT64_MAX - 9) / 10)
			return ERR_TOO_LARGE;
		whole = whole * 10 + (*s - '0');
	}
	if (*s == '.') {
		for (s++; is_digit(*s); s++) {
			if (++ndig > SIZE_MAX_FRAC_DIGITS)
				return ERR_FORMAT;
			frac = frac * 10 + (*s - '0');
			div *= 10;
		}
	}
	if ((shift = size_shift(*s)) < 0 || (*s != '\0' && s[1] != '\0'))
		return ERR_FORMAT;
	scale = (int64_t)1 << shift;
	if (whole > INT64_MAX / scale)
		return ERR_TOO_LARGE;
	v = whole * scale;
	/* frac < div, so (scale / div) * frac <= scale; no overflow. */
	frac = (scale / div) * frac + ((scale % div) * frac) / div;
	if (v > INT64_MAX - frac)
		return ERR_TOO_LARGE;
	v += frac;
	*bytes = neg ? -v : v;
	return 0;
}

int cfg_parse_rekey_args(const char *size, const char *time, int64_t *bytes,
			 int64_t *secs, const char **what)
{
	int64_t b = 0, t = 0;
	int r;

	/* "default" and "none" are matched exactly, as OpenSSH does. */
	if (strcmp(size, "default") != 0) {
		if ((r = cfg_parse_size(size, &b)) != 0) {
			*what = "number";
			return r;
		}
		/* Below 16 bytes would rekey after every packet (ssh_config(5)). */
		if (b != 0 && b < 16) {
			*what = "small";
			return ERR_INVALID_ARG;
		}
	}
	if (time != NULL && strcmp(time, "none") != 0) {
		if ((r = cfg_parse_time(time, &t)) != 0) {
			*what = "time";
			return r;
		}
	}
	*bytes = b;
	*secs = t;
	return 0;
}

int cfg_replace_str(char **dst, const char *v)
{
	char *p;

	if ((p = mem_strdup(v)) == NULL)
		return ERR_ALLOC;
	free(*dst);
	*dst = p;
	return 0;
}
