// Cloud Functions (gen2) entry point: a CloudEvent function for
// google.cloud.storage.object.v1.finalized on the incoming bucket. The
// Functions Framework is external to the bundle: the runtime loads this module
// into its own framework instance, where this registration must land.
import * as functions from "@google-cloud/functions-framework";
import { GcsObjectStore } from "../../shared/gcs-store";
import { stdoutLogger } from "../../shared/log";
import { DEFAULT_PUBLISHED_OBJECT, ENTRY_POINT, ENV } from "./contract";
import { createMergeJwksHandler, MergerSettings } from "./handler";

/** Settings from the environment; read per event, so a missing variable fails (and alerts) rather than crashing the instance. */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): MergerSettings {
  const publishedBucket = env[ENV.publishedBucket];
  if (!publishedBucket) throw new Error(`${ENV.publishedBucket} is not set`);
  return { publishedBucket, publishedObject: env[ENV.publishedObject] || DEFAULT_PUBLISHED_OBJECT };
}

functions.cloudEvent(ENTRY_POINT, createMergeJwksHandler({ store: () => new GcsObjectStore(), settings: () => settingsFromEnv(), log: stdoutLogger }));
