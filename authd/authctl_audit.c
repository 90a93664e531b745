/*
 * authctl_audit.c: `authctl audit verify|export|checkpoint` and
 * `authctl backup FILE` (issue 5).
 *
 * verify recomputes the audit hash chain (store_audit_verify) and, when
 * the store holds a signed checkpoint, checks the newest one: its JWS
 * must verify against the token signing keys in the store (retired ones
 * included), name the same seq and hash, and that entry must still be in
 * the chain with that hash, which also catches entries cut from the
 * tail up to the checkpoint.  Exit 0 intact, 1 tampered, 3 if the
 * database could not be read; the JSON names the first bad seq.
 *
 * A checkpoint is a JWS of type AUDIT_TYP with the claims
 *	{"iss": issuer, "sub": "audit", "aud": AUDIT_AUD, "seq": N,
 *	 "hash": hex, "iat": t, "exp": t + 1}
 * verified as of its own time t (a checkpoint never expires; exp only
 * satisfies the JWT profile that token_verify enforces).  authd makes
 * the same with keys_sign(); `audit checkpoint` makes one here.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "authd/authctl.h"
#include "authd/cfg.h"
#include "authd/token.h"
#include "store/store.h"
#include "webauthn/webauthn.h"

#define AUDIT_TYP	"audit-checkpoint+jwt"
#define AUDIT_AUD	"authd-audit"

#define EXIT_TAMPERED	1
#define EXIT_UNREADABLE	3

static void
hex(const unsigned char *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

static void
iso(int64_t t, char *buf, size_t len)
{
	time_t		tt = (time_t)t;
	struct tm	tm;

	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
print_json(json_t *o)
{
	char *s;

	if (o != NULL && (s = json_dumps(o, JSON_COMPACT |
	    JSON_PRESERVE_ORDER)) != NULL) {
		puts(s);
		free(s);
	}
	json_decref(o);
}

/* The claims of a checkpoint over (seq, hash) at time t. */
static json_t *
checkpoint_claims(const struct cfg *cfg, int64_t seq,
    const unsigned char *hash, int64_t t)
{
	char h[2 * STORE_HASH_LEN + 1];

	hex(hash, STORE_HASH_LEN, h);

	return (json_pack("{s:s, s:s, s:s, s:I, s:s, s:I, s:I}", "iss",
	    cfg->issuer, "sub", "audit", "aud", AUDIT_AUD, "seq",
	    (json_int_t)seq, "hash", h, "iat", (json_int_t)t, "exp",
	    (json_int_t)(t + 1)));
}

static int
add_key(const struct store_key *sk, void *arg)
{
	struct token_keyset	*ks = arg;
	struct token_key	*k = NULL;

	/* An unusable or duplicate key just cannot verify anything. */
	if (token_key_from_der(sk->priv, sk->priv_len, &k) == TOKEN_OK)
		(void)token_keyset_add_key(ks, k);
	token_key_free(&k);

	return (token_keyset_count(ks) >= TOKEN_MAX_KEYS);
}

/* The kid of a compact JWS's header, for the report ("" if none). */
static void
jws_kid(const char *jws, char *kid, size_t len)
{
	unsigned char	 buf[1024];
	const char	*dot, *k;
	size_t		 n;
	json_t		*h;
	json_error_t	 jerr;

	snprintf(kid, len, "%s", "");
	if ((dot = strchr(jws, '.')) == NULL || wa_b64url_decode(jws,
	    (size_t)(dot - jws), buf, sizeof(buf) - 1, &n) != WA_OK)
		return;
	if ((h = json_loadb((const char *)buf, n, 0, &jerr)) == NULL)
		return;
	if ((k = json_string_value(json_object_get(h, "kid"))) != NULL)
		snprintf(kid, len, "%s", k);
	json_decref(h);
}

/*
 * Checks a checkpoint's signature against every key in the store and
 * that its seq is still in the chain c describes.  NULL if good, else
 * the problem.  OUT: kid, the signing key's (for the report).
 */
static const char *
check_checkpoint(struct store *st, const struct store_audit_check *c,
    const struct store_audit_checkpoint *cp, char *kid, size_t kid_len)
{
	struct token_keyset	*ks = NULL;
	json_t			*claims = NULL;
	const char		*problem = NULL, *h;
	char			 want[2 * STORE_HASH_LEN + 1];
	json_int_t		 seq;

	jws_kid(cp->jws, kid, kid_len);
	if ((ks = token_keyset_new()) == NULL ||
	    store_key_list(st, 0, add_key, ks) != STORE_OK) {
		problem = "checkpoint_unreadable";
		goto out;
	}
	/* iss is not pinned: the issuer may have been renamed since. */
	if (token_verify(cp->jws, strlen(cp->jws), ks, AUDIT_TYP, NULL,
	    AUDIT_AUD, cp->time, 0, &claims) != TOKEN_OK) {
		problem = "checkpoint_signature";
		goto out;
	}
	hex(cp->hash, STORE_HASH_LEN, want);
	if (json_unpack(claims, "{s:I, s:s}", "seq", &seq, "hash", &h) != 0 ||
	    seq != cp->seq || strcmp(h, want) != 0) {
		problem = "checkpoint_signature";
		goto out;
	}
	/* The signed head must still be where it was. */
	if (cp->seq > c->head_seq || cp->seq < c->first_seq)
		problem = "missing";
out:
	json_decref(claims);
	token_keyset_free(&ks);

	return (problem);
}

struct hash_at {
	int64_t		seq;
	bool		found;
	unsigned char	hash[STORE_HASH_LEN];
};

static int
find_hash(const struct store_audit_rec *a, void *arg)
{
	struct hash_at *h = arg;

	if (a->seq == h->seq && a->chained) {
		h->found = true;
		memcpy(h->hash, a->hash, sizeof(h->hash));
	}

	return (1);
}

static int
audit_verify(const struct cfg *cfg, int argc, char **argv)
{
	struct store_audit_checkpoint	*cp = NULL;
	struct store_audit_check	 c;
	struct store			*st = NULL;
	struct hash_at			 at;
	const char			*problem;
	char				 head[2 * STORE_HASH_LEN + 1];
	char				 kid[TOKEN_MAX_KID + 1] = "";
	int64_t				 bad;
	bool				 have_cp = false;
	int				 e, rc = EXIT_UNREADABLE;
	json_t				*o;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: authctl audit verify\n");
		return (2);
	}
	if (authctl_open(cfg, true, &st) < 0)
		return (EXIT_UNREADABLE);
	if ((cp = calloc(1, sizeof(*cp))) == NULL)
		goto done;
	if ((e = store_audit_verify(st, &c)) != STORE_OK) {
		fprintf(stderr, "authctl: audit verify: %s\n",
		    store_strerr(e));
		goto done;
	}
	problem = c.problem;
	bad = c.bad_seq;
	e = store_audit_checkpoint_last(st, cp);
	if (e != STORE_OK && e != STORE_ERR_NOT_FOUND) {
		fprintf(stderr, "authctl: audit verify: checkpoint: %s\n",
		    store_strerr(e));
		goto done;
	}
	have_cp = e == STORE_OK;
	/* A broken chain is reported first: it is the earlier problem. */
	if (problem == NULL && have_cp && (problem = check_checkpoint(st,
	    &c, cp, kid, sizeof(kid))) != NULL)
		bad = strcmp(problem, "missing") == 0 ? c.head_seq + 1 :
		    cp->seq;
	if (problem == NULL && have_cp) {
		memset(&at, 0, sizeof(at));
		at.seq = cp->seq;
		if ((e = store_audit_list(st, cp->seq - 1, 1, find_hash,
		    &at)) != STORE_OK) {
			fprintf(stderr, "authctl: audit verify: %s\n",
			    store_strerr(e));
			goto done;
		}
		if (!at.found || CRYPTO_memcmp(at.hash, cp->hash,
		    STORE_HASH_LEN) != 0) {
			problem = "checkpoint_mismatch";
			bad = cp->seq;
		}
	}
	hex(c.head_hash, STORE_HASH_LEN, head);
	if (problem != NULL) {
		o = json_pack("{s:b, s:I, s:s}", "valid", 0, "seq",
		    (json_int_t)bad, "problem", problem);
		rc = EXIT_TAMPERED;
	} else {
		o = json_pack("{s:b, s:I, s:I, s:I, s:s?}", "valid", 1,
		    "entries", (json_int_t)c.entries, "unchained",
		    (json_int_t)c.unchained, "head_seq",
		    (json_int_t)c.head_seq, "head_hash",
		    c.head_seq != 0 ? head : NULL);
		rc = 0;
	}
	if (o != NULL && have_cp)
		json_object_set_new(o, "checkpoint", json_pack("{s:I, s:s?}",
		    "seq", (json_int_t)cp->seq, "kid", kid[0] != '\0' ? kid :
		    NULL));
	print_json(o);
done:
	free(cp);
	store_close(&st);

	return (rc);
}

static int
print_entry(const struct store_audit_rec *a, void *arg)
{
	char		 t[32], h[2 * STORE_HASH_LEN + 1];
	json_t		*detail = NULL;
	json_error_t	 jerr;

	(void)arg;
	iso(a->time, t, sizeof(t));
	hex(a->hash, STORE_HASH_LEN, h);
	/* Stored details are JSON; anything else is shown as a string. */
	if (a->detail[0] != '\0' && (detail = json_loads(a->detail,
	    JSON_DECODE_ANY, &jerr)) == NULL)
		detail = json_string(a->detail);
	print_json(json_pack("{s:I, s:s, s:s, s:s, s:s, s:o?, s:s?}", "seq",
	    (json_int_t)a->seq, "time", t, "event", a->event, "actor",
	    a->actor, "subject", a->subject, "detail", detail, "hash",
	    a->chained ? h : NULL));

	return (0);
}

static int
audit_export(const struct cfg *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	struct store	*st = NULL;
	long long	 since = 0;
	char		*end;
	int		 ch, e;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 's')
			return (2);
		since = strtoll(optarg, &end, 10);
		if (*optarg == '\0' || *end != '\0' || since < 0) {
			fprintf(stderr, "authctl: --since %s: not a seq\n",
			    optarg);
			return (2);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "usage: authctl audit export [--since SEQ]\n");
		return (2);
	}
	if (authctl_open(cfg, false, &st) < 0)
		return (1);
	e = store_audit_list(st, (int64_t)since, 0, print_entry, NULL);
	store_close(&st);
	if (e != STORE_OK) {
		fprintf(stderr, "authctl: audit export: %s\n",
		    store_strerr(e));
		return (1);
	}

	return (0);
}

/* The newest current key (retired_at 0): the one authd signs with. */
static int
current_key(const struct store_key *sk, void *arg)
{
	struct token_key **k = arg;

	if (sk->retired_at != 0)
		return (0);
	(void)token_key_from_der(sk->priv, sk->priv_len, k);

	return (1);
}

static int
audit_checkpoint(const struct cfg *cfg, int argc, char **argv)
{
	struct store_audit_checkpoint	*cp = NULL;
	struct store			*st = NULL;
	struct token_key		*k = NULL;
	json_t				*claims = NULL;
	char				*jws = NULL;
	int64_t				 now = (int64_t)time(NULL);
	int				 e, rc = 1;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: authctl audit checkpoint\n");
		return (2);
	}
	if (authctl_open(cfg, true, &st) < 0)
		return (1);
	if ((cp = calloc(1, sizeof(*cp))) == NULL)
		goto done;
	if ((e = store_audit_head(st, &cp->seq, cp->hash)) != STORE_OK) {
		fprintf(stderr, "authctl: audit checkpoint: %s\n",
		    e == STORE_ERR_NOT_FOUND ? "no chained entry yet" :
		    store_strerr(e));
		goto done;
	}
	if (store_key_list(st, now, current_key, &k) != STORE_OK ||
	    k == NULL) {
		fprintf(stderr, "authctl: audit checkpoint: no usable token "
		    "signing key (start authd once)\n");
		goto done;
	}
	cp->time = now;
	if ((claims = checkpoint_claims(cfg, cp->seq, cp->hash, now)) ==
	    NULL || token_sign(k, AUDIT_TYP, claims, &jws) != TOKEN_OK ||
	    strlen(jws) > STORE_MAX_JWS) {
		fprintf(stderr, "authctl: audit checkpoint: cannot sign\n");
		goto done;
	}
	snprintf(cp->jws, sizeof(cp->jws), "%s", jws);
	if ((e = store_audit_checkpoint_put(st, cp)) != STORE_OK) {
		fprintf(stderr, "authctl: audit checkpoint: %s\n",
		    store_strerr(e));
		goto done;
	}
	print_json(json_pack("{s:I, s:s}", "checkpoint", (json_int_t)cp->seq,
	    "kid", token_key_kid(k)));
	rc = 0;
done:
	json_decref(claims);
	free(jws);
	free(cp);
	token_key_free(&k);
	store_close(&st);

	return (rc);
}

int
authctl_audit(const struct cfg *cfg, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "verify") == 0)
		return (audit_verify(cfg, argc - 1, argv + 1));
	if (argc >= 2 && strcmp(argv[1], "export") == 0)
		return (audit_export(cfg, argc - 1, argv + 1));
	if (argc >= 2 && strcmp(argv[1], "checkpoint") == 0)
		return (audit_checkpoint(cfg, argc - 1, argv + 1));
	fprintf(stderr, "usage: authctl audit verify | export [--since SEQ] "
	    "| checkpoint\n");

	return (2);
}

int
authctl_backup(const struct cfg *cfg, int argc, char **argv)
{
	struct store	*st = NULL;
	int64_t		 pages = 0;
	int		 e;

	if (argc != 2 || *argv[1] == '\0') {
		fprintf(stderr, "usage: authctl backup FILE\n");
		return (2);
	}
	if (authctl_open(cfg, false, &st) < 0)
		return (1);
	e = store_backup(st, argv[1], &pages);
	store_close(&st);
	if (e == STORE_ERR_EXISTS) {
		fprintf(stderr, "authctl: backup: %s exists; refusing to "
		    "overwrite it\n", argv[1]);
		return (1);
	}
	if (e != STORE_OK) {
		fprintf(stderr, "authctl: backup: %s\n", store_strerr(e));
		return (1);
	}
	print_json(json_pack("{s:s, s:I}", "backup", argv[1], "pages",
	    (json_int_t)pages));

	return (0);
}
