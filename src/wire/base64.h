/* Base64 (RFC 4648) for key files, known_hosts and fingerprints. */
#ifndef BURROW_WIRE_BASE64_H
#define BURROW_WIRE_BASE64_H

#include <stddef.h>
#include "wire/buf.h"

/* Append the encoding of data to out (NUL not appended). pad=0 omits '=' (as in SHA256 fingerprints). */
int base64_encode(struct buf *out, const void *data, size_t n, int pad);
/* Decode text of length n into out; whitespace is skipped, anything else invalid is ERR_FORMAT. */
int base64_decode(struct buf *out, const char *text, size_t n);

#endif
