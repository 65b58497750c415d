/*
 * The client side of -R: the server may only open forwarded-tcpip channels
 * for forwards we asked for (anything else is refused before any connect),
 * and a granted one connects to the configured target.
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "../check.h"
#include "../conn/harness.h"
#include "fwd/fwd.h"
#include "util/err.h"
#include "util/log.h"

static struct fwd_client fc;
static int global_requests;

static void no_flush(void *arg)
{
	(void)arg;
}

static int client_open(void *arg, struct chan *ch, const char *type, struct rd *args,
		       uint32_t *reason, const char **msg)
{
	(void)arg;
	return fwd_remote_open(&fc, ch, type, args, reason, msg);
}

/* The "server" grants every tcpip-forward. */
static int server_global(void *arg, struct conn *c, const char *name, int want_reply,
			 struct rd *args, struct buf *reply_extra)
{
	(void)arg;
	(void)c;
	(void)want_reply;
	(void)args;
	(void)reply_extra;
	global_requests++;
	return strcmp(name, "tcpip-forward") == 0 ? 0 : -1;
}

static void open_forwarded(struct pair *p, struct rec *r, const char *addr, uint32_t port)
{
	struct chan *ch;
	struct buf b;

	buf_init(&b);
	/* RFC 4254 7.2: address that was connected, port, originator address, port. */
	buf_put_cstring(&b, addr);
	buf_put_u32(&b, port);
	buf_put_cstring(&b, "192.0.2.7");
	buf_put_u32(&b, 4321);
	CHECK_INT(chan_open(p->b, "forwarded-tcpip", buf_ptr(&b), buf_len(&b), &rec_ops, r, &ch),
		  0);
	buf_free(&b);
}

int main(void)
{
	struct conn_config cc_client = { .open = client_open };
	struct conn_config cc_server = { .global = server_global };
	struct fwd_spec spec;
	struct rec unknown, known;
	struct pair p;
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int target;

	log_init("test", LOG_QUIET);
	/* A local target for the granted forward. */
	target = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(bind(target, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	CHECK(listen(target, 4) == 0);
	CHECK(getsockname(target, (struct sockaddr *)&sin, &len) == 0);

	CHECK_INT(pair_init(&p, &cc_client, &cc_server), 0);
	memset(&fc, 0, sizeof(fc));
	fc.base = event_base_new();
	fc.conn = p.a;
	fc.flush = no_flush;
	memset(&spec, 0, sizeof(spec));
	spec.listen_port = 5000;
	spec.connect_host = "127.0.0.1";
	spec.connect_port = ntohs(sin.sin_port);

	CHECK_INT(fwd_remote_request(&fc, &spec), 0);
	CHECK_INT(fc.remote_pending, 1);
	CHECK_INT(pair_pump(&p), 0);
	CHECK_INT(global_requests, 1);
	CHECK_INT(fc.remote_pending, 0);
	CHECK_INT(fc.remote_failed, 0);

	/* A port we never asked for: refused as administratively prohibited. */
	rec_init(&unknown);
	open_forwarded(&p, &unknown, "localhost", 6000);
	CHECK_INT(pair_pump(&p), 0);
	CHECK_INT(unknown.open_fail, 1);
	CHECK_INT(unknown.reason, SSH_OPEN_ADMINISTRATIVELY_PROHIBITED);
	CHECK_INT(unknown.open_ok, 0);

	/* The granted port: the client connects to the target, then confirms. */
	rec_init(&known);
	open_forwarded(&p, &known, "localhost", 5000);
	CHECK_INT(pair_pump(&p), 0);
	for (int i = 0; i < 100 && known.open_ok == 0 && known.open_fail == 0; i++) {
		event_base_loop(fc.base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		usleep(10000);
		CHECK_INT(pair_pump(&p), 0);
	}
	CHECK_INT(known.open_ok, 1);
	CHECK_INT(known.open_fail, 0);
	CHECK_INT(fc.active, 1);

	rec_free(&unknown);
	rec_free(&known);
	close(target);
	CHECK_DONE();
}
