/*
 * Every sshd_config(5) keyword (OpenSSH 9.x, plus Debian's and deprecated
 * ones that a stock file may carry) in one of three classes.
 */
#include "config/server_keywords.h"

#include <stddef.h>
#include <strings.h>

#define IMPL(n, id) { n, SKW_IMPLEMENTED, id, NULL, 0 }
#define IGN(n) { n, SKW_IGNORED, SKW_NONE, NULL, 0 }
#define REF(n) { n, SKW_REFUSED, SKW_NONE, NULL, 0 }
#define REF_UNLESS(n, v) { n, SKW_REFUSED, SKW_NONE, v, 0 }
/* The same, for keywords sshd also accepts inside a Match block. */
#define IMPL_M(n, id) { n, SKW_IMPLEMENTED, id, NULL, 1 }
#define IGN_M(n) { n, SKW_IGNORED, SKW_NONE, NULL, 1 }
#define REF_M(n) { n, SKW_REFUSED, SKW_NONE, NULL, 1 }
#define REF_UNLESS_M(n, v) { n, SKW_REFUSED, SKW_NONE, v, 1 }

static const struct skw server_keywords[] = {
	IMPL("Port", SKW_PORT),
	IMPL("ListenAddress", SKW_LISTEN),
	IMPL("HostKey", SKW_HOSTKEY),
	IMPL_M("AuthorizedKeysFile", SKW_AUTHKEYS),
	IMPL("PidFile", SKW_PIDFILE),
	IMPL_M("LogLevel", SKW_LOGLEVEL),
	IMPL_M("PermitRootLogin", SKW_PERMITROOT),
	IMPL_M("MaxAuthTries", SKW_MAXAUTHTRIES),
	IMPL_M("RekeyLimit", SKW_REKEYLIMIT),
	IMPL("Ciphers", SKW_CIPHERS),
	IMPL("KexAlgorithms", SKW_KEX),
	IMPL("HostKeyAlgorithms", SKW_HOSTKEYALGS),
	IMPL("LoginGraceTime", SKW_LOGINGRACE),
	IMPL("AddressFamily", SKW_ADDRESSFAMILY),
	IMPL_M("Include", SKW_INCLUDE),
	IMPL("Match", SKW_MATCH),
	IMPL_M("AllowTcpForwarding", SKW_ALLOWTCP),
	IMPL_M("AllowStreamLocalForwarding", SKW_ALLOWSTREAMLOCAL),
	IMPL_M("DisableForwarding", SKW_DISABLEFWD),
	IMPL_M("GatewayPorts", SKW_GATEWAYPORTS),
	IMPL_M("PermitOpen", SKW_PERMITOPEN),
	IMPL_M("PermitListen", SKW_PERMITLISTEN),
	IMPL("MACs", SKW_MACS),
	IMPL_M("PubkeyAcceptedAlgorithms", SKW_PUBKEYALGS),
	IMPL_M("PubkeyAcceptedKeyTypes", SKW_PUBKEYALGS),
	IMPL_M("CASignatureAlgorithms", SKW_CASIGALGS),
	IMPL("Compression", SKW_COMPRESSION),
	IMPL_M("TrustedUserCAKeys", SKW_TRUSTEDUSERCA),
	IMPL("HostCertificate", SKW_HOSTCERT),
	IMPL_M("AllowAgentForwarding", SKW_ALLOWAGENTFWD),
	IMPL_M("AcceptEnv", SKW_ACCEPTENV),
	IMPL("Subsystem", SKW_SUBSYSTEM),
	IMPL("PrintMotd", SKW_PRINTMOTD),
	IMPL("StrictModes", SKW_STRICTMODES),
	IMPL_M("PermitTTY", SKW_PERMITTTY),
	IMPL_M("ClientAliveInterval", SKW_CLIENTALIVEINT),
	IMPL_M("ClientAliveCountMax", SKW_CLIENTALIVECOUNT),
	/* Passwords (server_auth_kw.c). */
	IMPL("UsePAM", SKW_USEPAM), IMPL_M("PasswordAuthentication", SKW_PASSWORDAUTH),
	IMPL_M("KbdInteractiveAuthentication", SKW_KBDINTAUTH),
	IMPL_M("ChallengeResponseAuthentication", SKW_KBDINTAUTH),
	IMPL_M("PermitEmptyPasswords", SKW_PERMITEMPTYPW),
	IMPL_M("AuthenticationMethods", SKW_AUTHMETHODS),

	/* Features burrowd lacks (so they cannot be "enabled"), or cosmetics. */
	IGN_M("X11Forwarding"), IGN_M("X11DisplayOffset"), IGN_M("X11UseLocalhost"),
	IGN("XAuthLocation"), IGN("PrintLastLog"),
	IGN_M("SetEnv"), IGN("KbdInteractiveDevices"), IGN("TCPKeepAlive"),
	IGN("UseDNS"), IGN("DebianBanner"), IGN("VersionAddendum"), IGN("SyslogFacility"),
	IGN("LogVerbose"), IGN_M("GSSAPIAuthentication"), IGN("GSSAPICleanupCredentials"),
	IGN("GSSAPIStrictAcceptorCheck"), IGN("GSSAPIKeyExchange"),
	IGN("GSSAPIStoreCredentialsOnRekey"), IGN("GSSAPIKexAlgorithms"),
	IGN_M("KerberosAuthentication"), IGN("KerberosGetAFSToken"),
	IGN("KerberosOrLocalPasswd"), IGN("KerberosTicketCleanup"),
	IGN_M("HostbasedAuthentication"), IGN_M("HostbasedUsesNameFromPacketOnly"),
	IGN_M("HostbasedAcceptedAlgorithms"), IGN_M("IgnoreRhosts"), IGN("IgnoreUserKnownHosts"),
	IGN("PermitUserEnvironment"), IGN_M("PermitUserRC"),
	IGN_M("PermitTunnel"), IGN_M("IPQoS"), IGN("FingerprintHash"),
	IGN("ModuliFile"), IGN_M("ExposeAuthInfo"),
	IGN_M("AuthorizedPrincipalsFile"), IGN_M("AuthorizedPrincipalsCommand"),
	IGN_M("AuthorizedPrincipalsCommandUser"), IGN_M("AuthorizedKeysCommand"),
	IGN_M("AuthorizedKeysCommandUser"), IGN("SecurityKeyProvider"),
	IGN_M("StreamLocalBindMask"), IGN_M("StreamLocalBindUnlink"),
	IGN("UsePrivilegeSeparation"), IGN("Protocol"), IGN("KeyRegenerationInterval"),
	IGN("ServerKeyBits"), IGN("RSAAuthentication"), IGN("RhostsRSAAuthentication"),
	IGN("UseLogin"), IGN("UseRoaming"),

	/* Restrictions and limits: refusing beats silently not enforcing them. */
	REF_M("AllowUsers"), REF_M("DenyUsers"), REF_M("AllowGroups"), REF_M("DenyGroups"),
	REF_M("ForceCommand"), REF_M("MaxSessions"),
	REF("MaxStartups"), REF("PerSourceMaxStartups"), REF("PerSourceNetBlockSize"),
	REF_M("PubkeyAuthOptions"), REF("RequiredRSASize"), REF_M("RevokedKeys"),
	REF_M("ChannelTimeout"),
	REF_M("UnusedConnectionTimeout"), REF("HostKeyAgent"),
	REF_UNLESS_M("PubkeyAuthentication", "yes"),
	REF_UNLESS_M("ChrootDirectory", "none"),
	REF_UNLESS_M("Banner", "none"),
};

const struct skw *scfg_keyword(const char *name)
{
	for (size_t i = 0; i < sizeof(server_keywords) / sizeof(server_keywords[0]); i++)
		if (strcasecmp(name, server_keywords[i].name) == 0)
			return &server_keywords[i];
	return NULL;
}
