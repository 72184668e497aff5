#!/usr/bin/env bash
# The pre-commit hook, with the real pre-commit tool (Debian's package) in a temporary git
# repository: a commit that changes a model header without a revision is refused with the missing
# operations shown; after `revision --autogenerate` the commit goes through. The hook judges what
# the commit holds (an untracked revision does not count), runs on deletions and shows warnings.
source "$(dirname "$0")/lib.sh"
command -v pre-commit >/dev/null || { fail "pre-commit is not installed (.ci/install-deps installs it)"; finish; }
export PATH="$(dirname "$SG"):$PATH" PRE_COMMIT_HOME="$WORK/pre-commit-home"
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com
git_() { git -c init.defaultBranch=main -c commit.gpgsign=false "$@"; }

# the hook repository: schemagen's .pre-commit-hooks.yaml, as pre-commit fetches it
mkdir hooks && cp "$SRC/.pre-commit-hooks.yaml" hooks/
(cd hooks && git_ init -q && git_ add -A && git_ commit -qm hooks) || fail "hook repository"
rev=$(git -C hooks rev-parse HEAD)

mkdir app && cd app
git_ init -q
printf 'script_location: revisions\nmodels: {sources: [models.hpp]}\n' > schemagen.yaml
mkdir revisions
cat > models.hpp <<'HPP'
#include <schemagen/annotations.hpp>
#include <string>
struct SG_TABLE("accounts") Account {
  SG_COLUMN(primary_key) int id;
  std::string name;
};
HPP
printf 'repos:\n  - repo: %s\n    rev: %s\n    hooks:\n      - id: schemagen-check\n' "$WORK/hooks" "$rev" > .pre-commit-config.yaml
run 0 "$SG" revision --autogenerate -m "accounts"
run 0 pre-commit install
git_ add -A
run 0 git_ commit -qm "accounts, with their revision"

# a model changes, and no revision comes with it: refused, with what is missing
sed -i 's|  std::string name;|  std::string name;\n  std::string email;|' models.hpp
git_ add models.hpp
run 1 git_ commit -qm "email, but no revision"
contains "$out$err" "schemagen check" "the hook ran"
contains "$out$err" "add_column accounts.email" "the missing operation is shown"
contains "$out$err" "schemagen revision --autogenerate --offline -m" "the hint says how the hook compared"
[ "$(git log --oneline | wc -l)" = 1 ] || fail "the commit went through"

# with the revision it goes through
run 0 "$SG" revision --autogenerate -m "email"
git_ add -A
run 0 git_ commit -qm "email, with its revision"
[ "$(git log --oneline | wc -l)" = 2 ] || fail "the commit was refused"

# a revision on disk that was never `git add`-ed is not in the commit: refused
sed -i 's|  std::string email;|  std::string email;\n  std::string phone;|' models.hpp
run 0 "$SG" revision --autogenerate -m "phone"
git_ add models.hpp
run 1 git_ commit -qm "phone, but its revision is not added"
contains "$out$err" "_phone.yaml: error: git does not track this revision file" "an untracked revision"
[ "$(git log --oneline | wc -l)" = 2 ] || fail "the commit without its revision went through"
git_ add -A
run 0 git_ commit -qm "phone, with its revision"

# a commit that only deletes a revision runs the hook too
git_ rm -q revisions/*_phone.yaml
run 1 git_ commit -qm "the phone revision deleted"
contains "$out$err" "add_column accounts.phone" "a deleted revision"
[ "$(git log --oneline | wc -l)" = 3 ] || fail "the commit deleting a revision went through"
git_ reset -q --hard HEAD

# a passing hook shows its lint warnings
sed -i '/phone/d' models.hpp
run 0 "$SG" revision --autogenerate -m "no phone"
git_ add -A
run 0 git_ commit -qm "no phone"
contains "$out$err" "drop_column accounts.phone [destructive]" "the passing hook's warnings"
[ "$(git log --oneline | wc -l)" = 4 ] || fail "the commit dropping phone was refused"
finish
