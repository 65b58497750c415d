/* Server host key verification against known_hosts files (ssh(1) VERIFYING HOST KEYS). */
#include "client/client.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/knownhosts.h"
#include "util/err.h"
#include "util/log.h"

const char *client_key_label(const struct key *k)
{
	switch (key_type(k)) {
	case KEY_ED25519: return "ED25519";
	default: return "UNKNOWN";
	}
}

/* Ask on the terminal, as ssh does for StrictHostKeyChecking=ask. 1 = accepted. */
static int ask_user(const char *name, const struct key *k, const char *fp)
{
	char answer[128];
	FILE *tty = fopen("/dev/tty", "r+");
	int accepted = 0;

	if (tty == NULL)
		return 0;
	fprintf(tty,
		"The authenticity of host '%s' can't be established.\n"
		"%s key fingerprint is %s.\n"
		"This key is not known by any other names.\n",
		name, client_key_label(k), fp);
	for (;;) {
		fprintf(tty, "Are you sure you want to continue connecting (yes/no/[fingerprint])? ");
		fflush(tty);
		if (fgets(answer, sizeof(answer), tty) == NULL)
			break;
		answer[strcspn(answer, "\r\n")] = '\0';
		if (strcasecmp(answer, "yes") == 0 || strcmp(answer, fp) == 0) {
			accepted = 1;
			break;
		}
		if (strcasecmp(answer, "no") == 0)
			break;
		fprintf(tty, "Please type 'yes', 'no' or the fingerprint: ");
	}
	fclose(tty);
	return accepted;
}

static void warn_changed(const char *name, const struct key *k, const char *fp,
			 const struct kh_match_info *info, const char *first_file, int strict)
{
	fprintf(stderr,
		"@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
		"@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n"
		"@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
		"IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!\n"
		"Someone could be eavesdropping on you right now (man-in-the-middle attack)!\n"
		"It is also possible that a host key has just been changed.\n"
		"The fingerprint for the %s key sent by the remote host is\n%s.\n"
		"Please contact your system administrator.\n"
		"Add correct host key in %s to get rid of this message.\n",
		client_key_label(k), fp, first_file);
	if (info->file != NULL)
		fprintf(stderr, "Offending %s key in %s:%lu\n  remove with:\n"
			"  ssh-keygen -f \"%s\" -R \"%s\"\n",
			client_key_label(k), info->file, info->line, info->file, name);
	if (strict)
		fprintf(stderr, "Host key for %s has changed and you have requested strict checking.\n",
			name);
}

int client_check_hostkey(void *arg, const struct key *hostkey)
{
	const struct hostkey_check *hc = arg;
	const struct client_config *cfg = hc->cfg;
	struct kh_match_info conflict = { NULL, 0 };
	char files[4096], first[4096] = "", fp[KEY_FP_MAX], host[1024];
	char *name = NULL, *save = NULL, *path;
	int matched = 0, changed = 0, revoked = 0, r = 0;

	snprintf(host, sizeof(host), "%s", hc->host);
	for (char *p = host; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	if ((name = kh_host_name(host, (unsigned)hc->port)) == NULL)
		return ERR_ALLOC;
	key_fingerprint(hostkey, fp, sizeof(fp));
	log_debug("Server host key: %s %s", key_type_name(hostkey), fp);
	snprintf(files, sizeof(files), "%s %s", cfg->user_known_hosts,
		 cfg->global_known_hosts != NULL ? cfg->global_known_hosts : "");
	for (path = strtok_r(files, " ", &save); path != NULL; path = strtok_r(NULL, " ", &save)) {
		struct kh_match_info info = { NULL, 0 };
		enum kh_result res = KH_NOT_FOUND;

		if (first[0] == '\0')
			snprintf(first, sizeof(first), "%s", path);
		if (kh_check_ca(path, host, (unsigned)hc->port, hostkey, cfg->ca_signature_algorithms,
				&res, &info) != 0)
			continue;
		if (res == KH_MATCH) {
			log_debug("Host '%s' is known and matches the %s host key.", name,
				  client_key_label(hostkey));
			log_debug("Found key in %s:%lu", info.file != NULL ? info.file : path, info.line);
			matched = 1;
		} else if (res == KH_REVOKED) {
			revoked = 1;
		} else if (res == KH_CHANGED && !changed) {
			changed = 1;
			conflict = info;
			info.file = NULL;
		}
		kh_info_free(&info);
	}
	if (revoked) {
		fprintf(stderr, "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
				"@       WARNING: REVOKED HOST KEY DETECTED!               @\n"
				"@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
				"The %s host key for %s is marked as revoked.\n"
				"This could mean that a stolen key is being used to\n"
				"impersonate this host.\n",
			client_key_label(hostkey), name);
		r = ERR_HOSTKEY_CHANGED;
	} else if (matched) {
		r = 0;
	} else if (changed) {
		warn_changed(name, hostkey, fp, &conflict, first,
			     cfg->strict_host_key_checking != SHK_NO);
		r = cfg->strict_host_key_checking == SHK_NO ? 0 : ERR_HOSTKEY_CHANGED;
	} else if (cfg->strict_host_key_checking == SHK_YES) {
		fprintf(stderr, "No %s host key is known for %s and you have requested strict checking.\n",
			client_key_label(hostkey), name);
		r = ERR_HOSTKEY_UNKNOWN;
	} else if (cfg->strict_host_key_checking == SHK_ASK &&
		   (cfg->batch_mode || !ask_user(name, hostkey, fp))) {
		r = ERR_HOSTKEY_UNKNOWN;
	} else {
		if (kh_add(first, host, (unsigned)hc->port, hostkey, cfg->hash_known_hosts) == 0)
			fprintf(stderr, "Warning: Permanently added '%s' (%s) to the list of known hosts.\r\n",
				name, client_key_label(hostkey));
		else
			fprintf(stderr, "Failed to add the host to the list of known hosts (%s).\r\n",
				first);
	}
	if (r != 0)
		fprintf(stderr, "Host key verification failed.\r\n");
	kh_info_free(&conflict);
	free(name);
	return r;
}
