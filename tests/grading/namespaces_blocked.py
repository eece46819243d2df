"""Run a command where no namespace can be made, as in a container started without the rights to make
them, or on Ubuntu where AppArmor keeps ordinary users from user namespaces:

    python namespaces_blocked.py COMMAND [ARG ...]

The command runs in a user namespace of its own, as the same user with the same powers over the same
files (root keeps every user id; an ordinary user keeps their own), whose limits allow no further user,
mount, PID or network namespace. Exits with the command's exit status."""

from __future__ import annotations

import os
import sys

from hitpm_widgets.grading.isolation.syscalls import CLONE_NEWUSER, unshare

LIMITS = ("max_user_namespaces", "max_mnt_namespaces", "max_pid_namespaces", "max_net_namespaces")


def main(command: list[str]) -> int:
    uid, gid = os.geteuid(), os.getegid()
    ready_read, ready_write = os.pipe()
    mapped_read, mapped_write = os.pipe()
    child = os.fork()
    if child == 0:
        try:
            unshare(CLONE_NEWUSER)
            os.write(ready_write, b"1")
            if os.read(mapped_read, 1) != b"1":
                os._exit(125)
            # Its creator holds every capability in the new namespace until it execs: enough to set its limits.
            for limit in LIMITS:
                with open(f"/proc/sys/user/{limit}", "w") as stream:
                    stream.write("0")
            os.execvp(command[0], command)
        except BaseException as error:  # noqa: BLE001 - said, then the child ends without running pytest's code
            print(f"namespaces_blocked: {error}", file=sys.stderr)
        os._exit(125)
    os.read(ready_read, 1)
    # Root maps every id onto itself; an ordinary user may map only their own.
    ids = ("0 0 4294967295\n", "0 0 4294967295\n") if uid == 0 else (f"{uid} {uid} 1\n", f"{gid} {gid} 1\n")
    if uid != 0:
        with open(f"/proc/{child}/setgroups", "w") as stream:
            stream.write("deny")
    with open(f"/proc/{child}/uid_map", "w") as stream:
        stream.write(ids[0])
    with open(f"/proc/{child}/gid_map", "w") as stream:
        stream.write(ids[1])
    os.write(mapped_write, b"1")
    return os.waitstatus_to_exitcode(os.waitpid(child, 0)[1])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
