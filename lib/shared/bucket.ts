import { Construct } from "constructs";
import { StorageBucket, StorageBucketConfig } from "@cdktf/provider-google/lib/storage-bucket";
import { StorageBucketIamMember } from "@cdktf/provider-google/lib/storage-bucket-iam-member";
import type { Grantee } from "./iam";
import { preventDestroy } from "./protection";

export interface SecureBucketProps {
  readonly project: string;
  readonly name: string;
  /** Region, dual-region or multi-region. */
  readonly location: string;
  /**
   * Whether anyone on the internet may read objects (TUF metadata, published
   * JWKS). Everything else enforces public access prevention. @default false
   */
  readonly publicRead?: boolean;
  /** Keep noncurrent object versions. @default true */
  readonly versioning?: boolean;
  /**
   * Holds data that must survive mistakes (log entries, TUF metadata):
   * `prevent_destroy`, and Terraform may never empty it. @default true
   */
  readonly protect?: boolean;
  /** Days after which noncurrent versions are deleted. @default 30 when versioning */
  readonly noncurrentVersionDays?: number;
  readonly storageClass?: StorageBucketConfig["storageClass"];
  readonly labels?: { readonly [key: string]: string };
}

/**
 * A Cloud Storage bucket with uniform bucket-level access, public access
 * prevention unless its content must be public, versioning, and grants on the
 * bucket rather than the project.
 */
export class SecureBucket extends Construct {
  readonly bucket: StorageBucket;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    const versioning = props.versioning ?? true;
    const protect = props.protect ?? true;
    this.bucket = new StorageBucket(this, "bucket", {
      project: props.project,
      name: props.name,
      location: props.location,
      storageClass: props.storageClass,
      uniformBucketLevelAccess: true,
      publicAccessPrevention: props.publicRead ? "inherited" : "enforced",
      versioning: { enabled: versioning },
      forceDestroy: !protect,
      lifecycleRule: versioning
        ? [{ action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: props.noncurrentVersionDays ?? 30 } }]
        : undefined,
      labels: props.labels ? { ...props.labels } : undefined,
    });
    if (protect) preventDestroy(this.bucket);
    if (props.publicRead) {
      new StorageBucketIamMember(this, "public-read", {
        bucket: this.bucket.name,
        role: "roles/storage.objectViewer",
        member: "allUsers",
      });
    }
  }

  get name(): string {
    return this.bucket.name;
  }

  /** Create, overwrite and delete objects, and list them. */
  grantObjectAdmin(grantee: Grantee): StorageBucketIamMember {
    return this.grant("roles/storage.objectAdmin", grantee);
  }

  /** Read and list objects. */
  grantObjectViewer(grantee: Grantee): StorageBucketIamMember {
    return this.grant("roles/storage.objectViewer", grantee);
  }

  /** Create objects without reading or deleting them. */
  grantObjectCreator(grantee: Grantee): StorageBucketIamMember {
    return this.grant("roles/storage.objectCreator", grantee);
  }

  /** Read, create and overwrite objects (no IAM or bucket changes). */
  grantObjectUser(grantee: Grantee): StorageBucketIamMember {
    return this.grant("roles/storage.objectUser", grantee);
  }

  private grant(role: string, grantee: Grantee): StorageBucketIamMember {
    const short = role.replace("roles/storage.", "").replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    return new StorageBucketIamMember(this, `${short}-${grantee.grantId}`, {
      bucket: this.bucket.name,
      role,
      member: grantee.member,
    });
  }
}
