/*
 * Per-forward counters of the client (-L and -R): connections, bytes, open
 * failures; shown by the control socket as text, JSON or Prometheus metrics.
 */
#include "fwd/fwd.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chanio/chanio.h"
#include "util/err.h"
#include "wire/buf.h"

/* 'L' -L, 'R' -R, 'D' -D (dynamic forwards may count themselves too). */
static const char *kind_name(char kind)
{
	return kind == 'L' ? "local" : kind == 'D' ? "dynamic" : "remote";
}

static void host_str(char *out, size_t outlen, const char *host, int port)
{
	if (host != NULL && strchr(host, ':') != NULL)
		snprintf(out, outlen, "[%s]:%d", host, port);
	else if (host != NULL)
		snprintf(out, outlen, "%s:%d", host, port);
	else
		snprintf(out, outlen, "%d", port);
}

void fwd_spec_str(const struct fwd_spec *s, char *out, size_t outlen)
{
	char l[150], c[150];

	if (s->listen_path != NULL)
		snprintf(l, sizeof(l), "%s", s->listen_path);
	else
		host_str(l, sizeof(l), s->listen_host, s->listen_port);
	if (s->connect_path != NULL)
		snprintf(c, sizeof(c), "%s", s->connect_path);
	else if (s->connect_host != NULL)
		host_str(c, sizeof(c), s->connect_host, s->connect_port);
	else
		c[0] = '\0'; /* dynamic: no target */
	snprintf(out, outlen, "%s%s%s", l, c[0] != '\0' ? ":" : "", c);
}

struct fwd_stat *fwd_stat_get(struct fwd_client *fc, char kind, const struct fwd_spec *spec)
{
	struct fwd_stat *st, **pp;

	for (st = fc->stats; st != NULL; st = st->next)
		if (st->key == spec && st->kind == kind && !st->cancelled)
			return st;
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return NULL;
	st->key = spec;
	st->kind = kind;
	fwd_spec_str(spec, st->spec, sizeof(st->spec));
	st->live.next = st->live.prev = &st->live;
	/* Kept in the order the forwards were set up. */
	for (pp = &fc->stats; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = st;
	return st;
}

void fwd_stat_conn_start(struct fwd_stat *st, struct fwd_live *lv)
{
	st->active++;
	st->total++;
	lv->next = st->live.next;
	lv->prev = &st->live;
	st->live.next->prev = lv;
	st->live.next = lv;
}

void fwd_stat_conn_failed(struct fwd_stat *st, const char *why)
{
	st->open_failures++;
	snprintf(st->last_error, sizeof(st->last_error), "%s", why != NULL ? why : "");
}

void fwd_stat_conn_end(struct fwd_stat *st, struct fwd_live *lv)
{
	if (lv->next == NULL)
		return; /* never linked */
	if (lv->cio != NULL) {
		st->done_out += chanio_bytes_out(lv->cio);
		st->done_in += chanio_bytes_in(lv->cio);
	}
	lv->prev->next = lv->next;
	lv->next->prev = lv->prev;
	lv->next = lv->prev = NULL;
	if (st->active > 0)
		st->active--;
}

void fwd_stat_bytes(const struct fwd_stat *st, uint64_t *out, uint64_t *in)
{
	uint64_t o = st->done_out, i = st->done_in;

	for (const struct fwd_live *lv = st->live.next; lv != &st->live; lv = lv->next) {
		if (lv->cio != NULL) {
			o += chanio_bytes_out(lv->cio);
			i += chanio_bytes_in(lv->cio);
		}
	}
	*out = o;
	*in = i;
}

void fwd_stats_sample(struct fwd_stat *list, uint64_t now_us)
{
	for (struct fwd_stat *st = list; st != NULL; st = st->next) {
		uint64_t o, i, dt = now_us - st->sample_us;

		fwd_stat_bytes(st, &o, &i);
		if (st->sample_us != 0 && now_us > st->sample_us) {
			/* Counters only grow; dt is at least a microsecond here. */
			st->rate_out = (uint64_t)((double)(o - st->sample_out) * 1e6 / (double)dt);
			st->rate_in = (uint64_t)((double)(i - st->sample_in) * 1e6 / (double)dt);
		}
		st->sample_out = o;
		st->sample_in = i;
		st->sample_us = now_us;
	}
}

static int put_fmt(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int put_fmt(struct buf *b, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return ERR_FORMAT;
	return buf_put(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* A JSON string (RFC 8259 7) or a Prometheus label value: quotes, backslash, controls escaped. */
int fwd_put_quoted(struct buf *b, const char *s)
{
	int r = buf_put_u8(b, '"');

	for (; r == 0 && *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			r = put_fmt(b, "\\%c", ch);
		else if (ch == '\n')
			r = buf_put(b, "\\n", 2);
		else if (ch < 0x20)
			r = put_fmt(b, "\\u%04x", ch);
		else
			r = buf_put_u8(b, ch);
	}
	return r == 0 ? buf_put_u8(b, '"') : r;
}

static int format_json(const struct fwd_stat *list, struct buf *b)
{
	int r = buf_put(b, "[", 1);

	for (const struct fwd_stat *st = list; r == 0 && st != NULL; st = st->next) {
		uint64_t o, i;

		fwd_stat_bytes(st, &o, &i);
		r = put_fmt(b, "%s{\"type\":\"%s\",\"spec\":", st == list ? "" : ",",
			    kind_name(st->kind));
		if (r == 0)
			r = fwd_put_quoted(b, st->spec);
		if (r == 0)
			r = buf_put(b, ",\"listen\":", 10);
		if (r == 0)
			r = fwd_put_quoted(b, st->listen);
		if (r == 0)
			r = put_fmt(b, ",\"active\":%" PRIu64 ",\"total\":%" PRIu64
				    ",\"bytes_out\":%" PRIu64 ",\"bytes_in\":%" PRIu64
				    ",\"open_failures\":%" PRIu64 ",\"last_error\":",
				    st->active, st->total, o, i, st->open_failures);
		if (r == 0)
			r = fwd_put_quoted(b, st->last_error);
		if (r == 0)
			r = put_fmt(b, ",\"throughput_out\":%" PRIu64 ",\"throughput_in\":%" PRIu64
				    ",\"cancelled\":%s}", st->rate_out, st->rate_in,
				    st->cancelled ? "true" : "false");
	}
	return r == 0 ? buf_put(b, "]", 1) : r;
}

static int format_text(const struct fwd_stat *list, struct buf *b)
{
	int r = 0;

	for (const struct fwd_stat *st = list; r == 0 && st != NULL; st = st->next) {
		uint64_t o, i;

		fwd_stat_bytes(st, &o, &i);
		r = put_fmt(b, "-%c %s%s listen %s: active %" PRIu64 ", total %" PRIu64
			    ", bytes out %" PRIu64 ", in %" PRIu64 ", now %" PRIu64 "/%" PRIu64
			    " B/s, open failures %" PRIu64 "%s%s\n", st->kind, st->spec,
			    st->cancelled ? " (cancelled)" : "",
			    st->listen[0] != '\0' ? st->listen : "-", st->active, st->total, o, i,
			    st->rate_out, st->rate_in, st->open_failures,
			    st->last_error[0] != '\0' ? ", last error: " : "", st->last_error);
	}
	return r;
}

/* Prometheus text exposition format: HELP/TYPE once per metric, one sample per forward. */
static int format_prom(const struct fwd_stat *list, struct buf *b)
{
	static const struct {
		const char *name, *type, *help;
	} m[] = {
		{ "burrow_forward_active_connections", "gauge", "Forwarded connections open now." },
		{ "burrow_forward_connections_total", "counter", "Forwarded connections accepted." },
		{ "burrow_forward_bytes_out_total", "counter", "Bytes sent towards the target." },
		{ "burrow_forward_bytes_in_total", "counter", "Bytes received from the target." },
		{ "burrow_forward_open_failures_total", "counter", "Channel opens that failed." },
	};
	int r = 0;

	for (size_t k = 0; r == 0 && k < sizeof(m) / sizeof(m[0]); k++) {
		r = put_fmt(b, "# HELP %s %s\n# TYPE %s %s\n", m[k].name, m[k].help, m[k].name,
			    m[k].type);
		for (const struct fwd_stat *st = list; r == 0 && st != NULL; st = st->next) {
			uint64_t o, i, v[5];

			fwd_stat_bytes(st, &o, &i);
			v[0] = st->active;
			v[1] = st->total;
			v[2] = o;
			v[3] = i;
			v[4] = st->open_failures;
			r = put_fmt(b, "%s{type=\"%s\",spec=", m[k].name,
				    kind_name(st->kind));
			if (r == 0)
				r = fwd_put_quoted(b, st->spec);
			if (r == 0)
				r = put_fmt(b, "} %" PRIu64 "\n", v[k]);
		}
	}
	return r;
}

int fwd_stats_format(const struct fwd_stat *list, enum fwd_stats_fmt fmt, struct buf *out)
{
	switch (fmt) {
	case FWD_STATS_JSON: return format_json(list, out);
	case FWD_STATS_PROM: return format_prom(list, out);
	default: return format_text(list, out);
	}
}

void fwd_stats_free(struct fwd_client *fc)
{
	while (fc->stats != NULL) {
		struct fwd_stat *st = fc->stats;

		fc->stats = st->next;
		free(st);
	}
}
