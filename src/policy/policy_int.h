/* Internal to src/policy: parsed "host:port" rule entries. */
#ifndef BURROW_POLICY_POLICY_INT_H
#define BURROW_POLICY_POLICY_INT_H

#include <stdint.h>

#define PC_PORT_ANY (-1L)

struct pc_entry {
	char host[256]; /* canonical host, or "*" for any */
	long port;      /* 0..65535, or PC_PORT_ANY */
};

/*
 * Parse "host:port", "[v6]:port", "*:port", "host:*" and, when bare_port_ok
 * (PermitListen, permitlisten=), a bare "port" meaning any address. The host
 * is stored canonical. ERR_FORMAT for anything else.
 */
int pc_parse_entry(const char *entry, int bare_port_ok, struct pc_entry *e);
/* 1 if e allows host (canonical) and port. */
int pc_entry_matches(const struct pc_entry *e, const char *host, uint32_t port);

#endif
