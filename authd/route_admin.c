/*
 * route_admin.c: who am I, and the admin console's API.
 *
 *   GET    /v1/me
 *   GET    /v1/admin/users?role=ROLE
 *   GET    /v1/admin/users/{username}/credentials
 *   DELETE /v1/admin/credentials/{credential_id}     {"reason"}
 *   GET    /v1/admin/audit?limit=N
 *
 * Every admin endpoint checks the caller's role on the server; a courier,
 * a customer or a service gets 403.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civetweb.h"

#include "authd/aaguid.h"
#include "authd/authd.h"
#include "authd/routes.h"

#define AUDIT_MAX	500

static void
iso(int64_t t, char *buf, size_t len)
{
	time_t		tt = (time_t)t;
	struct tm	tm;

	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static json_t *
time_or_null(int64_t t)
{
	char buf[32];

	if (t == 0)
		return (json_null());
	iso(t, buf, sizeof(buf));

	return (json_string(buf));
}

/* The caller must be a signed-in admin; sends 401/403 otherwise. */
static int
admin_only(struct http_req *r, struct caller *c)
{
	if (route_caller(r, c) < 0)
		return (-1);
	if (c->is_service || c->user.role != STORE_ROLE_ADMIN) {
		http_error(r, 403, "forbidden", "this needs an admin");
		return (-1);
	}

	return (0);
}

int
route_me(struct http_req *r)
{
	struct caller		c;
	struct store_session	s;

	if (route_caller(r, &c) < 0)
		return (0);
	if (c.is_service) {
		http_error(r, 403, "forbidden", "a service is not a user");
		return (0);
	}
	if (store_session_get(r->st, c.sid, &s) != STORE_OK) {
		http_error(r, 401, "session_ended", "the session has ended");
		return (0);
	}
	http_json(r, 200, json_pack("{s:s, s:s, s:s, s:I, s:o}", "username",
	    c.user.username, "display_name", c.user.display_name, "role",
	    store_role_name(c.user.role), "session_expires_at",
	    (json_int_t)s.expires, "session_expires", time_or_null(s.expires)));

	return (0);
}

struct count {
	size_t	live;
};

static int
count_cred(const struct store_cred *cr, void *arg)
{
	struct count *n = arg;

	if (cr->revoked_at == 0)
		n->live++;

	return (0);
}

struct users {
	struct store	*st;
	json_t		*arr;
};

static int
add_user(const struct store_user *u, void *arg)
{
	struct users	*l = arg;
	struct count	 n = { 0 };

	(void)store_cred_list(l->st, u->id, count_cred, &n);
	json_array_append_new(l->arr, json_pack("{s:s, s:s, s:s, s:s, s:o, "
	    "s:I}", "username", u->username, "role", store_role_name(u->role),
	    "display_name", u->display_name, "contact", u->contact, "created",
	    time_or_null(u->created),
	    "devices", (json_int_t)n.live));

	return (json_array_size(l->arr) >= 10000);
}

int
route_admin_users(struct http_req *r)
{
	const struct mg_request_info	*ri = mg_get_request_info(r->conn);
	struct caller			 c;
	struct users			 l;
	char				 role_s[16] = "";
	enum store_role			 role = 0;
	int				 e;

	if (admin_only(r, &c) < 0)
		return (0);
	if (ri->query_string != NULL && mg_get_var(ri->query_string,
	    strlen(ri->query_string), "role", role_s, sizeof(role_s)) > 0 &&
	    (role = store_role_parse(role_s)) == 0) {
		http_error(r, 400, "malformed_request",
		    "role is courier, customer or admin");
		return (0);
	}
	l.st = r->st;
	l.arr = json_array();
	if ((e = store_user_list(r->st, role, add_user, &l)) != STORE_OK) {
		json_decref(l.arr);
		route_store_error(r, e);
		return (0);
	}
	http_json(r, 200, json_pack("{s:o}", "users", l.arr));

	return (0);
}

static int
add_cred(const struct store_cred *cr, void *arg)
{
	json_t		*arr = arg;
	char		*id = wa_b64url_encode(cr->id, cr->id_len);
	char		 aaguid[37];
	const char	*model;

	aaguid_format(cr->aaguid, aaguid);
	model = aaguid_name(cr->aaguid);
	json_array_append_new(arr, json_pack("{s:s?, s:s, s:s, s:s?, s:s, "
	    "s:b, s:b, s:o, s:o, s:s, s:o, s:s, s:s}",
	    "credential_id", id, "label", cr->label, "aaguid", aaguid,
	    "authenticator", model, "fmt", cr->fmt, "trusted", cr->trusted,
	    "synced", cr->be, "created", time_or_null(cr->created),
	    "last_used", time_or_null(cr->last_used), "state",
	    cr->revoked_at != 0 ? "revoked" : "active", "revoked_at",
	    time_or_null(cr->revoked_at), "revoked_by", cr->revoked_by,
	    "revoke_reason", cr->revoke_reason));
	free(id);

	return (0);
}

/* The path segment after prefix, up to the next '/' or the end. */
static int
path_segment(const struct http_req *r, const char *prefix, char *out,
    size_t len, const char **rest)
{
	const char	*uri = mg_get_request_info(r->conn)->local_uri;
	const char	*p, *end;
	size_t		 n;

	if (strncmp(uri, prefix, strlen(prefix)) != 0)
		return (-1);
	p = uri + strlen(prefix);
	end = strchr(p, '/');
	n = end != NULL ? (size_t)(end - p) : strlen(p);
	if (n == 0 || n >= len)
		return (-1);
	memcpy(out, p, n);
	out[n] = '\0';
	if (rest != NULL)
		*rest = end != NULL ? end : "";

	return (0);
}

int
route_admin_user_credentials(struct http_req *r)
{
	struct caller		 c;
	struct store_user	 u;
	const char		*rest;
	char			 name[STORE_MAX_USERNAME + 1];
	json_t			*arr;
	int			 e;

	if (admin_only(r, &c) < 0)
		return (0);
	if (path_segment(r, "/v1/admin/users/", name, sizeof(name),
	    &rest) < 0 || strcmp(rest, "/credentials") != 0) {
		http_error(r, 404, "not_found", "no such endpoint");
		return (0);
	}
	if ((e = store_user_by_name(r->st, name, &u)) != STORE_OK) {
		route_store_error(r, e);
		return (0);
	}
	arr = json_array();
	if ((e = store_cred_list(r->st, u.id, add_cred, arr)) != STORE_OK) {
		json_decref(arr);
		route_store_error(r, e);
		return (0);
	}
	http_json(r, 200, json_pack("{s:s, s:o}", "username", u.username,
	    "credentials", arr));

	return (0);
}

int
route_admin_revoke(struct http_req *r)
{
	struct caller	 c;
	json_t		*body;
	const char	*reason, *rest;
	char		 id_s[1400];
	unsigned char	 id[WA_MAX_CRED_ID];
	size_t		 len;
	int64_t		 now = now_s();
	int		 e;

	if (admin_only(r, &c) < 0)
		return (0);
	if (path_segment(r, "/v1/admin/credentials/", id_s, sizeof(id_s),
	    &rest) < 0 || *rest != '\0' || wa_b64url_decode(id_s,
	    strlen(id_s), id, sizeof(id), &len) != WA_OK || len == 0) {
		http_error(r, 404, "not_found", "no such credential");
		return (0);
	}
	if ((body = http_body_json(r)) == NULL)
		return (0);
	reason = json_string_value(json_object_get(body, "reason"));
	if (reason == NULL || *reason == '\0' ||
	    strlen(reason) > STORE_MAX_REASON) {
		json_decref(body);
		http_error(r, 400, "malformed_request",
		    "a reason of 1-256 characters is required");
		return (0);
	}
	e = store_cred_revoke(r->st, id, len, now, c.user.username, reason);
	if (e == STORE_ERR_LAST_ADMIN) {
		json_decref(body);
		http_error(r, 409, "last_admin_device", "this is the last "
		    "device of the last admin; enroll another admin first");
		return (0);
	} else if (e == STORE_ERR_REVOKED) {
		json_decref(body);
		http_error(r, 409, "already_revoked",
		    "this credential was revoked already");
		return (0);
	} else if (e != STORE_OK) {
		json_decref(body);
		route_store_error(r, e);
		return (0);
	}
	(void)store_audit(r->st, now, "revocation", c.user.username, id_s,
	    reason);
	log_event("revocation", "rid", r->id, "by", c.user.username, NULL);
	http_json(r, 200, json_pack("{s:s, s:s}", "revoked", id_s, "reason",
	    reason));
	json_decref(body);

	return (0);
}

struct ring {
	json_t	*items[AUDIT_MAX];
	size_t	 n, head, limit;
};

static int
add_audit(const struct store_audit_rec *a, void *arg)
{
	struct ring	*rg = arg;
	json_t		*detail = NULL, *o;
	json_error_t	 jerr;

	if (a->detail[0] != '\0')
		detail = json_loads(a->detail, JSON_DECODE_ANY, &jerr);
	o = json_pack("{s:I, s:o, s:s, s:s, s:s, s:o}", "seq",
	    (json_int_t)a->seq, "time", time_or_null(a->time), "event",
	    a->event, "actor", a->actor, "subject", a->subject, "detail",
	    detail != NULL ? detail : json_null());
	/* Keep the newest `limit` entries. */
	if (rg->n == rg->limit) {
		json_decref(rg->items[rg->head]);
		rg->items[rg->head] = o;
		rg->head = (rg->head + 1) % rg->limit;
	} else
		rg->items[rg->n++] = o;

	return (0);
}

int
route_admin_audit(struct http_req *r)
{
	const struct mg_request_info	*ri = mg_get_request_info(r->conn);
	struct caller			 c;
	struct ring			 rg;
	char				 lim[16];
	json_t				*arr;
	long				 limit = 50;
	int				 e;

	if (admin_only(r, &c) < 0)
		return (0);
	if (ri->query_string != NULL && mg_get_var(ri->query_string,
	    strlen(ri->query_string), "limit", lim, sizeof(lim)) > 0) {
		char *end;

		limit = strtol(lim, &end, 10);
		if (*end != '\0' || limit < 1 || limit > AUDIT_MAX) {
			http_error(r, 400, "malformed_request",
			    "limit is 1 to 500");
			return (0);
		}
	}
	memset(&rg, 0, sizeof(rg));
	rg.limit = (size_t)limit;
	e = store_audit_list(r->st, 0, 0, add_audit, &rg);
	arr = json_array();
	/* Newest first. */
	for (size_t i = 0; i < rg.n; i++)
		json_array_append_new(arr, rg.items[(rg.head + rg.n - 1 - i) %
		    rg.n]);
	if (e != STORE_OK) {
		json_decref(arr);
		route_store_error(r, e);
		return (0);
	}
	http_json(r, 200, json_pack("{s:o}", "events", arr));

	return (0);
}
