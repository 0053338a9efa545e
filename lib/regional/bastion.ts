import { Construct } from "constructs";
import { ComputeInstance } from "@cdktf/provider-google/lib/compute-instance";
import { ComputeInstanceIamMember } from "@cdktf/provider-google/lib/compute-instance-iam-member";
import { IapTunnelInstanceIamMember } from "@cdktf/provider-google/lib/iap-tunnel-instance-iam-member";
import { OsConfigPatchDeployment } from "@cdktf/provider-google/lib/os-config-patch-deployment";
import { ServiceAccount } from "@cdktf/provider-google/lib/service-account";
import { grantProjectRole, principal } from "../shared/iam";
import { KeyRing } from "../shared/kms";
import type { RegionalContext } from "./context";

export interface BastionProps {
  readonly context: RegionalContext;
  readonly subnet: string;
  /** Network tag that the IAP SSH rule targets. */
  readonly tag: string;
  /** @default "e2-small" */
  readonly machineType?: string;
  /** IAM members allowed to tunnel to it and log in with OS Login. */
  readonly accessMembers: readonly string[];
}

/**
 * A bastion for operators: no public address (reachable only through IAP TCP
 * forwarding), OS Login, a shielded VM with a CMEK-encrypted disk, its own
 * service account that can only write logs and metrics, weekly OS patching,
 * and access granted on the instance itself, not the project.
 */
export class Bastion extends Construct {
  readonly instance: ComputeInstance;

  constructor(scope: Construct, id: string, props: BastionProps) {
    super(scope, id);
    const { context } = props;
    const { project, region, names } = context;
    // The first configured zone: deterministic, so a plan never moves the VM.
    const zone = context.zones[0];

    const account = new ServiceAccount(this, "account", {
      project,
      accountId: names.serviceAccountId("bastion", region),
      displayName: `Bastion (${region})`,
    });
    const self = principal("bastion", `serviceAccount:${account.email}`);
    grantProjectRole(this, "writes-logs", { project, role: "roles/logging.logWriter", grantee: self });
    grantProjectRole(this, "writes-metrics", { project, role: "roles/monitoring.metricWriter", grantee: self });

    const ring = new KeyRing(this, "disk-keys", { project, name: names.of("bastion", region), location: region });
    const diskKey = ring.addKey("disk-key", { name: "disk", purpose: "ENCRYPT_DECRYPT", algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "SOFTWARE" });
    // Compute Engine encrypts disks as its service agent.
    const computeAgent = diskKey.grantEncrypterDecrypter(
      principal("compute-agent", `serviceAccount:service-${context.projectNumber}@compute-system.iam.gserviceaccount.com`),
    );

    this.instance = new ComputeInstance(this, "instance", {
      project,
      name: names.of("bastion", region),
      zone,
      machineType: props.machineType ?? "e2-small",
      tags: [props.tag],
      deletionProtection: false, // stateless: rebuilt from its image
      bootDisk: {
        initializeParams: { image: "debian-cloud/debian-12", size: 20, type: "pd-balanced" },
        kmsKeySelfLink: diskKey.id,
      },
      networkInterface: [{ subnetwork: props.subnet }], // no access_config: no external address
      shieldedInstanceConfig: { enableSecureBoot: true, enableVtpm: true, enableIntegrityMonitoring: true },
      metadata: { "enable-oslogin": "TRUE", "block-project-ssh-keys": "TRUE" },
      serviceAccount: { email: account.email, scopes: ["cloud-platform"] },
      dependsOn: [computeAgent],
    });

    props.accessMembers.forEach((member, i) => {
      new IapTunnelInstanceIamMember(this, `tunnel-${i}`, {
        project,
        zone,
        instance: this.instance.name,
        role: "roles/iap.tunnelResourceAccessor",
        member,
      });
      new ComputeInstanceIamMember(this, `os-login-${i}`, {
        project,
        zone,
        instanceName: this.instance.name,
        role: "roles/compute.osLogin",
        member,
      });
    });

    new OsConfigPatchDeployment(this, "patching", {
      project,
      patchDeploymentId: names.of("bastion", region, "patch"),
      description: "Weekly security updates of the bastion",
      instanceFilter: { instances: [`zones/${zone}/instances/${names.of("bastion", region)}`] },
      patchConfig: { rebootConfig: "DEFAULT", apt: { type: "DIST" } },
      recurringSchedule: {
        timeZone: { id: "UTC" },
        timeOfDay: { hours: 5, minutes: 0 },
        weekly: { dayOfWeek: "TUESDAY" },
      },
      dependsOn: [this.instance],
    });
  }
}
