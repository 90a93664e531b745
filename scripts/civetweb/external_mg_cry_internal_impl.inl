/*
 * Civetweb's error messages, in a build without file system access
 * (NO_FILESYSTEMS): formatted, then handed to the log_message callback,
 * which authd sets.  With no callback, or when it declines the message,
 * it goes to standard error; there is no error log file to open.
 */
static void
mg_cry_internal_impl(const struct mg_connection *conn, const char *func,
    unsigned line, const char *fmt, va_list ap)
{
	char buf[MG_BUF_LEN];

	(void)func;
	(void)line;
#if defined(GCC_DIAGNOSTIC)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#endif
	IGNORE_UNUSED_RESULT(vsnprintf_impl(buf, sizeof(buf), fmt, ap));
#if defined(GCC_DIAGNOSTIC)
#pragma GCC diagnostic pop
#endif
	buf[sizeof(buf) - 1] = '\0';

	if (conn != NULL && conn->phys_ctx != NULL &&
	    conn->phys_ctx->callbacks.log_message != NULL &&
	    conn->phys_ctx->callbacks.log_message(conn, buf) != 0)
		return;
	fprintf(stderr, "civetweb: %s\n", buf);
}
