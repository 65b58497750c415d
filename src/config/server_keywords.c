/*
 * Every sshd_config(5) keyword (OpenSSH 9.x, plus Debian's and deprecated
 * ones that a stock file may carry) in one of three classes.
 */
#include "config/server_keywords.h"

#include <stddef.h>
#include <strings.h>

#define IMPL(n, id) { n, SKW_IMPLEMENTED, id, NULL }
#define IGN(n) { n, SKW_IGNORED, SKW_NONE, NULL }
#define REF(n) { n, SKW_REFUSED, SKW_NONE, NULL }
#define REF_UNLESS(n, v) { n, SKW_REFUSED, SKW_NONE, v }

static const struct skw server_keywords[] = {
	IMPL("Port", SKW_PORT),
	IMPL("ListenAddress", SKW_LISTEN),
	IMPL("HostKey", SKW_HOSTKEY),
	IMPL("AuthorizedKeysFile", SKW_AUTHKEYS),
	IMPL("PidFile", SKW_PIDFILE),
	IMPL("LogLevel", SKW_LOGLEVEL),
	IMPL("PermitRootLogin", SKW_PERMITROOT),
	IMPL("MaxAuthTries", SKW_MAXAUTHTRIES),
	IMPL("RekeyLimit", SKW_REKEYLIMIT),
	IMPL("Ciphers", SKW_CIPHERS),
	IMPL("KexAlgorithms", SKW_KEX),
	IMPL("HostKeyAlgorithms", SKW_HOSTKEYALGS),
	IMPL("LoginGraceTime", SKW_LOGINGRACE),
	IMPL("AddressFamily", SKW_ADDRESSFAMILY),
	IMPL("Include", SKW_INCLUDE),

	/* Features burrowd lacks (so they cannot be "enabled"), or cosmetics. */
	IGN("UsePAM"), IGN("X11Forwarding"), IGN("X11DisplayOffset"), IGN("X11UseLocalhost"),
	IGN("XAuthLocation"), IGN("PrintMotd"), IGN("PrintLastLog"), IGN("AcceptEnv"),
	IGN("SetEnv"), IGN("Subsystem"), IGN("KbdInteractiveAuthentication"),
	IGN("ChallengeResponseAuthentication"), IGN("KbdInteractiveDevices"),
	IGN("PasswordAuthentication"), IGN("PermitEmptyPasswords"), IGN("TCPKeepAlive"),
	IGN("UseDNS"), IGN("DebianBanner"), IGN("VersionAddendum"), IGN("SyslogFacility"),
	IGN("LogVerbose"), IGN("GSSAPIAuthentication"), IGN("GSSAPICleanupCredentials"),
	IGN("GSSAPIStrictAcceptorCheck"), IGN("GSSAPIKeyExchange"),
	IGN("GSSAPIStoreCredentialsOnRekey"), IGN("GSSAPIKexAlgorithms"),
	IGN("KerberosAuthentication"), IGN("KerberosGetAFSToken"),
	IGN("KerberosOrLocalPasswd"), IGN("KerberosTicketCleanup"),
	IGN("HostbasedAuthentication"), IGN("HostbasedUsesNameFromPacketOnly"),
	IGN("HostbasedAcceptedAlgorithms"), IGN("IgnoreRhosts"), IGN("IgnoreUserKnownHosts"),
	IGN("PermitTTY"), IGN("PermitUserEnvironment"), IGN("PermitUserRC"),
	IGN("PermitTunnel"), IGN("AllowAgentForwarding"), IGN("ClientAliveInterval"),
	IGN("ClientAliveCountMax"), IGN("Compression"), IGN("IPQoS"), IGN("FingerprintHash"),
	IGN("ModuliFile"), IGN("ExposeAuthInfo"), IGN("TrustedUserCAKeys"),
	IGN("AuthorizedPrincipalsFile"), IGN("AuthorizedPrincipalsCommand"),
	IGN("AuthorizedPrincipalsCommandUser"), IGN("AuthorizedKeysCommand"),
	IGN("AuthorizedKeysCommandUser"), IGN("SecurityKeyProvider"),
	IGN("StreamLocalBindMask"), IGN("StreamLocalBindUnlink"), IGN("HostCertificate"),
	IGN("UsePrivilegeSeparation"), IGN("Protocol"), IGN("KeyRegenerationInterval"),
	IGN("ServerKeyBits"), IGN("RSAAuthentication"), IGN("RhostsRSAAuthentication"),
	IGN("UseLogin"), IGN("UseRoaming"),

	/* Restrictions and limits: refusing beats silently not enforcing them. */
	REF("AllowUsers"), REF("DenyUsers"), REF("AllowGroups"), REF("DenyGroups"),
	REF("Match"), REF("ForceCommand"), REF("AuthenticationMethods"),
	REF("AllowStreamLocalForwarding"), REF("GatewayPorts"), REF("MaxSessions"),
	REF("MaxStartups"), REF("PerSourceMaxStartups"), REF("PerSourceNetBlockSize"),
	REF("PubkeyAcceptedAlgorithms"), REF("PubkeyAcceptedKeyTypes"),
	REF("PubkeyAuthOptions"), REF("RequiredRSASize"), REF("RevokedKeys"),
	REF("CASignatureAlgorithms"), REF("MACs"), REF("ChannelTimeout"),
	REF("UnusedConnectionTimeout"), REF("HostKeyAgent"), REF_UNLESS("StrictModes", "no"),
	REF_UNLESS("PubkeyAuthentication", "yes"),
	REF_UNLESS("AllowTcpForwarding", "yes"),
	REF_UNLESS("DisableForwarding", "no"),
	REF_UNLESS("PermitOpen", "any"),
	REF_UNLESS("PermitListen", "any"),
	REF_UNLESS("ChrootDirectory", "none"),
	REF_UNLESS("Banner", "none"),
};

const struct skw *scfg_keyword(const char *name)
{
	for (size_t i = 0; i < sizeof(server_keywords) / sizeof(server_keywords[0]); i++)
		if (strcasecmp(name, server_keywords[i].name) == 0)
			return &server_keywords[i];
	return NULL;
}
