/*
 * authctl_verify.c: `authctl verify-registration` and `authctl
 * verify-authentication`, for an operator checking what a real device
 * sent.  The response JSON comes on standard input; the verdict goes to
 * standard output as one JSON object.  Exit status: 0 valid, 1 invalid,
 * 2 usage or I/O error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "authd/aaguid.h"
#include "authd/authctl.h"
#include "webauthn/webauthn.h"

#define MAX_ALLOWED	64
#define WA_MAX_ALGS_ARG	16

struct verify_args {
	struct wa_rp	*rp;
	unsigned char	 chal[WA_MAX_CHALLENGE];
	size_t		 chal_len;
	bool		 have_chal;
	/* authentication only */
	unsigned char	*pubkey;
	size_t		 pubkey_len;
	long long	 sign_count;
	unsigned char	 cred_id[WA_MAX_CRED_ID];
	size_t		 cred_id_len;
	unsigned char	 uh[WA_MAX_USER_HANDLE];
	size_t		 uh_len;
	bool		 have_uh;
	int		 be;		/* -1 unknown */
	unsigned char	*allowed[MAX_ALLOWED];
	size_t		 allowed_len[MAX_ALLOWED];
	size_t		 nallowed;
};

enum {
	OPT_RP_ID = 256, OPT_ORIGIN, OPT_CHALLENGE, OPT_REQUIRE_UV, OPT_ALG,
	OPT_AT, OPT_TRUST_ANCHOR, OPT_ALLOW_CROSS, OPT_TOP_ORIGIN,
	OPT_PUBLIC_KEY, OPT_SIGN_COUNT, OPT_CRED_ID, OPT_USER_HANDLE,
	OPT_BACKUP_ELIGIBLE, OPT_ALLOW_CRED, OPT_HELP,
};

static const struct option reg_opts[] = {
	{ "rp-id", required_argument, NULL, OPT_RP_ID },
	{ "origin", required_argument, NULL, OPT_ORIGIN },
	{ "challenge", required_argument, NULL, OPT_CHALLENGE },
	{ "require-uv", no_argument, NULL, OPT_REQUIRE_UV },
	{ "alg", required_argument, NULL, OPT_ALG },
	{ "at", required_argument, NULL, OPT_AT },
	{ "trust-anchor", required_argument, NULL, OPT_TRUST_ANCHOR },
	{ "allow-cross-origin", no_argument, NULL, OPT_ALLOW_CROSS },
	{ "top-origin", required_argument, NULL, OPT_TOP_ORIGIN },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static const struct option auth_opts[] = {
	{ "rp-id", required_argument, NULL, OPT_RP_ID },
	{ "origin", required_argument, NULL, OPT_ORIGIN },
	{ "challenge", required_argument, NULL, OPT_CHALLENGE },
	{ "require-uv", no_argument, NULL, OPT_REQUIRE_UV },
	{ "allow-cross-origin", no_argument, NULL, OPT_ALLOW_CROSS },
	{ "top-origin", required_argument, NULL, OPT_TOP_ORIGIN },
	{ "public-key", required_argument, NULL, OPT_PUBLIC_KEY },
	{ "sign-count", required_argument, NULL, OPT_SIGN_COUNT },
	{ "credential-id", required_argument, NULL, OPT_CRED_ID },
	{ "user-handle", required_argument, NULL, OPT_USER_HANDLE },
	{ "backup-eligible", required_argument, NULL, OPT_BACKUP_ELIGIBLE },
	{ "allow-credential", required_argument, NULL, OPT_ALLOW_CRED },
	{ "at", required_argument, NULL, OPT_AT },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static const char reg_usage[] =
"usage: authctl verify-registration --rp-id ID --origin ORIGIN [--origin ...]\n"
"           --challenge B64URL [--require-uv] [--alg COSE_ALG ...]\n"
"           [--at RFC3339_TIME] [--trust-anchor PEM_OR_DER_FILE ...]\n"
"           [--allow-cross-origin] [--top-origin ORIGIN ...]\n"
"           < RegistrationResponseJSON\n"
"\n"
"Verifies a registration response (WebAuthn §7.1) and prints one JSON\n"
"object: {\"valid\":true, \"fmt\", \"alg\", \"aaguid\", \"credential_id\",\n"
"\"public_key\", \"sign_count\", ...}\n"
"or {\"valid\":false, \"error\", \"message\"}.\n"
"--alg defaults to every supported algorithm (-7 -8 -35 -36 -37 -257).\n"
"Without --trust-anchor, an attestation that verifies but chains to no\n"
"anchor is valid with \"trusted\":false; with anchors, a chain that does\n"
"not verify to one of them is invalid.  --at sets the verification time\n"
"for certificates (default: now).\n"
"Exit status: 0 valid, 1 invalid, 2 usage or I/O error.\n";

static const char auth_usage[] =
"usage: authctl verify-authentication --rp-id ID --origin ORIGIN [...]\n"
"           --challenge B64URL --public-key COSE_B64URL --sign-count N\n"
"           [--credential-id B64URL] [--user-handle B64URL]\n"
"           [--backup-eligible 0|1] [--allow-credential B64URL ...]\n"
"           [--require-uv] [--allow-cross-origin] [--top-origin ORIGIN ...]\n"
"           < AuthenticationResponseJSON\n"
"\n"
"Verifies an assertion (WebAuthn §7.2) against a stored credential: its\n"
"COSE public key and sign count, and optionally its id, its user's handle\n"
"and its backup eligibility (without --backup-eligible, step 19 is not\n"
"checked).  A counter that does not increase is reported as\n"
"\"sign_count_not_increased\": a possible cloned authenticator.\n"
"Exit status: 0 valid, 1 invalid, 2 usage or I/O error.\n";

static int usage_error(const char *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static int
usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "authctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", usage);

	return (2);
}

static int
b64arg(const char *s, unsigned char *dst, size_t max, size_t *len)
{
	return (wa_b64url_decode(s, strlen(s), dst, max, len) == WA_OK &&
	    *len > 0 ? 0 : -1);
}

/* RFC 3339: 2006-01-02T15:04:05[.frac](Z|+hh:mm|-hh:mm). */
int
authctl_parse_time(const char *s, int64_t *out)
{
	struct tm	 tm;
	const char	*p;
	long		 off = 0;

	memset(&tm, 0, sizeof(tm));
	if ((p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return (-1);
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return (-1);
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if ((*p == '+' || *p == '-') && strlen(p) == 6 &&
	    p[3] == ':') {
		int hh, mm;

		if (sscanf(p + 1, "%2d:%2d", &hh, &mm) != 2 || hh > 23 ||
		    mm > 59)
			return (-1);
		off = (hh * 60 + mm) * 60;
		if (*p == '-')
			off = -off;
		p += 6;
	} else
		return (-1);
	if (*p != '\0')
		return (-1);
	*out = (int64_t)timegm(&tm) - off;

	return (*out >= 0 ? 0 : -1);
}

/* Reads a whole file, or standard input for NULL, up to max bytes. */
int
authctl_read_all(const char *path, size_t max, unsigned char **out,
    size_t *len)
{
	FILE		*f;
	unsigned char	*buf;
	size_t		 n;

	*out = NULL;
	if ((f = path == NULL ? stdin : fopen(path, "rb")) == NULL)
		return (-1);
	if ((buf = malloc(max + 1)) == NULL) {
		if (path != NULL)
			fclose(f);
		return (-1);
	}
	n = fread(buf, 1, max + 1, f);
	if (ferror(f) || n > max) {
		if (path != NULL)
			fclose(f);
		free(buf);
		errno = ferror(f) ? errno : EFBIG;
		return (-1);
	}
	if (path != NULL)
		fclose(f);
	buf[n] = '\0';
	*out = buf;
	*len = n;

	return (0);
}

static int
parse_args(int argc, char **argv, bool reg, struct verify_args *va)
{
	const char		*usage = reg ? reg_usage : auth_usage;
	const struct option	*opts = reg ? reg_opts : auth_opts;
	unsigned char		*der;
	size_t			 len;
	int			 algs[WA_MAX_ALGS_ARG], nalgs = 0, c, r;
	int64_t			 t;
	char			*end;
	bool			 have_id = false, have_origin = false;

	va->sign_count = -1;
	va->be = -1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_RP_ID:
			if (wa_rp_set_id(va->rp, optarg) != WA_OK)
				return (usage_error(usage, "bad --rp-id %s",
				    optarg));
			have_id = true;
			break;
		case OPT_ORIGIN:
			if (wa_rp_add_origin(va->rp, optarg) != WA_OK)
				return (usage_error(usage, "bad --origin %s",
				    optarg));
			have_origin = true;
			break;
		case OPT_CHALLENGE:
			if (b64arg(optarg, va->chal, sizeof(va->chal),
			    &va->chal_len) < 0)
				return (usage_error(usage, "--challenge %s: "
				    "not base64url of 1-64 bytes", optarg));
			va->have_chal = true;
			break;
		case OPT_REQUIRE_UV:
			wa_rp_set_require_uv(va->rp, true);
			break;
		case OPT_ALG:
			errno = 0;
			t = strtoll(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || t < INT32_MIN ||
			    t > INT32_MAX || nalgs == WA_MAX_ALGS_ARG)
				return (usage_error(usage, "bad --alg %s",
				    optarg));
			algs[nalgs++] = (int)t;
			break;
		case OPT_AT:
			if (authctl_parse_time(optarg, &t) < 0 ||
			    wa_rp_set_time(va->rp, t) != WA_OK)
				return (usage_error(usage, "--at %s: not an "
				    "RFC 3339 time", optarg));
			break;
		case OPT_TRUST_ANCHOR:
			if (authctl_read_all(optarg, 1 << 20, &der,
			    &len) < 0)
				return (usage_error(usage, "--trust-anchor "
				    "%s: cannot read", optarg));
			r = wa_rp_add_trust_anchor(va->rp, der, len);
			free(der);
			if (r != WA_OK)
				return (usage_error(usage, "--trust-anchor "
				    "%s: not a PEM or DER certificate",
				    optarg));
			break;
		case OPT_ALLOW_CROSS:
			wa_rp_set_allow_cross_origin(va->rp, true);
			break;
		case OPT_TOP_ORIGIN:
			if (wa_rp_add_top_origin(va->rp, optarg) != WA_OK)
				return (usage_error(usage,
				    "bad --top-origin %s", optarg));
			break;
		case OPT_PUBLIC_KEY:
			free(va->pubkey);
			if ((va->pubkey = malloc(strlen(optarg) + 1)) ==
			    NULL || b64arg(optarg, va->pubkey,
			    strlen(optarg) + 1, &va->pubkey_len) < 0)
				return (usage_error(usage,
				    "--public-key %s: not base64url", optarg));
			break;
		case OPT_SIGN_COUNT:
			errno = 0;
			va->sign_count = strtoll(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || *optarg == '\0' ||
			    va->sign_count < 0 ||
			    va->sign_count > UINT32_MAX)
				return (usage_error(usage,
				    "bad --sign-count %s", optarg));
			break;
		case OPT_CRED_ID:
			if (b64arg(optarg, va->cred_id, sizeof(va->cred_id),
			    &va->cred_id_len) < 0)
				return (usage_error(usage, "--credential-id "
				    "%s: not base64url", optarg));
			break;
		case OPT_USER_HANDLE:
			if (b64arg(optarg, va->uh, sizeof(va->uh),
			    &va->uh_len) < 0)
				return (usage_error(usage, "--user-handle "
				    "%s: not base64url of 1-64 bytes", optarg));
			va->have_uh = true;
			break;
		case OPT_BACKUP_ELIGIBLE:
			if (strcmp(optarg, "0") != 0 &&
			    strcmp(optarg, "1") != 0)
				return (usage_error(usage,
				    "--backup-eligible %s: 0 or 1", optarg));
			va->be = optarg[0] == '1';
			break;
		case OPT_ALLOW_CRED:
			if (va->nallowed == MAX_ALLOWED)
				return (usage_error(usage, "%s",
				    "too many --allow-credential"));
			if ((va->allowed[va->nallowed] = malloc(
			    WA_MAX_CRED_ID)) == NULL)
				return (2);
			/* Counted at once, so that it is freed. */
			va->nallowed++;
			if (b64arg(optarg, va->allowed[va->nallowed - 1],
			    WA_MAX_CRED_ID,
			    &va->allowed_len[va->nallowed - 1]) < 0)
				return (usage_error(usage, "--allow-credential"
				    " %s: not base64url", optarg));
			break;
		case OPT_HELP:
			fputs(usage, stdout);
			exit(0);
		default:
			fputs(usage, stderr);
			return (2);
		}
	}
	if (optind != argc)
		return (usage_error(usage, "unexpected argument %s",
		    argv[optind]));
	if (!have_id || !have_origin || !va->have_chal)
		return (usage_error(usage, "%s",
		    "--rp-id, --origin and --challenge are required"));
	if (!reg && (va->pubkey == NULL || va->sign_count < 0))
		return (usage_error(usage, "%s",
		    "--public-key and --sign-count are required"));
	if (nalgs > 0 && (r = wa_rp_set_algs(va->rp, algs,
	    (size_t)nalgs)) != WA_OK)
		return (usage_error(usage, "--alg: %s",
		    r == WA_ERR_UNSUPPORTED_ALG ? "unsupported algorithm" :
		    "invalid list"));

	return (0);
}

static void
set_b64(json_t *o, const char *key, const unsigned char *p, size_t n)
{
	char *s;

	if ((s = wa_b64url_encode(p, n)) != NULL) {
		json_object_set_new(o, key, json_string(s));
		free(s);
	}
}

static void
set_flags(json_t *o, uint8_t flags)
{
	json_object_set_new(o, "user_present",
	    json_boolean(flags & WA_FLAG_UP));
	json_object_set_new(o, "user_verified",
	    json_boolean(flags & WA_FLAG_UV));
	json_object_set_new(o, "backup_eligible",
	    json_boolean(flags & WA_FLAG_BE));
	json_object_set_new(o, "backup_state",
	    json_boolean(flags & WA_FLAG_BS));
}

static int
emit(json_t *o)
{
	char *s;

	if ((s = json_dumps(o, JSON_COMPACT)) == NULL) {
		json_decref(o);
		return (-1);
	}
	puts(s);
	free(s);
	json_decref(o);

	return (0);
}

static json_t *
invalid(int r)
{
	return (json_pack("{s:b, s:s, s:s}", "valid", 0, "error",
	    wa_errname(r), "message", wa_strerr(r)));
}

static json_t *
reg_result(const struct wa_reg *reg)
{
	const unsigned char	*a = wa_reg_aaguid_ptr(reg);
	json_t			*o, *tr;
	char			 uuid[37];

	aaguid_format(a, uuid);
	o = json_pack("{s:b, s:s, s:i, s:s}", "valid", 1, "fmt",
	    wa_reg_fmt(reg), "alg", wa_reg_alg(reg), "aaguid", uuid);
	if (o == NULL)
		return (NULL);
	set_b64(o, "credential_id", wa_reg_cred_id_ptr(reg),
	    wa_reg_cred_id_len(reg));
	set_b64(o, "public_key", wa_reg_pubkey_ptr(reg),
	    wa_reg_pubkey_len(reg));
	json_object_set_new(o, "sign_count",
	    json_integer(wa_reg_sign_count(reg)));
	set_flags(o, wa_reg_flags(reg));
	json_object_set_new(o, "attestation_type",
	    json_string(wa_att_type_name(wa_reg_att_type(reg))));
	json_object_set_new(o, "trusted", json_boolean(wa_reg_trusted(reg)));
	if ((tr = json_array()) != NULL) {
		for (unsigned int b = 1; b != 0 && b <= 0x80; b <<= 1)
			if ((wa_reg_transports(reg) & b) &&
			    wa_transport_name(b) != NULL)
				json_array_append_new(tr,
				    json_string(wa_transport_name(b)));
		json_object_set_new(o, "transports", tr);
	}
	if (wa_reg_cred_props_rk(reg) >= 0)
		json_object_set_new(o, "discoverable",
		    json_boolean(wa_reg_cred_props_rk(reg)));

	return (o);
}

static int
run(int argc, char **argv, bool reg)
{
	struct verify_args	 va;
	struct wa_reg		*rg = NULL;
	struct wa_assert	*as = NULL;
	unsigned char		*in = NULL;
	json_t			*out = NULL;
	size_t			 in_len;
	int			 r, status;

	memset(&va, 0, sizeof(va));
	if ((va.rp = wa_rp_new()) == NULL) {
		status = 2;
		goto done;
	}
	if ((status = parse_args(argc, argv, reg, &va)) != 0)
		goto done;
	if (authctl_read_all(NULL, WA_MAX_RESPONSE_JSON, &in, &in_len) < 0) {
		if (errno == EFBIG) {
			out = invalid(WA_ERR_TOO_LARGE);
			status = 1;
		} else {
			fprintf(stderr, "authctl: reading standard input: "
			    "%s\n", strerror(errno));
			status = 2;
		}
		goto done;
	}
	if (reg) {
		if ((rg = wa_reg_new()) == NULL) {
			status = 2;
			goto done;
		}
		r = wa_reg_verify(rg, va.rp, va.chal, va.chal_len,
		    (const char *)in, in_len);
		out = r == WA_OK ? reg_result(rg) : invalid(r);
		status = r == WA_OK ? 0 : 1;
		goto done;
	}
	if ((as = wa_assert_new()) == NULL) {
		status = 2;
		goto done;
	}
	if ((r = wa_assert_parse(as, (const char *)in, in_len)) != WA_OK)
		goto verdict;
	if (va.cred_id_len > 0 && (va.cred_id_len !=
	    wa_assert_cred_id_len(as) || memcmp(va.cred_id,
	    wa_assert_cred_id_ptr(as), va.cred_id_len) != 0)) {
		r = WA_ERR_CRED_ID;
		goto verdict;
	}
	for (size_t i = 0; i < va.nallowed; i++)
		if ((r = wa_assert_add_allowed(as, va.allowed[i],
		    va.allowed_len[i])) != WA_OK)
			goto verdict;
	if ((r = wa_assert_set_stored(as, va.pubkey, va.pubkey_len,
	    (uint32_t)va.sign_count, va.be == 1, va.have_uh ? va.uh : NULL,
	    va.uh_len)) != WA_OK)
		goto verdict;
	wa_assert_set_insecure_any_backup_eligibility(as, va.be < 0);
	r = wa_assert_verify(as, va.rp, va.chal, va.chal_len);
verdict:
	if (r == WA_OK) {
		out = json_pack("{s:b, s:i}", "valid", 1, "alg",
		    wa_assert_alg(as));
		if (out != NULL) {
			set_b64(out, "credential_id", wa_assert_cred_id_ptr(as),
			    wa_assert_cred_id_len(as));
			json_object_set_new(out, "sign_count",
			    json_integer(wa_assert_sign_count(as)));
			set_flags(out, wa_assert_flags(as));
			if (wa_assert_user_handle_ptr(as) != NULL)
				set_b64(out, "user_handle",
				    wa_assert_user_handle_ptr(as),
				    wa_assert_user_handle_len(as));
		}
	} else {
		out = invalid(r);
		/* A clone signal still reports the counter it saw. */
		if (r == WA_ERR_SIGN_COUNT && out != NULL)
			json_object_set_new(out, "sign_count",
			    json_integer(wa_assert_sign_count(as)));
	}
	status = r == WA_OK ? 0 : 1;
done:
	if (out != NULL && emit(out) < 0)
		status = 2;
	else if (out == NULL && status != 2 && status != 0 && in != NULL)
		status = 2;
	wa_reg_free(&rg);
	wa_assert_free(&as);
	wa_rp_free(&va.rp);
	free(va.pubkey);
	for (size_t i = 0; i < va.nallowed; i++)
		free(va.allowed[i]);
	free(in);

	return (status);
}

int
authctl_verify_registration(int argc, char **argv)
{
	return (run(argc, argv, true));
}

int
authctl_verify_authentication(int argc, char **argv)
{
	return (run(argc, argv, false));
}
