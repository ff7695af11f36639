// The PostgreSQL server the benches that need one use: VIGIL_BENCH_PG_URL, else the local server
// with trust auth that this machine kind runs.
export const BENCH_PG_URL = process.env.VIGIL_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
