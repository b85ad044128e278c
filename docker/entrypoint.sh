#!/bin/sh
# The image's entrypoint: raises the soft open-file limit to the hard one, then runs the service in this process.
# Every WebSocket is a file descriptor, and the node caps its connections below the soft limit it finds when it
# starts (docs/connections.md, "The open-file limit"). A container cannot raise its hard limit (its runtime sets that:
# docker --ulimit, compose's ulimits, the Kubernetes node's containerd), but it may raise its soft limit up to it, and
# runtimes often start containers at a soft limit of 1024 whatever the hard limit allows.
hard=$(ulimit -H -n)
if ! ulimit -S -n "$hard" 2>/dev/null; then
    echo "entrypoint: the soft open-file limit stays $(ulimit -S -n); raising it to the hard limit ($hard) failed" >&2
fi
exec dotnet Switchboard.Service.dll "$@"
