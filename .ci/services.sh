# Sourced by .ci/run: makes sure a PostgreSQL and a Redis from Debian's packages run on loopback,
# and exports DATABASE_URL and REDIS_URL for the tests that need them. Idempotent and quick when
# they already run; installs them (as root, non-interactively) when they are absent.
# Set DATABASE_URL / REDIS_URL yourself to use other servers: then this does nothing for them.

ci_apt_install() {
  if [ -z "${CI_APT_UPDATED:-}" ]; then apt-get update -qq; CI_APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ci_postgres() {
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then ci_apt_install postgresql; fi
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    local version
    version=$(ls /usr/lib/postgresql | sort -n | tail -1)
    pg_lsclusters -h | grep -q "^$version main " || pg_createcluster "$version" main >/dev/null
    pg_ctlcluster "$version" main start
    for _ in $(seq 1 50); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.2; done
  fi
  # A role that may create the per-test databases the API tests make and drop.
  su postgres -c "psql -q -v ON_ERROR_STOP=1 -p 5432" >/dev/null <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'gu') THEN CREATE ROLE gu LOGIN CREATEDB PASSWORD 'gu'; END IF;
END $$;
SELECT 'CREATE DATABASE gu OWNER gu' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'gu')\gexec
SQL
  export DATABASE_URL=postgres://gu:gu@127.0.0.1:5432/gu
}

ci_redis() {
  command -v redis-server >/dev/null || ci_apt_install redis-server
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save '' --appendonly no >/dev/null
    for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  export REDIS_URL=redis://127.0.0.1:6379
}

[ -n "${DATABASE_URL:-}" ] || ci_postgres
[ -n "${REDIS_URL:-}" ] || ci_redis
