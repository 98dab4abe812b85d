// Types for scripts/postgres.mjs (throwaway PostgreSQL clusters for tests and CI).

/** A running throwaway cluster. */
export interface PostgresCluster {
  /** postgresql://postgres@127.0.0.1:<port>/postgres (superuser, trust auth). */
  url: string;
  port: number;
  /** The cluster's temporary data directory. */
  dataDir: string;
  /** Stops the server and deletes its directory. */
  stop(): Promise<void>;
}

/** The newest /usr/lib/postgresql/<version>/bin holding initdb, pg_ctl and postgres, or undefined. */
export function findPostgresBinDir(): string | undefined;

/** True when PostgreSQL server binaries are installed (and, as root, a postgres user exists). */
export function postgresAvailable(): boolean;

/** Starts a throwaway cluster on 127.0.0.1 at a random free port (trust auth, fsync off, temp dir). */
export function startPostgres(): Promise<PostgresCluster>;
