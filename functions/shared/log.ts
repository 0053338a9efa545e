/** One structured log line in Cloud Logging's JSON format. */
export interface LogEntry {
  readonly severity: "DEBUG" | "INFO" | "WARNING" | "ERROR";
  readonly message: string;
  /** Stable marker that log-based metrics filter on. */
  readonly event?: string;
  readonly [field: string]: unknown;
}

export type Logger = (entry: LogEntry) => void;

/** Writes entries to stdout, where Cloud Run and GKE pick them up as structured logs. */
export const stdoutLogger: Logger = (entry) => {
  process.stdout.write(`${JSON.stringify(entry)}\n`);
};
