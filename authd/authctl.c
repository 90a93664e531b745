/*
 * authctl.c: authd's administration tool.  Each command lives in its own
 * file; this one dispatches.
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
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: authctl COMMAND [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-24s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\nRun 'authctl COMMAND --help' for a command's options.\n");
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return (2);
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return (0);
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return (commands[i].run(argc - 1, argv + 1));
	fprintf(stderr, "authctl: unknown command '%s'\n", argv[1]);
	usage(stderr);

	return (2);
}
