import { Construct } from "constructs";
import { OrgPolicyPolicy } from "@cdktf/provider-google/lib/org-policy-policy";
import { TimeSleep } from "../shared/log-metrics-ready";

/**
 * The organisation policy constraints that make an `allUsers` grant fail:
 * organisations created since May 2024 enforce both by default
 * ("secure by default" organisations).
 */
export const PUBLIC_OBJECT_CONSTRAINTS = {
  /** Boolean: no bucket of the project may be public. */
  publicAccessPrevention: "storage.publicAccessPrevention",
  /** List: IAM members only from the organisation's own customer ids; `allUsers` is none. */
  domainRestrictedSharing: "iam.allowedPolicyMemberDomains",
} as const;

/** How long an organisation policy change takes to reach IAM and Cloud Storage, at most. */
export const ORG_POLICY_PROPAGATION_SECONDS = 120;

export interface PublicObjectsExemptionProps {
  readonly project: string;
}

/**
 * Project-level organisation policies that let this project, and only this
 * project, grant `allUsers` read access to the buckets that must be public
 * (TUF metadata, tiles, the merged Dex key set): public access prevention
 * not enforced, any IAM member domain allowed. Setting them needs
 * `roles/orgpolicy.policyAdmin` on the organisation (docs/prerequisites.md).
 *
 * Public grants depend on `dependable`, which waits for the policies to
 * propagate: a grant made right after the change can still be refused.
 */
export class PublicObjectsExemption extends Construct {
  readonly policies: readonly OrgPolicyPolicy[];
  /** Put this in the `dependsOn` of every `allUsers` grant of the stack. */
  readonly dependable: TimeSleep;

  constructor(scope: Construct, id: string, props: PublicObjectsExemptionProps) {
    super(scope, id);
    const parent = `projects/${props.project}`;
    const publicAccess = new OrgPolicyPolicy(this, "public-access-prevention", {
      name: `${parent}/policies/${PUBLIC_OBJECT_CONSTRAINTS.publicAccessPrevention}`,
      parent,
      spec: { rules: [{ enforce: "FALSE" }] },
    });
    const domains = new OrgPolicyPolicy(this, "domain-restricted-sharing", {
      name: `${parent}/policies/${PUBLIC_OBJECT_CONSTRAINTS.domainRestrictedSharing}`,
      parent,
      spec: { rules: [{ allowAll: "TRUE" }] },
    });
    this.policies = [publicAccess, domains];
    this.dependable = new TimeSleep(this, "propagation", {
      createDuration: `${ORG_POLICY_PROPAGATION_SECONDS}s`,
      triggers: { policies: `${publicAccess.etag},${domains.etag}` },
    });
  }
}
