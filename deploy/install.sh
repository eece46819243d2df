#!/usr/bin/env bash
# Install hitpm for a whole JupyterHub: one Python environment every user can run, with JupyterHub,
# nbgrader and the kit; nbgrader's exchange; the learner side of nbgrader for everyone.
# Run as root. The instructor's own side is deploy/setup-instructor.sh.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: install.sh [--prefix DIR] [--exchange DIR] [--state DIR] [--python PYTHON] [--kit WHAT] [--lms]

  --prefix DIR     where the shared environment goes (default /opt/hitpm)
  --exchange DIR   nbgrader's exchange, shared by everyone (default /srv/nbgrader/exchange)
  --state DIR      the hub's own state: its database and cookie secret (default /srv/jupyterhub)
  --python PYTHON  a Python 3.11 or newer that every user may run (default /usr/bin/python3)
  --kit WHAT       what pip installs as the kit (default: the clone this script is in)
  --lms            with the lms extra: LTI 1.3 launches from the LMS and `hitpm lms push` (see the README)
USAGE
}

here="$(cd "$(dirname "$0")" && pwd)"
prefix=/opt/hitpm
exchange=/srv/nbgrader/exchange
state=/srv/jupyterhub
python=/usr/bin/python3
kit="$(dirname "$here")"
extras=""
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix="$2"; shift 2 ;;
    --exchange) exchange="$2"; shift 2 ;;
    --state) state="$2"; shift 2 ;;
    --python) python="$2"; shift 2 ;;
    --kit) kit="$2"; shift 2 ;;
    --lms) extras="[lms]"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done

fail() { echo "install.sh: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "run as root: it makes a shared environment and the exchange folder"

# Every learner's server runs this Python as that learner. An interpreter under a home folder others
# cannot enter (pyenv under /root, say) starts for root and fails for everyone else.
runuser -u nobody -- "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
  || fail "$python is not a Python 3.11 or newer that other users can run; pass --python (Debian 12: /usr/bin/python3)"
"$python" -c 'import ensurepip, venv' 2>/dev/null \
  || fail "$python cannot make a virtual environment: install its venv module (Debian: apt-get install python3-venv)"
command -v configurable-http-proxy >/dev/null \
  || fail "configurable-http-proxy is missing: npm install -g configurable-http-proxy (it needs Node.js)"

say() { echo "install.sh: $*"; }
umask 022
# A clone is installed from a fresh copy of what it holds: pip builds a folder in place, and
# setuptools' build/ there would carry files deleted since into the environment.
if [ -d "$kit" ]; then
  staging="$(mktemp -d)"
  trap 'rm -rf "$staging"' EXIT
  if git -C "$kit" rev-parse --show-toplevel >/dev/null 2>&1; then
    (cd "$kit" && git ls-files -z --cached --others --exclude-standard \
      | tar --null --ignore-failed-read -T - -cf -) | tar -xf - -C "$staging"
  else
    cp -r "$kit/." "$staging"
  fi
  kit="$staging"
fi
if [ ! -x "$prefix/bin/python" ]; then
  say "making the shared environment $prefix"
  "$python" -m venv "$prefix"
fi
say "installing JupyterHub, nbgrader and the kit into $prefix with pip (a minute or two) ..."
"$prefix/bin/python" -m pip install --quiet "jupyterhub>=5.0" "$kit$extras"
chmod 0755 "$prefix"

# nbgrader's learner side for everyone: the exchange and the course id (the course's own
# nbgrader_config.py says the same course id). Read from the environment's etc/jupyter, a
# folder of Jupyter's configuration path, like /etc/jupyter but belonging to this install.
say "nbgrader's settings for every user: course hitpm, exchange $exchange"
mkdir -p "$prefix/etc/jupyter"
sed "s|@EXCHANGE@|$exchange|" "$here/nbgrader_config.py" > "$prefix/etc/jupyter/nbgrader_config.py"
cp "$here/jupyter_server_config.py" "$prefix/etc/jupyter/jupyter_server_config.py"

# Learners get the assignment list only: fetch, submit, validate, feedback. Formgrader, the course
# list and the create-assignment toolbar are enabled per instructor by setup-instructor.sh.
say "turning formgrader and the instructor's tools off for learners"
export PATH="$prefix/bin:$PATH"
jupyter server extension disable --sys-prefix \
  nbgrader.server_extensions.formgrader nbgrader.server_extensions.course_list >/dev/null 2>&1
instructor_only=(@jupyter/nbgrader:formgrader @jupyter/nbgrader:course-list @jupyter/nbgrader:create-assignment)
jupyter labextension disable --level=sys_prefix "${instructor_only[@]}" >/dev/null 2>&1
# Unlocked, so that an instructor's own settings can enable them again.
jupyter labextension unlock --level=sys_prefix "${instructor_only[@]}" >/dev/null 2>&1
# The notebook toolbar's Validate for everyone: hitpm's, whose failures read as `hitpm check`'s (a test's
# message), in place of nbgrader's (raw tracebacks).
# Written as a file: `jupyter server extension enable` refuses an extension no configuration lists yet.
jupyter server extension disable --sys-prefix nbgrader.server_extensions.validate_assignment >/dev/null 2>&1
mkdir -p "$prefix/etc/jupyter/jupyter_server_config.d"
cat > "$prefix/etc/jupyter/jupyter_server_config.d/hitpm-validate.json" <<'JSON'
{
  "ServerApp": {
    "jpserver_extensions": {
      "hitpm_widgets.validate_extension": true
    }
  }
}
JSON

# The exchange: everyone may create in it (the sticky bit: nobody removes what others made). nbgrader
# makes the course's folders inside with its own modes: inbound is write-only for learners, so no
# learner can list the others' submissions.
say "the exchange $exchange"
mkdir -p "$exchange"
chmod 1777 "$exchange"

# The hub's configuration, and the folder for its state (users, tokens, cookie secret): root's only.
sed "s|^STATE = .*|STATE = Path(\"$state\")|" "$here/jupyterhub_config.py" > "$prefix/etc/jupyterhub_config.py"
mkdir -p -m 0700 "$state"
echo "hitpm installed in $prefix; exchange $exchange; start the hub with:"
echo "  $prefix/bin/jupyterhub -f $prefix/etc/jupyterhub_config.py"
