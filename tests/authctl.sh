#!/bin/sh
# authctl.sh AUTHCTL VECTORS: the authctl verify-* contract, end to end.
exec python3 "$(dirname "$0")/authctl_test.py" "$@"
