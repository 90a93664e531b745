/*
 * keys.c: the token signing keys (see keys.h).
 *
 * The key set is rebuilt only when the store's list of keys changes
 * (checked at most every KEYS_RECHECK seconds, by one caller, without
 * holding the lock), so signing takes no lock beyond a pointer copy.
 * Replaced key sets are kept until exit: a worker may still be signing
 * with one.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "authd/authd.h"
#include "authd/keys.h"
#include "authd/token.h"

#define KEYS_RECHECK	5	/* seconds */
#define MAX_GENERATIONS	64

struct keyring {
	struct token_key	*keys[TOKEN_MAX_KEYS];
	size_t			 nkeys;		/* keys[0] signs */
	struct token_keyset	*set;
	char			*jwks;
	char			 sig[TOKEN_MAX_KEYS * 24];	/* kids */
};

static pthread_mutex_t	 mtx = PTHREAD_MUTEX_INITIALIZER;
static struct keyring	*current;
static struct keyring	*old[MAX_GENERATIONS];
static size_t		 nold;
static int64_t		 checked_at;
static bool		 loading;	/* a caller is in ring_load() */

static void
ring_free(struct keyring *k)
{
	if (k == NULL)
		return;
	for (size_t i = 0; i < k->nkeys; i++)
		token_key_free(&k->keys[i]);
	token_keyset_free(&k->set);
	free(k->jwks);
	free(k);
}

static int
add_stored(const struct store_key *sk, void *arg)
{
	struct keyring *k = arg;

	if (k->nkeys == TOKEN_MAX_KEYS)
		return (1);
	if (token_key_from_der(sk->priv, sk->priv_len,
	    &k->keys[k->nkeys]) != TOKEN_OK) {
		log_event("key_unusable", "kid", sk->kid, NULL);
		return (0);
	}
	strncat(k->sig, sk->kid, sizeof(k->sig) - strlen(k->sig) - 2);
	strncat(k->sig, ",", sizeof(k->sig) - strlen(k->sig) - 1);
	k->nkeys++;

	return (0);
}

/* Loads the store's live keys; NULL if there are none or on error. */
static struct keyring *
ring_load(struct store *st)
{
	struct keyring *k;

	if ((k = calloc(1, sizeof(*k))) == NULL)
		return (NULL);
	if (store_key_list(st, now_s(), add_stored, k) != STORE_OK ||
	    k->nkeys == 0 || (k->set = token_keyset_new()) == NULL)
		goto fail;
	for (size_t i = 0; i < k->nkeys; i++)
		if (token_keyset_add_key(k->set, k->keys[i]) != TOKEN_OK)
			goto fail;
	if (token_jwks_json((const struct token_key *const *)k->keys,
	    k->nkeys, &k->jwks) != TOKEN_OK)
		goto fail;

	return (k);
fail:
	ring_free(k);

	return (NULL);
}

static int
generate(struct store *st)
{
	struct token_key	*key = NULL;
	struct store_key	 sk;
	int			 alg, r = -1;

	alg = strcmp(srv->cfg.token_alg, "ES256") == 0 ? TOKEN_ALG_ES256 :
	    TOKEN_ALG_EDDSA;
	memset(&sk, 0, sizeof(sk));
	if (token_key_generate(alg, &key) != TOKEN_OK ||
	    token_key_to_der(key, sk.priv, sizeof(sk.priv),
	    &sk.priv_len) != TOKEN_OK)
		goto fail;
	snprintf(sk.kid, sizeof(sk.kid), "%s", token_key_kid(key));
	snprintf(sk.alg, sizeof(sk.alg), "%s", token_alg_name(alg));
	sk.created = now_s();
	if (store_key_put(st, &sk) != STORE_OK)
		goto fail;
	log_event("key_created", "kid", sk.kid, "alg", sk.alg, NULL);
	r = 0;
fail:
	OPENSSL_cleanse(&sk, sizeof(sk));
	token_key_free(&key);

	return (r);
}

int
keys_init(struct store *st, char *err, size_t errlen)
{
	if ((current = ring_load(st)) == NULL) {
		if (generate(st) < 0 || (current = ring_load(st)) == NULL) {
			snprintf(err, errlen, "cannot create or load the token "
			    "signing key");
			return (-1);
		}
	}
	checked_at = now_s();

	return (0);
}

void
keys_fini(void)
{
	ring_free(current);
	current = NULL;
	for (size_t i = 0; i < nold; i++)
		ring_free(old[i]);
	nold = 0;
}

/*
 * The current ring, reloaded if `authctl keys rotate` changed it.  One
 * caller at a time reloads, outside the mutex: loading unseals and
 * decodes every key, milliseconds, and the other signers go on with the
 * current ring meanwhile.
 */
static struct keyring *
ring(struct store *st)
{
	struct keyring	*k, *fresh;
	int64_t		 now = now_s();
	bool		 reload;

	pthread_mutex_lock(&mtx);
	k = current;
	reload = !loading && now - checked_at >= KEYS_RECHECK &&
	    nold < MAX_GENERATIONS;
	if (reload) {
		checked_at = now;
		loading = true;
	}
	pthread_mutex_unlock(&mtx);
	if (!reload)
		return (k);

	fresh = ring_load(st);
	pthread_mutex_lock(&mtx);
	if (fresh != NULL && strcmp(fresh->sig, current->sig) != 0) {
		old[nold++] = current;
		current = fresh;
		log_event("keys_reloaded", NULL);
	} else
		ring_free(fresh);
	loading = false;
	k = current;
	pthread_mutex_unlock(&mtx);

	return (k);
}

int
keys_sign(struct store *st, const char *typ, const json_t *claims,
    char **jwt)
{
	return (token_sign(ring(st)->keys[0], typ, claims, jwt) == TOKEN_OK ?
	    0 : -1);
}

int
keys_verify(struct store *st, const char *jwt, const char *typ,
    const char *aud, json_t **claims)
{
	return (token_verify(jwt, strlen(jwt), ring(st)->set, typ,
	    srv->cfg.issuer, aud, now_s(), 5, claims));
}

json_t *
keys_jwks(struct store *st)
{
	json_error_t jerr;

	return (json_loads(ring(st)->jwks, 0, &jerr));
}
