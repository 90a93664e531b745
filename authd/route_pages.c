/*
 * route_pages.c: the static pages and their assets, from web_root.
 *
 *   /enroll, /login, /admin      the pages
 *   /confirm/<id>                the delivery confirmation page
 *   /<name>.<js|css|svg|png|ico>  assets (also under /static/)
 *
 * Only names of letters, digits, '-', '_' and one '.' are served, from
 * the web folder itself: no traversal, no listings.  Every page carries
 * a strict Content-Security-Policy (no inline script).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "civetweb.h"

#include "authd/authd.h"
#include "authd/routes.h"

#define MAX_ASSET	(2 * 1024 * 1024)

static const char csp[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'";

static const struct {
	const char	*ext;
	const char	*type;
} types[] = {
	{ "html", "text/html; charset=utf-8" },
	{ "js", "text/javascript; charset=utf-8" },
	{ "mjs", "text/javascript; charset=utf-8" },
	{ "css", "text/css; charset=utf-8" },
	{ "svg", "image/svg+xml" },
	{ "png", "image/png" },
	{ "ico", "image/x-icon" },
	{ "webmanifest", "application/manifest+json" },
};

static const char *
type_of(const char *name)
{
	const char *dot = strrchr(name, '.');

	if (dot == NULL)
		return (NULL);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(dot + 1, types[i].ext) == 0)
			return (types[i].type);

	return (NULL);
}

static bool
safe_name(const char *s)
{
	size_t	n = strlen(s), dots = 0;

	if (n == 0 || n > 64 || s[0] == '.')
		return (false);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.')
			dots++;
		else if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
		    !(c >= '0' && c <= '9') && c != '-' && c != '_')
			return (false);
	}

	return (dots == 1);
}

static void
send_file(struct http_req *r, const char *name)
{
	char		 path[CFG_MAX_STR + 80];
	const char	*type;
	FILE		*f = NULL;
	char		*buf = NULL;
	struct stat	 sb;
	size_t		 n;

	if (!safe_name(name) || (type = type_of(name)) == NULL) {
		http_error(r, 404, "not_found", "no such page");
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", srv->cfg.web_root, name);
	if ((f = fopen(path, "rb")) == NULL || fstat(fileno(f), &sb) < 0 ||
	    !S_ISREG(sb.st_mode) || sb.st_size > MAX_ASSET ||
	    (buf = malloc((size_t)sb.st_size + 1)) == NULL) {
		if (f != NULL)
			fclose(f);
		http_error(r, 404, "not_found", "no such page");
		return;
	}
	n = fread(buf, 1, (size_t)sb.st_size, f);
	fclose(f);
	r->status = 200;
	mg_printf(r->conn, "HTTP/1.1 200 OK\r\n"
	    "Content-Type: %s\r\nContent-Length: %zu\r\n"
	    "Cache-Control: no-cache\r\n"
	    "Content-Security-Policy: %s\r\n"
	    "X-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\n"
	    "Referrer-Policy: no-referrer\r\n"
	    "Cross-Origin-Opener-Policy: same-origin\r\n"
	    "Permissions-Policy: camera=(), microphone=(), geolocation=()\r\n"
	    "%sX-Request-Id: %s\r\n\r\n", type, n, csp, srv->tls ?
	    "Strict-Transport-Security: max-age=63072000; "
	    "includeSubDomains\r\n" : "", r->id);
	if (strcmp(r->method, "HEAD") != 0)
		mg_write(r->conn, buf, n);
	free(buf);
}

int
route_page(struct http_req *r)
{
	const char *uri = mg_get_request_info(r->conn)->local_uri;

	if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
		http_error(r, 405, "method_not_allowed", "use GET");
		return (0);
	}
	if (strcmp(uri, "/") == 0) {
		r->status = 303;
		mg_printf(r->conn, "HTTP/1.1 303 See Other\r\nLocation: /login"
		    "\r\nContent-Length: 0\r\nX-Request-Id: %s\r\n\r\n", r->id);
		return (0);
	}
	if (strcmp(uri, "/enroll") == 0)
		send_file(r, "enroll.html");
	else if (strcmp(uri, "/login") == 0)
		send_file(r, "login.html");
	else if (strcmp(uri, "/admin") == 0)
		send_file(r, "admin.html");
	else if (strncmp(uri, "/confirm/", 9) == 0 &&
	    strchr(uri + 9, '/') == NULL && uri[9] != '\0')
		send_file(r, "confirm.html");
	else if (strncmp(uri, "/static/", 8) == 0)
		send_file(r, uri + 8);
	else if (strchr(uri + 1, '/') == NULL && type_of(uri + 1) != NULL &&
	    strcmp(type_of(uri + 1), types[0].type) != 0)
		send_file(r, uri + 1);
	else
		http_error(r, 404, "not_found", "no such page");

	return (0);
}
