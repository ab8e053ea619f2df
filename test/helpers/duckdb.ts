/** Reading what we wrote with DuckDB SQL, the way a user checks a Parquet file. */
import { DuckDBInstance } from "@duckdb/node-api";

/** Runs one query in a fresh in-memory DuckDB and returns its rows as plain objects. */
export async function sql(query: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(query)).getRowObjectsJS();
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
