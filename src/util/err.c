#include "util/err.h"

const char *err_str(int err)
{
	switch (err) {
	case ERR_OK: return "success";
	case ERR_ALLOC: return "out of memory";
	case ERR_TRUNCATED: return "message truncated";
	case ERR_FORMAT: return "invalid format";
	case ERR_TOO_LARGE: return "length or value too large";
	case ERR_CRYPTO: return "error in libcrypto";
	case ERR_MAC: return "message authentication code incorrect";
	case ERR_PROTOCOL: return "protocol error";
	case ERR_NO_MATCH: return "no matching algorithm";
	case ERR_KEY_TYPE: return "unknown or unsupported key type";
	case ERR_SIGNATURE: return "incorrect signature";
	case ERR_SYSTEM: return "system error";
	case ERR_EOF: return "connection closed";
	case ERR_DISCONNECTED: return "disconnected by peer";
	case ERR_NOT_FOUND: return "not found";
	case ERR_HOSTKEY_CHANGED: return "host key changed";
	case ERR_HOSTKEY_UNKNOWN: return "host key unknown";
	case ERR_AGAIN: return "try again";
	case ERR_INVALID_ARG: return "invalid argument";
	case ERR_PERMISSION: return "permission denied";
	case ERR_UNSUPPORTED: return "not supported";
	case ERR_PASSPHRASE: return "incorrect passphrase";
	case ERR_WINDOW: return "flow-control window violated";
	case ERR_BAD_STATE: return "invalid state";
	case ERR_KEY_LENGTH: return "Invalid key length"; /* OpenSSH's wording */
	}
	return "unknown error";
}
