/*
 * authctl.c: authd's administration tool.  Each command lives in its own
 * file; this one reads the global options and dispatches.
 */
#include <stdio.h>
#include <string.h>

#include "authd/authctl.h"

static const struct {
	const char	*name;
	int		(*run)(int, char **);
	const char	*help;
} commands[] = {
	{ "verify-registration", authctl_verify_registration,
	  "check a RegistrationResponseJSON from a real device" },
	{ "verify-authentication", authctl_verify_authentication,
	  "check an AuthenticationResponseJSON against a stored key" },
	{ "token", authctl_token,
	  "token verify: check an access token against a JWKS" },
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: authctl [--config FILE] [--db PATH] COMMAND "
	    "[OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-24s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n");
	authctl_admin_usage(f);
	fprintf(f, "\nRun 'authctl COMMAND --help' for a command's options.\n");
}

int
main(int argc, char **argv)
{
	const char	*config = NULL, *db = NULL;
	int		 i, r;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			config = argv[++i];
		else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
			db = argv[++i];
		else
			break;
	}
	if (i >= argc) {
		usage(stderr);
		return (2);
	}
	if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0 ||
	    strcmp(argv[i], "help") == 0) {
		usage(stdout);
		return (0);
	}
	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
		if (strcmp(argv[i], commands[c].name) == 0)
			return (commands[c].run(argc - i, argv + i));
	if ((r = authctl_admin(config, db, argc - i, argv + i)) >= 0)
		return (r);
	fprintf(stderr, "authctl: unknown command '%s'\n", argv[i]);
	usage(stderr);

	return (2);
}
