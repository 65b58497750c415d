/* Error codes shared by every layer: functions return 0 or one of these. */
#ifndef BURROW_UTIL_ERR_H
#define BURROW_UTIL_ERR_H

enum {
	ERR_OK = 0,
	ERR_ALLOC = -1,            /* out of memory */
	ERR_TRUNCATED = -2,        /* message shorter than its fields say */
	ERR_FORMAT = -3,           /* malformed field or trailing bytes */
	ERR_TOO_LARGE = -4,        /* length or value over a limit */
	ERR_CRYPTO = -5,           /* libcrypto failed */
	ERR_MAC = -6,              /* authentication tag mismatch */
	ERR_PROTOCOL = -7,         /* peer violated the protocol */
	ERR_NO_MATCH = -8,         /* algorithm negotiation found nothing in common */
	ERR_KEY_TYPE = -9,         /* unknown or unsupported key type */
	ERR_SIGNATURE = -10,       /* signature did not verify */
	ERR_SYSTEM = -11,          /* a system call failed; see errno */
	ERR_EOF = -12,             /* peer closed the connection */
	ERR_DISCONNECTED = -13,    /* peer sent DISCONNECT */
	ERR_NOT_FOUND = -14,       /* no such key, user, file or entry */
	ERR_HOSTKEY_CHANGED = -15, /* known_hosts has a different key */
	ERR_HOSTKEY_UNKNOWN = -16, /* host not in known_hosts and not accepted */
	ERR_AGAIN = -17,           /* nothing available yet (sans-I/O: feed more) */
	ERR_INVALID_ARG = -18,     /* caller passed something unusable */
	ERR_PERMISSION = -19,      /* refused by policy */
	ERR_UNSUPPORTED = -20,     /* valid but not implemented */
	ERR_PASSPHRASE = -21,      /* key needs a passphrase, or a wrong one */
	ERR_WINDOW = -22,          /* flow-control violation */
	ERR_BAD_STATE = -23,           /* call not valid in current state */
	ERR_KEY_LENGTH = -24,          /* key size refused (RSA under 1024 bits) */
};

/* Short English text for an error code (never NULL). */
const char *err_str(int err);

#endif
