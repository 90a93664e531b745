/*
 * Civetweb's access log, in a build without file system access
 * (NO_FILESYSTEMS): none.  authd writes its own line for every request.
 */
static void
log_access(const struct mg_connection *conn)
{
	(void)conn;
}
