/*
 * main.c: authd's start and stop.  Loads the configuration, opens and
 * migrates the store, makes the first signing key and, while there is
 * no admin, a one-time enrollment link for the first one; then serves
 * HTTP(S) with Civetweb until SIGTERM or SIGINT, when it lets requests in
 * flight finish and closes the store cleanly.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "civetweb.h"

#include "authd/authd.h"
#include "authd/ceremony.h"
#include "authd/ratelimit.h"
#include "authd/routes.h"

#define AUDIT_CHECKPOINT_SECONDS	300

struct server		*srv;
static struct server	 server;

static int
init_ssl(void *ssl_ctx, void *user_data)
{
	SSL_CTX *ctx = ssl_ctx;

	(void)user_data;
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
	    SSL_CTX_use_certificate_chain_file(ctx, srv->cfg.tls_cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, srv->cfg.tls_key,
	    SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
		fprintf(stderr, "authd: tls_cert, tls_key: cannot load the "
		    "certificate and key\n");
		return (-1);
	}
	/* TLS 1.3 is preferred; TLS 1.2 only with forward-secret AEADs. */
	if (SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM:ECDHE+CHACHA20") !=
	    1) {
		fprintf(stderr, "authd: cannot set the TLS 1.2 ciphers\n");
		return (-1);
	}
	SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE |
	    SSL_OP_NO_RENEGOTIATION);

	return (1);	/* configured here; Civetweb loads nothing */
}

static int
log_message(const struct mg_connection *conn, const char *msg)
{
	(void)conn;
	log_event("http_error", "message", msg, NULL);

	return (1);
}

static void
exit_thread(const struct mg_context *ctx, int type, void *user_ptr)
{
	(void)ctx;
	(void)type;
	(void)user_ptr;
	routes_thread_exit();
}

static int
make_dirs(const char *path)
{
	char	 dir[CFG_MAX_STR];
	char	*p;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((p = strrchr(dir, '/')) == NULL)
		return (0);
	*p = '\0';
	for (p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return (-1);
		*p = '/';
	}
	if (dir[0] != '\0' && mkdir(dir, 0700) < 0 && errno != EEXIST)
		return (-1);

	return (0);
}

static int
start_http(void)
{
	struct mg_callbacks	 cb;
	const char		*opts[32];
	char			 ports[CFG_MAX_LISTEN * 130], threads[16];
	char			 req_to[24], ka_to[24];
	char			 err[256];
	struct mg_init_data	 init;
	struct mg_error_data	 errd;
	size_t			 n = 0, o = 0;

	for (size_t i = 0; i < srv->cfg.nlisten; i++)
		o += (size_t)snprintf(ports + o, sizeof(ports) - o, "%s%s%s",
		    i > 0 ? "," : "", srv->cfg.listen[i], srv->tls ? "s" : "");
	snprintf(threads, sizeof(threads), "%d", srv->cfg.threads);
	snprintf(req_to, sizeof(req_to), "%lld",
	    (long long)srv->cfg.request_timeout_ms);
	snprintf(ka_to, sizeof(ka_to), "%lld",
	    (long long)srv->cfg.keep_alive_timeout_ms);
	opts[n++] = "listening_ports";
	opts[n++] = ports;
	opts[n++] = "num_threads";
	opts[n++] = threads;
	opts[n++] = "tcp_nodelay";
	opts[n++] = "1";
	opts[n++] = "enable_keep_alive";
	opts[n++] = "yes";
	/*
	 * A connection that sends nothing, or its headers too slowly, is
	 * closed after request_timeout_ms (a deadline for the whole header,
	 * not per read), an idle keep-alive one after keep_alive_timeout_ms:
	 * slow clients cannot pin the workers.
	 */
	opts[n++] = "keep_alive_timeout_ms";
	opts[n++] = ka_to;
	opts[n++] = "request_timeout_ms";
	opts[n++] = req_to;
	/* Request line and headers: beyond it, 413 (Civetweb). */
	opts[n++] = "max_request_size";
	opts[n++] = "16384";
	opts[n++] = "enable_directory_listing";
	opts[n++] = "no";
	if (srv->tls) {
		opts[n++] = "ssl_protocol_version";
		opts[n++] = "4";	/* TLS 1.2 and later */
	}
	opts[n] = NULL;

	memset(&cb, 0, sizeof(cb));
	cb.init_ssl = init_ssl;
	cb.log_message = log_message;
	cb.exit_thread = exit_thread;
	memset(&init, 0, sizeof(init));
	init.callbacks = &cb;
	init.configuration_options = opts;
	memset(&errd, 0, sizeof(errd));
	errd.text = err;
	errd.text_buffer_size = sizeof(err);
	err[0] = '\0';
	if ((srv->ctx = mg_start2(&init, &errd)) == NULL) {
		fprintf(stderr, "authd: listen %s: %s\n", ports,
		    err[0] != '\0' ? err : "cannot start the HTTP server");
		return (-1);
	}
	routes_register(srv->ctx);

	return (0);
}

int
main(int argc, char **argv)
{
	const char	*config = getenv("AUTHD_CONFIG");
	char		 err[1024];
	sigset_t	 set;
	int		 sig;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			cfg_usage(stdout);
			return (0);
		}
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			config = argv[i + 1];
		else if (strncmp(argv[i], "--config=", 9) == 0)
			config = argv[i] + 9;
	}
	srv = &server;
	if (cfg_load(&srv->cfg, config, argc - 1, argv + 1, err,
	    sizeof(err)) < 0) {
		fprintf(stderr, "authd: invalid configuration: %s\n", err);
		return (2);
	}
	log_set_level(srv->cfg.log_level);
	srv->tls = srv->cfg.tls_cert[0] != '\0';
	umask(077);
	if (make_dirs(srv->cfg.database) < 0) {
		fprintf(stderr, "authd: database: cannot create the folder "
		    "of %s: %s\n", srv->cfg.database, strerror(errno));
		return (1);
	}
	ceremony_init();
	ratelimit_init();
	if (routes_init(err, sizeof(err)) < 0) {
		fprintf(stderr, "authd: %s\n", err);
		return (1);
	}

	/* Signals are taken by sigwait() below, in this thread only. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	mg_init_library(srv->tls ? MG_FEATURES_TLS : 0);
	if (start_http() < 0) {
		routes_fini();
		return (1);
	}
	log_event("started", "listen", srv->cfg.listen[0], "rp_id",
	    srv->cfg.rp_id, "tls", srv->tls ? "yes" : "no", NULL);
	routes_first_admin();

	/* Between signals, sign the audit chain's head now and then. */
	for (;;) {
		struct timespec ts = { AUDIT_CHECKPOINT_SECONDS, 0 };

		if ((sig = sigtimedwait(&set, NULL, &ts)) > 0)
			break;
		if (sig < 0 && errno == EAGAIN)
			routes_audit_checkpoint();
	}
	log_event("stopping", "signal", sig == SIGTERM ? "SIGTERM" : "SIGINT",
	    NULL);
	mg_stop(srv->ctx);	/* waits for the requests in flight */
	routes_audit_checkpoint();
	routes_fini();
	mg_exit_library();
	log_event("stopped", NULL);

	return (0);
}
