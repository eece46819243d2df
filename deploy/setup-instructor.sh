#!/usr/bin/env bash
# The instructor's side of a hitpm class on JupyterHub: the course folder (a copy of the kit's course
# root: nbgrader_config.py and the source workbooks, and the cases' teaching notes), nbgrader told where it is, and formgrader enabled
# for this account only. Run it as the instructor (or as root: setup-instructor.sh --user NAME ...).
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: setup-instructor.sh [--user NAME] [--prefix DIR] [--course DIR] [--kit DIR] [--db-url URL]

  --user NAME    the instructor's account (as root only; default: whoever runs it)
  --prefix DIR   the shared environment install.sh made (default /opt/hitpm)
  --course DIR   the course folder to make (default ~/hitpm-course)
  --kit DIR      a clone of the kit to copy the course from (default: the clone this script is in)
  --db-url URL   a gradebook other than course/gradebook.db, e.g. postgresql+psycopg2://...
USAGE
}

here="$(cd "$(dirname "$0")" && pwd)"
user=""
prefix=/opt/hitpm
course=""
kit="$(dirname "$here")"
db_url=""
while [ $# -gt 0 ]; do
  case "$1" in
    --user) user="$2"; shift 2 ;;
    --prefix) prefix="$2"; shift 2 ;;
    --course) course="$2"; shift 2 ;;
    --kit) kit="$2"; shift 2 ;;
    --db-url) db_url="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
fail() { echo "setup-instructor.sh: $*" >&2; exit 1; }

if [ -n "$user" ] && [ "$user" != "$(id -un)" ]; then
  [ "$(id -u)" -eq 0 ] || fail "only root can set up another account (--user)"
  # The instructor cannot read a clone under /root, and the workbooks hold the solutions: no copy of them
  # may be readable by anyone else, not even while this runs. So root writes nothing: the files go
  # through a pipe to the instructor's own process, into a folder that only the instructor can open.
  args=(--prefix "$prefix")
  [ -n "$course" ] && args+=(--course "$course")
  [ -n "$db_url" ] && args+=(--db-url "$db_url")
  read -r -d '' receive <<'RECEIVE' || true
set -euo pipefail
umask 077
staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
tar -C "$staging" -xf - --no-same-permissions
bash "$staging/deploy/setup-instructor.sh" --kit "$staging" "$@"
RECEIVE
  (cd "$kit" && tar -cf - nbgrader_config.py workbooks cases/*/teaching-note.md \
      -C "$here" --transform 's,^setup-instructor\.sh$,deploy/&,' setup-instructor.sh) \
    | (cd / && runuser -u "$user" -- bash -c "$receive" setup-instructor.sh "${args[@]}")
  exit 0
fi

[ -x "$prefix/bin/jupyter" ] || fail "no hitpm install in $prefix: run install.sh first (or pass --prefix)"
course="${course:-$HOME/hitpm-course}"
[ -e "$course" ] && fail "$course exists already: remove it or pass --course DIR"
umask 077

# The course folder holds the solutions, every submission and the gradebook: only you may read it.
chmod 0700 "$HOME"
mkdir -p "$course"
cp "$kit/nbgrader_config.py" "$course/"
cp -r "$kit/workbooks" "$course/"
find "$course/workbooks" \( -name .hitpm -o -name .ipynb_checkpoints \) -prune -exec rm -rf {} +
# The teaching notes (each case's reference analysis and the rubrics of the answers graded by hand): in the
# private course folder, for the instructor only. Learners' installs never carry them.
mkdir -p "$course/teaching-notes"
for note in "$kit"/cases/*/teaching-note.md; do
  case_name="$(basename "$(dirname "$note")")"
  cp "$note" "$course/teaching-notes/$case_name.md"
done

mkdir -p "$HOME/.jupyter"
{
  echo "# Written by hitpm's deploy/setup-instructor.sh: where this instructor's course is."
  echo "c = get_config()  # noqa: F821"
  echo "c.CourseDirectory.root = '$course'"
  if [ -n "$db_url" ]; then
    echo "c.CourseDirectory.db_url = '$db_url'"
  fi
} > "$HOME/.jupyter/nbgrader_config.py"

# Formgrader, the course list and the create-assignment toolbar: for this account only (install.sh
# disabled them for everyone; user settings win over the environment's). Written as a file:
# `jupyter server extension enable --user` refuses an extension the user's own settings do not list yet.
mkdir -p "$HOME/.jupyter/jupyter_server_config.d"
cat > "$HOME/.jupyter/jupyter_server_config.d/hitpm-instructor.json" <<'JSON'
{
  "ServerApp": {
    "jpserver_extensions": {
      "nbgrader.server_extensions.formgrader": true,
      "nbgrader.server_extensions.course_list": true
    }
  }
}
JSON
export PATH="$prefix/bin:$PATH"
jupyter labextension enable --level=user \
  @jupyter/nbgrader:formgrader @jupyter/nbgrader:course-list @jupyter/nbgrader:create-assignment >/dev/null 2>&1
echo "course folder $course; formgrader enabled for $(id -un) (restart your server to see it)"
