/*
 * Client of the ssh-agent protocol (draft-miller-ssh-agent, OpenSSH
 * PROTOCOL.agent): list the agent's identities and ask it to sign. Blocking
 * I/O on a Unix socket, as it is needed only while authenticating; every
 * exchange is bounded by a timeout.
 */
#ifndef BURROW_AGENT_AGENT_H
#define BURROW_AGENT_AGENT_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/key.h"
#include "wire/buf.h"

/* Message numbers, draft-miller-ssh-agent section 6.1. */
#define SSH_AGENT_FAILURE 5
#define SSH_AGENTC_REQUEST_IDENTITIES 11
#define SSH_AGENT_IDENTITIES_ANSWER 12
#define SSH_AGENTC_SIGN_REQUEST 13
#define SSH_AGENT_SIGN_RESPONSE 14
/* Signature flags, section 5.3: SHA-2 signatures from an RSA key. */
#define SSH_AGENT_RSA_SHA2_256 2
#define SSH_AGENT_RSA_SHA2_512 4

/* Longest agent message we accept (OpenSSH's agent uses the same bound). */
#define AGENT_MAX_MSG (256u * 1024)
#define AGENT_DEFAULT_TIMEOUT_MS 30000

struct agent;

struct agent_identity {
	struct key *key;   /* public key (or certificate) */
	char *comment;
};

/*
 * The agent socket to use: IdentityAgent as configured (NULL: $SSH_AUTH_SOCK;
 * "SSH_AUTH_SOCK" or "$SSH_AUTH_SOCK" likewise; "none": no agent). NULL if
 * there is none. The result points into the environment or identity_agent.
 */
const char *agent_socket_path(const char *identity_agent);
/* Connect to an agent socket (blocking, close-on-exec). ERR_NOT_FOUND if nothing listens. */
int agent_socket_connect(const char *path, int *fd);
/* Open a session with the agent at path; timeout_ms bounds each exchange (0 = default). */
int agent_open(const char *path, int timeout_ms, struct agent **out);
/* The same over an already connected descriptor (taken, even on failure). */
int agent_open_fd(int fd, int timeout_ms, struct agent **out);
void agent_close(struct agent *a);

/*
 * REQUEST_IDENTITIES: the agent's keys in its order. Keys of a type we do
 * not know are skipped (logged at debug level). The caller frees the array
 * with agent_identities_free().
 */
int agent_list(struct agent *a, struct agent_identity **ids, size_t *n);
void agent_identities_free(struct agent_identity *ids, size_t n);
/*
 * SIGN_REQUEST for key k with signature algorithm alg (the RSA SHA-2 flags
 * follow from it) over data; appends the signature blob (string alg ||
 * string sig, as key_sign does) to sig. ERR_PERMISSION if the agent refused,
 * ERR_SIGNATURE if it answered with another algorithm.
 */
int agent_sign(struct agent *a, const struct key *k, const char *alg, const uint8_t *data,
	       size_t n, struct buf *sig);

/* ---- message bodies, exposed for tests ---- */
/* Flags for a signature algorithm: 0, or one of the RSA SHA-2 flags. */
uint32_t agent_sign_flags(const char *alg);
/* byte 13, string key blob, string data, uint32 flags (without the length prefix). */
int agent_encode_sign_request(const struct key *k, const char *alg, const uint8_t *data,
			      size_t n, struct buf *out);
/* Body of IDENTITIES_ANSWER (after the type byte). */
int agent_parse_identities(const uint8_t *p, size_t n, struct agent_identity **ids,
			   size_t *count);
/* Body of SIGN_RESPONSE (after the type byte): checks alg, appends the blob's contents. */
int agent_parse_sign_response(const uint8_t *p, size_t n, const char *alg, struct buf *sig);

#endif
