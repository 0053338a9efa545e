import { Construct } from "constructs";
import { ComputeInstance } from "@cdktf/provider-google/lib/compute-instance";
import { ComputeInstanceIamMember } from "@cdktf/provider-google/lib/compute-instance-iam-member";
import { IapTunnelInstanceIamMember } from "@cdktf/provider-google/lib/iap-tunnel-instance-iam-member";
import { OsConfigPatchDeployment } from "@cdktf/provider-google/lib/os-config-patch-deployment";
import { ServiceAccount } from "@cdktf/provider-google/lib/service-account";
import { ServiceAccountIamMember } from "@cdktf/provider-google/lib/service-account-iam-member";
import { grantIdOf, grantProjectRole, Grantee, principal } from "../shared/iam";
import { CryptoKey, KeyRing } from "../shared/kms";
import type { RegionalContext } from "./context";

export interface BastionProps {
  readonly context: RegionalContext;
  /** Subnet id or self link (`RegionalNetwork.subnetId`); the bastion gets no external address. */
  readonly subnet: string;
  /** Network tag that the IAP SSH rule targets (`RegionalNetwork.bastionTag`). */
  readonly tag: string;
  /** @default "e2-small" */
  readonly machineType?: string;
  /** IAM members allowed to tunnel to it and log in with OS Login, e.g. `group:sre@example.com`. */
  readonly accessMembers: readonly string[];
}

/**
 * A bastion for operators: no public address (reachable only through IAP TCP
 * forwarding), OS Login, a shielded VM with a CMEK-encrypted disk, its own
 * service account that can only write logs and metrics, weekly OS patching,
 * and access granted on the instance (and its service account) only, never
 * on the project.
 */
export class Bastion extends Construct {
  readonly instance: ComputeInstance;
  /** The key that encrypts the boot disk. */
  readonly diskKey: CryptoKey;
  private readonly account: ServiceAccount;

  constructor(scope: Construct, id: string, props: BastionProps) {
    super(scope, id);
    const { context } = props;
    const { project, region, names } = context;
    if (context.zones.length === 0) throw new Error(`${this.node.path}: the bastion needs a zone`);
    const members = [...new Set(props.accessMembers)];
    const malformed = members.filter((m) => !/^(user|group|serviceAccount|domain):\S+$/.test(m));
    if (malformed.length > 0) throw new Error(`${this.node.path}: ${malformed.join(", ")} is not an IAM member such as "group:sre@example.com"`);
    // The first configured zone: deterministic, so a plan never moves the VM.
    const zone = context.zones[0];
    const name = names.of("bastion", region);

    this.account = new ServiceAccount(this, "account", {
      project,
      accountId: names.serviceAccountId("bastion", region),
      displayName: `Bastion (${region})`,
      description: "Runs the bastion VM; it may only write its logs and metrics",
    });
    grantProjectRole(this, "writes-logs", { project, role: "roles/logging.logWriter", grantee: this.serviceAccount });
    grantProjectRole(this, "writes-metrics", { project, role: "roles/monitoring.metricWriter", grantee: this.serviceAccount });

    const ring = new KeyRing(this, "disk-keys", { project, name, location: region });
    this.diskKey = ring.addKey("disk-key", { name: "disk", purpose: "ENCRYPT_DECRYPT", algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "SOFTWARE" });
    // Compute Engine encrypts and decrypts disks as its service agent.
    const computeAgent = this.diskKey.grantEncrypterDecrypter(
      principal("compute-agent", `serviceAccount:service-${context.projectNumber}@compute-system.iam.gserviceaccount.com`),
    );

    this.instance = new ComputeInstance(this, "instance", {
      project,
      name,
      zone,
      machineType: props.machineType ?? "e2-small",
      tags: [props.tag],
      deletionProtection: false, // stateless: rebuilt from its image
      allowStoppingForUpdate: true, // a machine type change stops it rather than failing
      bootDisk: {
        initializeParams: { image: "debian-cloud/debian-12", size: 20, type: "pd-balanced" },
        kmsKeySelfLink: this.diskKey.id,
      },
      networkInterface: [{ subnetwork: props.subnet }], // no access_config: no external address
      shieldedInstanceConfig: { enableSecureBoot: true, enableVtpm: true, enableIntegrityMonitoring: true },
      metadata: {
        "enable-oslogin": "TRUE",
        "block-project-ssh-keys": "TRUE",
        // The OS Config agent applies the patch deployment below only when enabled.
        "enable-osconfig": "TRUE",
      },
      serviceAccount: { email: this.account.email, scopes: ["cloud-platform"] }, // IAM limits it, not scopes
      // The disk cannot be created before the agent may use the key.
      dependsOn: [computeAgent],
    });

    for (const member of members) {
      new IapTunnelInstanceIamMember(this, `tunnel-${member}`, {
        project,
        zone,
        instance: this.instance.name,
        role: "roles/iap.tunnelResourceAccessor",
        member,
      });
      new ComputeInstanceIamMember(this, `os-login-${member}`, {
        project,
        zone,
        instanceName: this.instance.name,
        role: "roles/compute.osLogin",
        member,
      });
      // OS Login on a VM that runs as a service account requires acting as it.
      new ServiceAccountIamMember(this, `acts-as-${member}`, {
        serviceAccountId: this.account.name,
        role: "roles/iam.serviceAccountUser",
        member,
      });
    }

    new OsConfigPatchDeployment(this, "patching", {
      project,
      patchDeploymentId: names.of("bastion", region, "patch"),
      description: "Weekly security updates of the bastion",
      instanceFilter: { instances: [this.instance.id] },
      patchConfig: { rebootConfig: "DEFAULT", apt: { type: "DIST" } },
      recurringSchedule: {
        timeZone: { id: "UTC" },
        timeOfDay: { hours: 5, minutes: 0 },
        weekly: { dayOfWeek: "TUESDAY" },
      },
    });
  }

  /** The bastion's own service account, e.g. to grant it a resource it must read. */
  get serviceAccount(): Grantee {
    return principal(grantIdOf(this.account), `serviceAccount:${this.account.email}`);
  }

  get instanceName(): string {
    return this.instance.name;
  }

  get zone(): string {
    return this.instance.zone;
  }
}
