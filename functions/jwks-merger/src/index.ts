// Cloud Functions (gen2) entry point: a CloudEvent function for
// google.cloud.storage.object.v1.finalized on the incoming bucket.
import * as functions from "@google-cloud/functions-framework";
import type { CloudEvent } from "@google-cloud/functions-framework";
import { GcsObjectStore } from "../../shared/gcs-store";
import { Logger, stdoutLogger } from "../../shared/log";
import type { ObjectStore } from "../../shared/object-store";
import { ENTRY_POINT, ENV } from "./contract";
import { handleStorageEvent, MergerSettings, StorageObjectEvent } from "./handler";


export interface HandlerDeps {
  /** Built on first use, so loading the module needs no credentials. */
  readonly store: () => ObjectStore;
  readonly settings: () => MergerSettings;
  readonly log?: Logger;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The CloudEvent function, with its dependencies injected. */
export function createMergeJwksHandler(deps: HandlerDeps): (event: CloudEvent<StorageObjectEvent>) => Promise<void> {
  let store: ObjectStore | undefined;
  return async (event) => {
    if (!event.data?.bucket || !event.data.name) throw new Error(`event ${event.id} carries no bucket and object name`);
    store ??= deps.store();
    await handleStorageEvent(event.data, deps.settings(), { store, log: deps.log ?? stdoutLogger, sleep: deps.sleep });
  };
}

function settingsFromEnv(): MergerSettings {
  const publishedBucket = process.env[ENV.publishedBucket];
  if (!publishedBucket) throw new Error(`${ENV.publishedBucket} is not set`);
  return { publishedBucket, publishedObject: process.env[ENV.publishedObject] ?? "auth/keys" };
}

functions.cloudEvent<StorageObjectEvent>(
  ENTRY_POINT,
  createMergeJwksHandler({ store: () => new GcsObjectStore(), settings: settingsFromEnv }),
);
