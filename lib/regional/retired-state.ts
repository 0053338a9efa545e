import { Construct } from "constructs";
import { RemovedBlock } from "../shared/state-blocks";

// Resources that regional stacks created before the instance became one
// Sigstore instance (one Rekor v1, one TUF repository), and that hold data
// or keys that must outlive the change. Their addresses are those the old
// constructs had (`rekor` and `tuf` directly under the regional stack). A
// `removed` block with `destroy = false` makes a stack that still holds one
// forget it and leave the object in place; it is a no-op where state never
// held it, so every region declares them. Grants and service accounts of the
// retired workloads are not listed: Terraform deletes them, which is the point.

/** The data of a Rekor v1 log in a region that no longer runs Rekor v1: frozen, kept, still verifiable. */
export const RETIRED_REKOR_ADDRESSES: readonly string[] = [
  // The key that signed the frozen log's checkpoints and SETs: its public key stays in the trusted root.
  "google_kms_key_ring.rekor_keys_key_ring",
  "google_kms_crypto_key.rekor_keys_signing_key",
  "google_storage_bucket.rekor_attestations_bucket",
  "google_sql_database.rekor_search_index",
  "google_pubsub_topic.rekor_new_entry",
];

/** A region's old TUF repository: its metadata and signing key stay until the runbook retires them. */
export const RETIRED_REGIONAL_TUF_ADDRESSES: readonly string[] = [
  "google_storage_bucket.tuf_serving_bucket",
  // Clients that still use the old mirror keep reading it until they move.
  "google_storage_bucket_iam_member.tuf_serving_public_read",
  "google_storage_bucket.tuf_preprod_bucket",
  "google_kms_key_ring.tuf_keys_key_ring",
  "google_kms_crypto_key.tuf_keys_signing_key",
  "google_kms_crypto_key_version.tuf_signing_version",
];

/** Declares `removed { lifecycle { destroy = false } }` for each address, under `scope`. */
export function forgetRetired(scope: Construct, id: string, addresses: readonly string[]): Construct {
  const group = new Construct(scope, id);
  for (const address of addresses) new RemovedBlock(group, address.replace(/[^A-Za-z0-9]+/g, "-"), address);
  return group;
}
