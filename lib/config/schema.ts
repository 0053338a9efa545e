import { createPublicKey } from "crypto";
import { z } from "zod";
import { PUBLIC_SERVICE_IDS, PUBLIC_SERVICES, PublicServiceId } from "../shared/services";
import { zonesOf } from "./gcp-locations";
import { REGION_NAME, REGION_NAME_HINT, regionProblem, zoneCountProblem, zoneProblems } from "../regional/location-validation";
import { masterCidrProblem, nodeCountProblem } from "../regional/gke-validation";
import { isValidProcessingUnits, shardNameProblem } from "../regional/tiles-log-validation";
import { connectorSecretProblems } from "../regional/dex-validation";
import { isProjectNumber, projectIdProblem } from "../shared/project-validation";
import { namePrefixProblem, TilesShard } from "./name-limits";
import { GCP_NAME } from "../shared/names";
import { cidrsOverlap, resolveRegionalSettings } from "./regional-settings";
import { regionCode } from "../shared/names";
import { publicKeyPem, trustSchema, validateTrust } from "./trust-schema";
import { addProblems, checkWith, problemsWith } from "./refine";
import {
  banDurationProblem,
  CLOUD_ARMOR_DEFAULT_ACTIONS,
  CLOUD_ARMOR_DENY_ACTIONS,
  CLOUD_ARMOR_ENFORCE_ON_KEYS,
  CLOUD_ARMOR_RATE_LIMIT_INTERVALS,
  CLOUD_ARMOR_REDIRECT_TYPES,
  CLOUD_ARMOR_RULE_ACTIONS,
  cloudArmorPriorityClashes,
  cloudArmorPriorityProblem,
  cloudArmorRuleRelationProblems,
  descriptionProblem,
  expressionProblem,
  matchProblem,
  rateLimitIntervalProblem,
  redirectTargetProblem,
  requestCountProblem,
  srcIpRangeCountProblem,
  srcIpRangeProblem,
} from "../global/cloud-armor-validation";

// One schema for the whole deployment. Every object is strict so that a typo
// ("maxRps" for "maxRatePerEndpoint") is an error rather than a silent default.
// Messages name what would be valid, because they are read by someone running
// `cdktf synth` in CI, not by a developer with the schema open.

/** A strict object whose "unknown key" error lists the keys that are allowed. */
function strict<T extends z.ZodRawShape>(shape: T) {
  const allowed = Object.keys(shape).join(", ");
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}; valid keys are: ${allowed}`
        : undefined,
  });
}

/** GCP resource-name shape (RFC 1035 label), used for most names: the same check ResourceNames applies. */
const RFC1035 = GCP_NAME;

const projectId = z.string().superRefine((id, ctx) => {
  const problem = projectIdProblem(id);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

const PROJECT_NUMBER_HINT = 'the numeric project number, e.g. "123456789012" (gcloud projects describe <project id> --format="value(projectNumber)")';

// YAML reads 123456789012 as a number; accept both and keep a string.
const projectNumber = z
  .union([z.string(), z.number().int().nonnegative()], {
    error: (issue) => (issue.input === undefined ? `required: ${PROJECT_NUMBER_HINT}` : `must be ${PROJECT_NUMBER_HINT}`),
  })
  .transform(String)
  .pipe(z.string().refine(isProjectNumber, { error: `must be ${PROJECT_NUMBER_HINT}, digits only` }));

const dnsDomain = z.string().superRefine((domain, ctx) => {
  if (!domain.endsWith(".")) {
    ctx.addIssue({
      code: "custom",
      message: `"${domain}" must end with a trailing dot, as Cloud DNS expects fully qualified names: use "${domain}."`,
    });
    return;
  }
  if (!/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+$/.test(domain) || domain.length > 253) {
    ctx.addIssue({
      code: "custom",
      message: `"${domain}" is not a valid lowercase DNS name such as "sigstore.example.com."`,
    });
  }
});

/** A region name's shape; whether the region exists is checked with the other regions (regionProblem). */
const REGION = REGION_NAME;

const IPV4_CIDR_WITH_MASK = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/;
const cidr = z.string().regex(IPV4_CIDR_WITH_MASK, { error: 'must be an IPv4 CIDR range such as "10.0.0.0/20"' });
const EMAIL_MEMBER = /^(user|group|serviceAccount|domain):[^\s@]+(@[^\s@]+)?$/;
const iamMember = z.string().regex(EMAIL_MEMBER, { error: 'must be an IAM member such as "group:sre@example.com"' });

// Region settings: defaults under `regional`, overridable per region. The
// override schemas are the same shapes with every field optional.
const networkShape = {
  /** Primary range of the region's subnet (nodes, bastion). */
  subnetCidr: cidr.default("10.0.0.0/20"),
  /** Secondary range for pods. */
  podsCidr: cidr.default("10.16.0.0/14"),
  /** Secondary range for Kubernetes services. */
  servicesCidr: cidr.default("10.32.0.0/20"),
  /** /28 range of the GKE control plane's private endpoint. */
  masterCidr: cidr.superRefine(checkWith(masterCidrProblem)).default("172.16.0.0/28"),
  /** Static egress addresses of Cloud NAT (stable for allow-lists). */
  natAddresses: z.number().int().min(1).max(16).default(2),
};

const gkeShape = {
  releaseChannel: z.enum(["RAPID", "REGULAR", "STABLE"]).default("REGULAR"),
  machineType: z.string().min(1).default("e2-standard-4"),
  diskSizeGb: z.number().int().min(20).default(100),
  minNodesPerZone: z.number().int().min(0).default(1),
  maxNodesPerZone: z.number().int().min(1).default(3),
  /**
   * CIDR ranges allowed to reach the control plane's public IP endpoint
   * (kubectl). Empty: no public IP endpoint, only private access from the
   * VPC. Terraform's providers use the IAM-authorized DNS endpoint instead.
   */
  masterAuthorizedNetworks: z.array(strict({ cidr, name: z.string().min(1) })).default([]),
};

const databaseShape = {
  tier: z.string().regex(/^db-/, { error: 'must be a Cloud SQL tier such as "db-custom-2-7680"' }).default("db-custom-2-7680"),
  diskSizeGb: z.number().int().min(10).default(50),
  /** Regional (two-zone) instance with automatic failover. */
  highAvailability: z.boolean().default(true),
  /** Automated backups kept. */
  backupRetentionCount: z.number().int().min(1).max(365).default(30),
  /** Point-in-time recovery window (binary logs), in days. */
  transactionLogRetentionDays: z.number().int().min(1).max(7).default(7),
  readReplica: z.boolean().default(false),
};

/** The same fields without their defaults, all optional: a per-region override. */
function optionalShape<T extends { [key: string]: z.ZodDefault<z.ZodType> }>(shape: T) {
  const optional = Object.fromEntries(Object.entries(shape).map(([key, field]) => [key, field.removeDefault().optional()]));
  return strict(optional as { [K in keyof T]: z.ZodOptional<ReturnType<T[K]["removeDefault"]>> });
}

/** A Tink keyset encrypted with a KMS key, in Tink's JSON format (`tinkey create-keyset --out-format json --master-key-uri gcp-kms://...`). */
const encryptedTinkKeyset = z.string().refine(
  (text) => {
    try {
      const parsed = JSON.parse(text);
      return typeof parsed?.encryptedKeyset === "string" && parsed.encryptedKeyset.length > 0;
    } catch {
      return false;
    }
  },
  { error: 'must be an encrypted Tink keyset in JSON ({"encryptedKeyset": "...", "keysetInfo": {...}}), as tinkey writes it with --out-format json and --master-key-uri' },
);

/** Issuer types of Fulcio's configuration (config.IssuerType) that this library writes. */
export const FULCIO_ISSUER_TYPES = ["email", "github-workflow", "gitlab-pipeline", "buildkite-job", "kubernetes", "spiffe", "uri", "username"] as const;

const httpsUrl = z.string().refine((u) => {
  try {
    const url = new URL(u.replace(/\*/g, "wildcard"));
    return url.protocol === "https:" && !u.endsWith("/") && url.search === "" && url.hash === "";
  } catch {
    return false;
  }
}, { error: (issue) => `"${String(issue.input)}" must be an https:// URL without a trailing slash, query or fragment (Fulcio matches the token's iss exactly)` });

const fulcioIssuerSchema = strict({
  /** The issuer URL exactly as in the tokens' `iss` (https). A `*` makes it a MetaIssuers pattern. */
  issuerUrl: httpsUrl,
  /** How Fulcio maps the token to a certificate identity. */
  type: z.enum(FULCIO_ISSUER_TYPES, { error: `must be one of ${FULCIO_ISSUER_TYPES.join(", ")}` }),
  /** Audience the tokens carry. @default "sigstore" */
  clientId: z.string().min(1).default("sigstore"),
  /** Type "spiffe": the SPIFFE trust domain the issuer (a SPIRE OIDC discovery provider) speaks for. */
  spiffeTrustDomain: z.string().regex(/^[a-z0-9._-]+$/, { error: 'must be a SPIFFE trust domain such as "prod.example.com"' }).optional(),
  /** Types "uri" and "username": the domain identities are scoped to. */
  subjectDomain: z.string().min(1).optional(),
});

const fulcioIssuersSchema = z.array(fulcioIssuerSchema).superRefine((issuers, ctx) => {
  const seen = new Map<string, number>();
  issuers.forEach((issuer, i) => {
    const first = seen.get(issuer.issuerUrl);
    if (first !== undefined) ctx.addIssue({ code: "custom", path: [i, "issuerUrl"], message: `issuer "${issuer.issuerUrl}" is already listed at issuers[${first}]` });
    else seen.set(issuer.issuerUrl, i);
    if (issuer.type === "spiffe" && !issuer.spiffeTrustDomain) {
      ctx.addIssue({ code: "custom", path: [i, "spiffeTrustDomain"], message: 'type "spiffe" needs spiffeTrustDomain (the trust domain of the SPIRE server behind this issuer)' });
    }
    if (issuer.type !== "spiffe" && issuer.spiffeTrustDomain !== undefined) {
      ctx.addIssue({ code: "custom", path: [i, "spiffeTrustDomain"], message: `spiffeTrustDomain applies only to type "spiffe", not "${issuer.type}"` });
    }
    if ((issuer.type === "uri" || issuer.type === "username") && !issuer.subjectDomain) {
      ctx.addIssue({ code: "custom", path: [i, "subjectDomain"], message: `type "${issuer.type}" needs subjectDomain` });
    }
  });
});

export const DEX_CONNECTOR_TYPES = ["github", "google", "microsoft", "gitlab", "oidc"] as const;

const dexConnectorSchema = strict({
  /** Connector id (Dex's connector_id claim). */
  id: z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, { error: "must be a short lowercase id such as \"github\"" }),
  type: z.enum(DEX_CONNECTOR_TYPES, { error: `must be one of ${DEX_CONNECTOR_TYPES.join(", ")}` }),
  /** Name on Dex's login page. */
  name: z.string().min(1),
  /** OAuth client id at the upstream provider (not secret). */
  clientId: z.string().min(1),
  /** Name of the connector secret (regional.dex.connectorSecrets) that holds the client secret. */
  clientSecret: z.string().min(1),
  /** Further connector settings as Dex takes them (e.g. { orgs: [...] } for GitHub); never secrets. */
  config: z.record(z.string(), z.unknown()).default({}).refine((c) => !("clientSecret" in c) && !("clientID" in c) && !("redirectURI" in c), {
    error: "must not set clientID, clientSecret or redirectURI: they come from clientId, clientSecret (a Secret Manager secret) and the Dex host",
  }),
});

const regionalSchema = strict({
  network: strict(networkShape).prefault({}),
  gke: strict(gkeShape).prefault({}),
  database: strict({
    ...databaseShape,
    /** Group allowed to log in to the databases with IAM, for emergencies. */
    breakglassGroup: iamMember.refine((m) => m.startsWith("group:"), { error: 'must be a group, e.g. "group:sigstore-oncall@example.com"' }).optional(),
    /** Names of additional MySQL instances for CT log trees (shards), e.g. ["2026"]. */
    ctlogShards: z.array(z.string().regex(/^[a-z0-9]([-a-z0-9]{0,18}[a-z0-9])?$/, { error: "must be a short lowercase name (1 to 20 characters)" })).default([]),
  }).prefault({}),
  kms: strict({
    /** Where signing keys live. @default "HSM" */
    protectionLevel: z.enum(["HSM", "SOFTWARE"]).default("HSM"),
  }).prefault({}),
  fulcio: strict({
    /** "kms": a KMS-held intermediate key (Fulcio's kmsca); "privateca": a Certificate Authority Service pool. */
    ca: z.enum(["kms", "privateca"]).default("kms"),
    /**
     * Identity issuers Fulcio accepts besides the deployment's own Dex, in
     * every region. Written into Fulcio's configuration (OIDCIssuers, or
     * MetaIssuers for wildcard URLs).
     */
    issuers: fulcioIssuersSchema.default([]),
    /** Whether Fulcio accepts tokens of the deployment's Dex (`https://<dex host>/auth`, type email). @default true */
    acceptDex: z.boolean().default(true),
    // The certificate chains live in `trust` (trust.regions.<region>.fulcioChain), the one place of the trust root.
  }).prefault({}),
  tsa: strict({
    /**
     * Each region's Tink signing keyset, encrypted with the region's TSA
     * key-encryption key (Tink JSON), by region (the "tink" signer). A
     * private key, wrapped: never trust material, so not in `trust`. The
     * signing certificate chain is trust.regions.<region>.tsaChain.
     */
    encryptedKeysets: z.record(z.string().regex(REGION), encryptedTinkKeyset).default({}),
  }).prefault({}),
  dex: strict({
    /** Secret Manager secrets the Dex chart reads (OIDC connector client secrets), created empty. */
    connectorSecrets: z.array(z.string()).superRefine(problemsWith(connectorSecretProblems)).default(["github-client-secret", "google-client-secret"]),
    /** Upstream identity providers; each names its client secret among connectorSecrets (the value never enters configuration or state). */
    connectors: z.array(dexConnectorSchema).default([]),
  }).prefault({}).superRefine((dex, ctx) => {
    const ids = new Map<string, number>();
    dex.connectors.forEach((connector, i) => {
      const first = ids.get(connector.id);
      if (first !== undefined) ctx.addIssue({ code: "custom", path: ["connectors", i, "id"], message: `connector id "${connector.id}" is already used by connectors[${first}]` });
      else ids.set(connector.id, i);
      if (!dex.connectorSecrets.includes(connector.clientSecret)) {
        ctx.addIssue({
          code: "custom",
          path: ["connectors", i, "clientSecret"],
          message: `"${connector.clientSecret}" is not one of regional.dex.connectorSecrets (${dex.connectorSecrets.join(", ") || "none"}); add it there so its Secret Manager secret exists`,
        });
      }
    });
  }),
  bastion: strict({
    enabled: z.boolean().default(false),
    machineType: z.string().min(1).default("e2-small"),
    /** Members allowed to reach the bastion through IAP and log in with OS Login. */
    accessMembers: z.array(iamMember).default([]),
  }).prefault({}),
});

const monitoringSchema = strict({
  /** Notification channel ids (projects/<p>/notificationChannels/<id>) for every alert. */
  notificationChannels: z.array(z.string().regex(/^projects\/[^/]+\/notificationChannels\/[^/]+$/, { error: "must be a notification channel id: projects/<project>/notificationChannels/<id>" })).default([]),
  uptimeChecks: z.boolean().default(true),
  alerts: z.boolean().default(true),
  /**
   * Enable the alerts on what the public services answer: uptime, SLO burn
   * rate, certificate expiry and stale Dex keys. Until the workloads serve
   * and the certificates are active they would fail and page, so a new
   * deployment keeps them created but disabled; set true once every public
   * host answers (docs/prerequisites.md). @default false
   */
  serviceAlerts: z.boolean().default(false),
});

/** Sha256-pinned container image reference. */
const pinnedImage = z.string().regex(/^[a-z0-9.-]+(:[0-9]+)?\/[a-z0-9._\/-]+@sha256:[0-9a-f]{64}$/, {
  error: "must be an image pinned by digest: <registry>/<repository>@sha256:<64 hex digits>",
});

const dexJwksSchema = strict({
  /**
   * Aggregate every region's Dex keys behind /auth/keys. Required when Dex is
   * exposed globally over several regions. @default true
   */
  enabled: z.boolean().default(true),
  /** Location of the incoming and published buckets (a multi-region keeps them up when a region is down). @default "US" */
  bucketLocation: z.string().regex(/^[A-Z]+[A-Z0-9-]*$/, { error: 'must be a Cloud Storage location in capitals, e.g. "US" or "US-EAST1"' }).default("US"),
  /** Upper bound of merger instances. @default 3 */
  maxInstances: z.number().int().min(1).max(20).default(3),
  /** Alert when no merge succeeded for this long. @default 60 */
  staleAfterMinutes: z.number().int().min(5).max(1440).default(60),
  publisher: strict({
    /** Node.js image that runs the publisher bundle (mounted from a ConfigMap); verify and pin your own digest. */
    image: pinnedImage.default("gcr.io/distroless/nodejs20-debian12@sha256:079f8c6514d2f21e13e27a40f3e0ee0c5a12aa208d2ef5a2390e44e03e4f36c8"),
    /** How often the publisher reads Dex's keys. @default 2 */
    pollIntervalSeconds: z.number().int().min(1).max(30).default(2),
  }).prefault({}),
});

const featuresSchema = strict({
  /** Rekor (v1, on Trillian), in one region (services.rekor.region). */
  rekor: z.boolean().default(true),
  /** The CT log (on Trillian). */
  ctlog: z.boolean().default(true),
  /** The TUF repository of the instance: one, in the global stack (services.tuf). */
  tuf: z.boolean().default(true),
  /** Rekor v2 on Tessera (Spanner and a public tile bucket). */
  rekorTiles: z.boolean().default(false),
  /** TesseraCT (Spanner and a public tile bucket). */
  ctlogTiles: z.boolean().default(false),
}).superRefine((features, ctx) => {
  // Every signature is logged: the signing configuration needs a live transparency log.
  if (!features.rekor && !features.rekorTiles) {
    ctx.addIssue({ code: "custom", path: ["rekor"], message: "an instance needs a transparency log: keep features.rekor (Rekor v1) or enable features.rekorTiles (Rekor v2)" });
  }
});

const projectSettingsShape = {
  /** Data Access audit logs for all services. */
  auditLogs: strict({
    enabled: z.boolean().default(true),
    logTypes: z.array(z.enum(["ADMIN_READ", "DATA_READ", "DATA_WRITE"])).min(1).default(["ADMIN_READ", "DATA_READ", "DATA_WRITE"]),
  }).prefault({}),
  /** OS Login for every VM of the project. */
  osLogin: strict({ enabled: z.boolean().default(true), twoFactor: z.boolean().default(false) }).prefault({}),
  /**
   * Let the project grant allUsers read on the buckets that must be public
   * (TUF, tiles, the merged Dex key set) although its organisation enforces
   * public access prevention or domain-restricted sharing: the primary
   * region's stack sets project-level organisation policies that lift both
   * for this project. Needs roles/orgpolicy.policyAdmin on the organisation;
   * otherwise an administrator sets the exemption beforehand
   * (docs/prerequisites.md). @default false
   */
  orgPolicyExemption: z.boolean().default(false),
  /** Project role bindings for named groups, e.g. { role: "roles/viewer", members: ["group:..."] }. */
  roleBindings: z.array(strict({ role: z.string().regex(/^(roles|projects\/[^/]+\/roles)\/[A-Za-z0-9_.]+$/, { error: 'must be a role such as "roles/viewer"' }), members: z.array(iamMember).min(1) })).default([]),
};

const regionSchema = strict({
  /** GCP region, e.g. "us-east1". */
  region: z.string().regex(REGION, { error: REGION_NAME_HINT }),
  /** Name of the GKE cluster in this region. */
  clusterName: z
    .string()
    .max(40, { error: "GKE cluster names are at most 40 characters" })
    .regex(RFC1035, { error: "must be lowercase letters, digits and hyphens, starting with a letter" }),
  /** Zones of the region that carry nodes, and therefore NEGs. */
  zones: z.array(z.string()).superRefine(checkWith(zoneCountProblem)),
  /** Overrides of `regional.network` for this region. */
  network: optionalShape(networkShape).optional(),
  /** Overrides of `regional.gke` for this region. */
  gke: optionalShape(gkeShape).optional(),
  /** Overrides of `regional.database` for this region. */
  database: optionalShape(databaseShape).optional(),
});

// Cloud Armor's rules live with CloudArmorPolicy (lib/global/cloud-armor-validation.ts);
// the schema applies them field by field, so each problem names its field.
export { CLOUD_ARMOR_MAX_RULE_PRIORITY } from "../global/cloud-armor-validation";

const threshold = strict({
  count: z.number().superRefine(checkWith(requestCountProblem)),
  intervalSec: z.number({ error: `must be one of ${CLOUD_ARMOR_RATE_LIMIT_INTERVALS.join(", ")} seconds` }).superRefine(checkWith(rateLimitIntervalProblem)),
});

const rateLimitSchema = strict({
  /** Requests allowed per interval; the threshold. */
  count: threshold.shape.count.optional(),
  /** Interval the count applies to. */
  intervalSec: threshold.shape.intervalSec.optional(),
  /** What identifies a client for counting. @default "IP" */
  enforceOnKey: z.enum(CLOUD_ARMOR_ENFORCE_ON_KEYS).default("IP"),
  /** Header or cookie name, for HTTP_HEADER and HTTP_COOKIE keys. */
  enforceOnKeyName: z.string().min(1).optional(),
  /** Response once the threshold is exceeded. @default "deny(429)" */
  exceedAction: z.enum(CLOUD_ARMOR_DENY_ACTIONS).default("deny(429)"),
  /** For rate_based_ban: how long a client stays banned. */
  banDurationSec: z.number().superRefine(checkWith(banDurationProblem)).optional(),
  /** For rate_based_ban: a separate threshold that triggers the ban. */
  banThreshold: threshold.optional(),
});

const cloudArmorRuleSchema = strict({
  /** 0 (evaluated first) to 2147483646. Unique within a policy. */
  priority: z.number().superRefine(checkWith(cloudArmorPriorityProblem)),
  description: z.string().superRefine(checkWith(descriptionProblem)).optional(),
  action: z.enum(CLOUD_ARMOR_RULE_ACTIONS, { error: `must be one of ${CLOUD_ARMOR_RULE_ACTIONS.join(", ")}` }),
  /** Log matches without enforcing. @default false */
  preview: z.boolean().default(false),
  /** Exactly one of `srcIpRanges` (at most 10 per rule) or `expression` (CEL). */
  match: strict({
    srcIpRanges: z.array(z.string().superRefine(checkWith(srcIpRangeProblem))).superRefine(checkWith(srcIpRangeCountProblem)).optional(),
    expression: z.string().superRefine(checkWith(expressionProblem)).optional(),
  }).superRefine(checkWith(matchProblem)),
  rateLimit: rateLimitSchema.optional(),
  redirect: strict({
    type: z.enum(CLOUD_ARMOR_REDIRECT_TYPES).default("EXTERNAL_302"),
    /** Required for EXTERNAL_302. */
    target: z.string().superRefine(checkWith(redirectTargetProblem)).optional(),
  }).optional(),
}).superRefine(problemsWith(cloudArmorRuleRelationProblems));

const cloudArmorSchema = strict({
  /** Action of the lowest-priority rule that matches everything. @default "allow" */
  defaultAction: z.enum(CLOUD_ARMOR_DEFAULT_ACTIONS).default("allow"),
  /** Layer 7 DDoS adaptive protection. @default true */
  adaptiveProtection: z.boolean().default(true),
  rules: z.array(cloudArmorRuleSchema).default([]),
}).superRefine((armor, ctx) => addProblems(ctx, cloudArmorPriorityClashes(armor.rules)));

function dnsOwnershipSchema(defaultOwner: "regional" | "global") {
  return strict({
    /**
     * Which stack owns the service's A record: the regional stack that serves
     * the host (the primary region, or the one region of a single-region
     * service) ("regional") or the global stack ("global").
     * @default "regional"; "global" for services only the global stack serves (tuf)
     */
    owner: z.enum(["regional", "global"], { error: 'must be "regional" or "global"' }).default(defaultOwner),
    /**
     * Gradual hand-off: share of DNS answers (0 < w < 1) that point at the global
     * load balancer, the rest at the regional owner. Only with owner "global".
     */
    globalWeight: z
      .number()
      .gt(0, { error: "must be between 0 and 1 (exclusive); omit it to send everything to the owner" })
      .lt(1, { error: "must be between 0 and 1 (exclusive); omit it to send everything to the global load balancer" })
      .optional(),
    /**
     * Whether the new owner adopts an existing record with an `import` block.
     * @default true for owner "global" (a migration), false for "regional" (a new deployment) and for tuf (never regional)
     */
    adoptExisting: z.boolean().optional(),
    /** @default 60 */
    ttl: z.number().int().min(30).max(86400).default(60),
  });
}

/** Cloud Storage multi-regions a global bucket service may live in, and the Cloud KMS multi-region next to each. */
export const MULTI_REGION_KMS_LOCATIONS: { readonly [location: string]: string } = { US: "us", EU: "europe", ASIA: "asia" };

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const timestamp = z.string().regex(RFC3339, { error: 'must be an RFC 3339 time such as "2026-01-01T00:00:00Z"' });

/** A frozen log (docs/migration-runbook.md, R1): public data only. */
const frozenLogSchema = strict({
  /** Region where the log ran. */
  region: z.string().regex(REGION, { error: REGION_NAME_HINT }),
  /** URL the log was served at (for monitors and auditors). */
  baseUrl: z.string().regex(/^https:\/\/[^\s/]+(\/[^\s]*)?$/, { error: 'must be an https URL such as "https://rekor-europe-west1.example.com"' }),
  /** SubjectPublicKeyInfo PEM of the log's signing key (`gcloud kms keys versions get-public-key`). */
  publicKeyPem: z.string().superRefine((pem, ctx) => {
    try {
      if (!pem.includes("-----BEGIN PUBLIC KEY-----")) throw new Error("no PUBLIC KEY block");
      createPublicKey(pem);
    } catch (e) {
      ctx.addIssue({ code: "custom", message: `must be a PEM public key ("-----BEGIN PUBLIC KEY-----…"): ${(e as Error).message}` });
    }
  }),
  /** When the log started. */
  validFrom: timestamp,
  /** When it was frozen; entries after this time are not trusted. */
  validUntil: timestamp,
}).refine((log) => Date.parse(log.validFrom) < Date.parse(log.validUntil), { error: "validFrom must be before validUntil", path: ["validUntil"] });

/** One public service's settings, whatever its kind; fields a kind does not take are absent. */
export interface ServiceConfig {
  /** Host label under dns.domain. */
  subdomain: string;
  /** Whether the global stack fronts the service (always true for a bucket service, which has no other way in). */
  exposeGlobally: boolean;
  /** Backend capacity per NEG endpoint (NEG services only). */
  maxRatePerEndpoint?: number;
  /** The region of a single-region service (unset: the primary region). */
  region?: string;
  /** Frozen earlier copies of a single-region service (Rekor v1 logs of other regions). */
  frozenLogs?: z.output<typeof frozenLogSchema>[];
  /** Multi-region of a bucket service. */
  location?: string;
  dns: z.output<ReturnType<typeof dnsOwnershipSchema>>;
  cloudArmor: z.output<typeof cloudArmorSchema>;
}

/** `services.<id>` as written in a file. */
export interface ServiceConfigInput {
  subdomain?: string;
  exposeGlobally?: boolean;
  maxRatePerEndpoint?: number;
  region?: string;
  frozenLogs?: z.input<typeof frozenLogSchema>[];
  location?: string;
  dns?: z.input<ReturnType<typeof dnsOwnershipSchema>>;
  cloudArmor?: z.input<typeof cloudArmorSchema>;
}

/**
 * `services.<id>`, shaped by the service's registry entry: every service has
 * a host, DNS ownership and Cloud Armor; NEG services a capacity and a switch
 * for the global front end; a single-region service its region; a bucket
 * service its multi-region. A field the kind does not take is an error.
 */
function serviceSchema(id: PublicServiceId): z.ZodType<ServiceConfig, ServiceConfigInput> {
  const spec = PUBLIC_SERVICES[id];
  const bucket = spec.backend === "bucket";
  const shape: { [key: string]: z.ZodType } = {
    /** Host label under dns.domain. */
    subdomain: z.string().regex(RFC1035, { error: "must be a single lowercase DNS label" }).default(spec.defaultSubdomain),
  };
  if (bucket) {
    /** A bucket service exists only behind the global load balancer. @default true */
    shape.exposeGlobally = z.literal(true, { error: `${spec.title} is served only through the global load balancer: remove exposeGlobally or set it to true` }).default(true);
  } else {
    /** Whether the global stack fronts this service with a global load balancer. @default true */
    shape.exposeGlobally = z.boolean().default(true);
    /** Backend capacity per NEG endpoint (pod), in requests per second. @default 100 */
    shape.maxRatePerEndpoint = z.number().positive().default(100);
  }
  if (spec.placement === "one-region") {
    /** The one region that runs the service. @default primaryRegion */
    shape.region = z
      .string({
        error: (issue) =>
          Array.isArray(issue.input)
            ? `${spec.title} runs in exactly one region (two would be two diverging copies of one log): give one region, e.g. "${String(issue.input[0])}"`
            : REGION_NAME_HINT,
      })
      .regex(REGION, { error: REGION_NAME_HINT })
      .optional();
  }
  if (spec.placement === "one-region") {
    /**
     * Earlier copies of the service that ran in other regions and are now
     * frozen (read-only, kept): their keys stay in the trusted root until
     * their entries no longer need verifying. @default []
     */
    shape.frozenLogs = z.array(frozenLogSchema).default([]);
  }
  if (bucket) {
    /** Multi-region of the bucket; the online signing key lives in the matching KMS multi-region. @default "US" */
    shape.location = z
      .enum(Object.keys(MULTI_REGION_KMS_LOCATIONS) as [string, ...string[]], { error: `must be a Cloud Storage multi-region: ${Object.keys(MULTI_REGION_KMS_LOCATIONS).join(", ")}` })
      .default("US");
  }
  shape.dns = dnsOwnershipSchema(bucket ? "global" : "regional").prefault({});
  shape.cloudArmor = cloudArmorSchema.prefault({});
  return strict(shape) as unknown as z.ZodType<ServiceConfig, ServiceConfigInput>;
}

/** One `services.<id>` per registry entry. */
const servicesSchema = strict(
  Object.fromEntries(PUBLIC_SERVICE_IDS.map((id) => [id, serviceSchema(id).prefault({})])) as {
    [K in PublicServiceId]: z.ZodPrefault<z.ZodType<ServiceConfig, ServiceConfigInput>>;
  },
);

function tilesLogSchema(kind: "rekor" | "ctlog") {
  return strict({
    /** Shard name, part of every resource name (a new shard is a new log). @default "1" */
    shardName: z.string().superRefine(checkWith(shardNameProblem)).default("1"),
    /** Host label of the log under dns.domain. @default "<kind>-<shardName>" */
    subdomain: z.string().regex(RFC1035, { error: "must be a single lowercase DNS label" }).optional(),
    /** Region that runs the log's single sequencer. @default primaryRegion */
    region: z.string().regex(REGION, { error: REGION_NAME_HINT }).optional(),
    /**
     * Several regions that each run a shard of their own (own sequencer, key
     * and host `<subdomain>-<region code>`), with `subdomain` as the one write
     * host over all of them. Excludes `region`. @default [region]
     */
    regions: z.array(z.string().regex(REGION, { error: REGION_NAME_HINT })).min(1).optional(),
    /** Public key (PEM) of each region's shard, for the trusted root; the private key stays out of Terraform. */
    publicKeys: z.record(z.string().regex(REGION, { error: REGION_NAME_HINT }), publicKeyPem).default({}),
    /** Spanner capacity: 100 to 900 in steps of 100, or a multiple of 1000. @default 100 */
    processingUnits: z.number().refine(isValidProcessingUnits, {
      error: "Spanner takes 100 to 900 processing units in steps of 100, or a multiple of 1000",
    }).default(100),
    /** Capacity per endpoint of the write path, requests per second. @default 100 */
    maxRatePerEndpoint: z.number().positive().default(100),
    cloudArmor: cloudArmorSchema.prefault({}),
    /**
     * Rekor v2 only: each shard's Tink signing keyset, encrypted with the
     * shard's key-encryption key (Tink JSON), by shard region (like
     * publicKeys). Until a region's is set, its shard's release is not installed.
     */
    encryptedKeysets: z.record(z.string().regex(REGION, { error: REGION_NAME_HINT }), encryptedTinkKeyset).default({}),
  }).transform((log) => ({ ...log, subdomain: log.subdomain ?? `${kind}-${log.shardName}` }));
}

const tilesSchema = strict({
  /** Rekor v2 (enabled by features.rekorTiles). */
  rekor: tilesLogSchema("rekor").prefault({}),
  /** TesseraCT (enabled by features.ctlogTiles). */
  ctlog: tilesLogSchema("ctlog").prefault({}),
});

const ctlogSchema = strict({
  /**
   * `shared`: one CT log, in `region`, that every region's Fulcio submits to;
   * `perRegion`: one log per region, each with its own key, log id and URL.
   * @default "shared"
   */
  placement: z.enum(["shared", "perRegion"], { error: 'must be "shared" or "perRegion"' }).default("shared"),
  /** Region of the shared log. @default primaryRegion */
  region: z.string().regex(REGION, { error: REGION_NAME_HINT }).optional(),
  /** Host label of the CT logs' public host; each log is served under `/<region>`. @default "ctfe" */
  subdomain: z.string().regex(RFC1035, { error: "must be a single lowercase DNS label" }).default("ctfe"),
  /** Public key (PEM) of each region's CT log, for the trusted root; the private key stays in Secret Manager. */
  publicKeys: z.record(z.string().regex(REGION, { error: REGION_NAME_HINT }), publicKeyPem).default({}),
  /** Capacity per ct_server pod behind the public host, requests per second. @default 100 */
  maxRatePerEndpoint: z.number().positive().default(100),
  cloudArmor: cloudArmorSchema.prefault({}),
});

const backendSchema = z.discriminatedUnion(
  "type",
  [
    strict({
      type: z.literal("local"),
      /** Directory of the state files, relative to the project directory. @default "." */
      directory: z
        .string()
        .refine((d) => !d.startsWith("/") && !/^[A-Za-z]:[\\/]/.test(d), { error: "must be a relative path, so that synthesized output does not depend on the checkout location" })
        .default("."),
    }),
    strict({
      type: z.literal("gcs"),
      bucket: z.string().regex(/^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/, { error: "must be a GCS bucket name" }),
      /** Object prefix; each stack's state goes under <prefix>/<stack>. @default "sigstore" */
      prefix: z.string().regex(/^[A-Za-z0-9._/-]+$/).default("sigstore"),
    }),
  ],
  { error: 'must be { type: "local" } or { type: "gcs", bucket: "..." }' },
);

const loggingSchema = strict({
  /** Request logs on every backend service. @default true */
  loadBalancer: z.boolean().default(true),
  /** Share of requests logged, 0 to 1. @default 1 */
  loadBalancerSampleRate: z.number().min(0).max(1).default(1),
  /** Health-check probe logs (verbose; for debugging). @default false */
  healthChecks: z.boolean().default(false),
});

export const sigstoreConfigSchema = strict({
  project: strict({
    id: projectId,
    number: projectNumber,
    ...projectSettingsShape,
  }),
  /** Prefix of every resource name, so that two deployments can share a project. @default "sigstore" */
  namePrefix: z
    .string()
    .max(12, { error: "at most 12 characters, so that derived names fit GCP's limits (30 for service account ids)" })
    .regex(RFC1035, { error: "must be lowercase letters, digits and hyphens, starting with a letter" })
    .default("sigstore"),
  dns: strict({
    /** Cloud DNS managed zone that holds dns.domain. */
    zoneName: z.string().regex(RFC1035, { error: "must be the Cloud DNS managed zone name (lowercase letters, digits, hyphens)" }),
    /** Domain of the deployment, fully qualified with its trailing dot. */
    domain: dnsDomain,
  }),
  regions: z.array(regionSchema).min(1, { error: "list at least one region" }),
  /** Region whose stack owns A records in the "regional" phase. @default the first region */
  primaryRegion: z.string().optional(),
  /** Public services, one entry per service of the registry (lib/shared/services.ts). */
  services: servicesSchema.prefault({}),
  /** Optional Sigstore services (Fulcio, the TSA and Dex always run). */
  features: featuresSchema.prefault({}),
  /** Alert routing and switches, for regional and global alerts. */
  monitoring: monitoringSchema.prefault({}),
  /** Aggregation of every region's Dex signing keys behind /auth/keys. */
  dexJwks: dexJwksSchema.prefault({}),
  /** Tile-based transparency logs (Tessera), when enabled in `features`. */
  tiles: tilesSchema.prefault({}),
  /** Placement of the CT log (on Trillian), when `features.ctlog` is on. */
  ctlog: ctlogSchema.prefault({}),
  /** The public half of the trust root: root certificates, ceremony-signed chains, validity. See docs/trust-root.md. */
  trust: trustSchema.prefault({}),
  /** Settings of every regional stack; `regions[]` may override network, gke and database. */
  regional: regionalSchema.prefault({}),
  logging: loggingSchema.prefault({}),
  backend: backendSchema.prefault({ type: "local" }),
  /**
   * Regions missing from the library's list of Google Cloud regions
   * (lib/config/gcp-locations.ts), with their zone letters, e.g.
   * { "xx-newregion1": ["a", "b", "c"] }. @default {}
   */
  additionalLocations: z
    .record(
      z.string().regex(REGION, { error: 'must be a GCP region name such as "us-east1"' }),
      z.array(z.string().regex(/^[a-z]$/, { error: 'must be a zone letter, e.g. "a" for "<region>-a"' })).min(1),
      { error: (issue) => (issue.code === "invalid_key" ? `"${String(issue.input)}" is not a GCP region name such as "us-east1"` : undefined) },
    )
    .default({}),
}).superRefine((config, ctx) => {
  // Cross-field rules; they only run once every field has the right shape.
  const firstIndexOfRegion = new Map<string, number>();
  config.regions.forEach((r, i) => {
    const first = firstIndexOfRegion.get(r.region);
    if (first !== undefined) {
      ctx.addIssue({ code: "custom", path: ["regions", i, "region"], message: `region "${r.region}" is already listed at regions[${first}]; each region appears once` });
    } else {
      firstIndexOfRegion.set(r.region, i);
    }
    const unknown = regionProblem(r.region, config.additionalLocations);
    if (unknown) ctx.addIssue({ code: "custom", path: ["regions", i, "region"], message: unknown });
    // An empty list is reported by the zones field itself.
    for (const p of zoneProblems(r.region, r.zones, config.additionalLocations).filter((p) => p.path.length > 0)) {
      ctx.addIssue({ code: "custom", path: ["regions", i, "zones", ...p.path], message: p.message });
    }
  });
  config.regions.forEach((r, i) => {
    const { network, gke } = resolveRegionalSettings(config.regional, r);
    // Say where the conflicting value comes from: the region's override or the shared default.
    const where = (section: "network" | "gke", key: string) =>
      (r[section] as Record<string, unknown> | undefined)?.[key] !== undefined ? ["regions", i, section, key] : ["regional", section, key];
    const nodes = nodeCountProblem(gke.minNodesPerZone, gke.maxNodesPerZone);
    if (nodes) ctx.addIssue({ code: "custom", path: where("gke", "minNodesPerZone"), message: `${nodes} for ${r.region}` });
    const ranges = ["subnetCidr", "podsCidr", "servicesCidr", "masterCidr"] as const;
    ranges.forEach((a, ai) =>
      ranges.slice(ai + 1).forEach((b) => {
        if (cidrsOverlap(network[a], network[b])) {
          ctx.addIssue({
            code: "custom",
            path: where("network", b),
            message: `${b} ${network[b]} overlaps ${a} ${network[a]} in ${r.region}; the ranges of a region must be disjoint`,
          });
        }
      }),
    );
  });
  for (const region of Object.keys(config.regional.tsa.encryptedKeysets)) {
    if (!firstIndexOfRegion.has(region)) {
      ctx.addIssue({ code: "custom", path: ["regional", "tsa", "encryptedKeysets", region], message: `"${region}" is not one of the configured regions (${[...firstIndexOfRegion.keys()].join(", ")})` });
    }
  }
  for (const kind of ["rekor", "ctlog"] as const) {
    // As tilesShardRegions (lib/shared/log-placement.ts) decides.
    const log = config.tiles[kind];
    const enabled = config.features[kind === "rekor" ? "rekorTiles" : "ctlogTiles"];
    const shards = enabled ? (log.regions ?? [log.region ?? config.primaryRegion ?? config.regions[0].region]) : [];
    for (const region of Object.keys(config.tiles[kind].encryptedKeysets)) {
      const path = ["tiles", kind, "encryptedKeysets", region];
      if (kind === "ctlog") ctx.addIssue({ code: "custom", path, message: "TesseraCT signs with keys in Secret Manager, not a Tink keyset: remove tiles.ctlog.encryptedKeysets" });
      else if (!shards.includes(region)) ctx.addIssue({ code: "custom", path, message: `"${region}" runs no shard of tiles.rekor (shard regions: ${shards.join(", ") || "none"})` });
    }
  }
  // Names derived from namePrefix and each region must fit GCP's limits.
  config.regions.forEach((r, i) => {
    if (!zonesOf(r.region, config.additionalLocations)) return;
    const tiles: TilesShard[] = (["rekor", "ctlog"] as const)
      .filter((kind) => config.features[kind === "rekor" ? "rekorTiles" : "ctlogTiles"] && (config.tiles[kind].region ?? config.primaryRegion ?? config.regions[0].region) === r.region)
      .map((kind) => ({ kind, shard: config.tiles[kind].shardName }));
    const problem = namePrefixProblem(config.namePrefix, config.project.id, r.region, tiles);
    if (problem) ctx.addIssue({ code: "custom", path: ["namePrefix"], message: `${problem} (regions[${i}])` });
  });
  if (config.primaryRegion !== undefined && !firstIndexOfRegion.has(config.primaryRegion)) {
    ctx.addIssue({
      code: "custom",
      path: ["primaryRegion"],
      message: `"${config.primaryRegion}" is not one of the configured regions (${[...firstIndexOfRegion.keys()].join(", ")})`,
    });
  }
  for (const id of PUBLIC_SERVICE_IDS) {
    const service = config.services[id];
    const spec = PUBLIC_SERVICES[id];
    if (spec.backend === "bucket" && service.dns.owner !== "global") {
      ctx.addIssue({
        code: "custom",
        path: ["services", id, "dns", "owner"],
        message: `${spec.title} is served only by the global stack (a bucket behind the global load balancer), so the global stack owns its A record: set services.${id}.dns.owner to "global" or remove it`,
      });
    }
    if (spec.placement === "one-region" && service.region !== undefined && !firstIndexOfRegion.has(service.region)) {
      ctx.addIssue({
        code: "custom",
        path: ["services", id, "region"],
        message: `"${service.region}" is not one of the configured regions (${[...firstIndexOfRegion.keys()].join(", ")}); ${spec.title} runs in exactly one of them`,
      });
    }
    (service.frozenLogs ?? []).forEach((log, i) => {
      const live = service.region ?? config.primaryRegion ?? config.regions[0]?.region;
      if (config.features[spec.feature ?? "rekor"] && log.region === live) {
        ctx.addIssue({
          code: "custom",
          path: ["services", id, "frozenLogs", i, "region"],
          message: `${log.region} runs the live ${spec.title} log (services.${id}.region); a frozen log is one of another region`,
        });
      }
    });
    if (service.dns.owner === "global" && !service.exposeGlobally) {
      ctx.addIssue({
        code: "custom",
        path: ["services", id, "dns", "owner"],
        message: `ownership phase "global" needs the global stack to expose ${id}: set services.${id}.exposeGlobally to true, or keep dns.owner "regional"`,
      });
    }
    if (id === "dex" && service.exposeGlobally && config.regions.length > 1 && !config.dexJwks.enabled) {
      ctx.addIssue({
        code: "custom",
        path: ["dexJwks", "enabled"],
        message: `Dex is exposed globally over ${config.regions.length} regions, so /auth/keys must serve every region's keys: set dexJwks.enabled to true (or services.dex.exposeGlobally to false)`,
      });
    }
    if (service.dns.globalWeight !== undefined && service.dns.owner !== "global") {
      ctx.addIssue({
        code: "custom",
        path: ["services", id, "dns", "globalWeight"],
        message: 'a weighted hand-off is owned by the global stack: set dns.owner to "global", or remove globalWeight',
      });
    }
    if (service.dns.globalWeight !== undefined && spec.backend === "bucket") {
      ctx.addIssue({
        code: "custom",
        path: ["services", id, "dns", "globalWeight"],
        message: `${spec.title} has no regional address to share answers with: remove globalWeight`,
      });
    }
  }
  const hostnames = new Map<string, string>();
  for (const id of PUBLIC_SERVICE_IDS) {
    // A switched-off service has no host.
    const flag = PUBLIC_SERVICES[id].feature;
    if (flag !== undefined && !config.features[flag]) continue;
    const other = hostnames.get(config.services[id].subdomain);
    if (other) {
      ctx.addIssue({ code: "custom", path: ["services", id, "subdomain"], message: `subdomain "${config.services[id].subdomain}" is already used by ${other}` });
    }
    hostnames.set(config.services[id].subdomain, id);
  }
  for (const kind of ["rekor", "ctlog"] as const) {
    if (!config.features[kind === "rekor" ? "rekorTiles" : "ctlogTiles"]) continue;
    const log = config.tiles[kind];
    const other = hostnames.get(log.subdomain);
    if (other) ctx.addIssue({ code: "custom", path: ["tiles", kind, "subdomain"], message: `subdomain "${log.subdomain}" is already used by ${other}` });
    hostnames.set(log.subdomain, `tiles.${kind}`);
    if (log.region !== undefined && !firstIndexOfRegion.has(log.region)) {
      ctx.addIssue({ code: "custom", path: ["tiles", kind, "region"], message: `"${log.region}" is not one of the configured regions (${[...firstIndexOfRegion.keys()].join(", ")})` });
    }
    if (log.region !== undefined && log.regions !== undefined) {
      ctx.addIssue({ code: "custom", path: ["tiles", kind, "regions"], message: "set either region (one shard) or regions (a shard in each), not both" });
    }
    if ((log.regions ?? []).length > 1) {
      // Each shard has its own host next to the write host (lib/shared/log-placement.ts).
      for (const r of new Set(log.regions)) {
        const label = `${log.subdomain}-${regionCode(r)}`;
        const owner = hostnames.get(label);
        if (owner) ctx.addIssue({ code: "custom", path: ["tiles", kind, "regions"], message: `the shard host "${label}" is already used by ${owner}; change tiles.${kind}.subdomain` });
        hostnames.set(label, `tiles.${kind} shard in ${r}`);
      }
    }
    (log.regions ?? []).forEach((r, i) => {
      if (!firstIndexOfRegion.has(r)) ctx.addIssue({ code: "custom", path: ["tiles", kind, "regions", i], message: `"${r}" is not one of the configured regions (${[...firstIndexOfRegion.keys()].join(", ")})` });
      else if (log.regions!.indexOf(r) !== i) ctx.addIssue({ code: "custom", path: ["tiles", kind, "regions", i], message: `"${r}" is listed twice; a region runs at most one shard of a log` });
    });
  }
  const ctlog = config.ctlog;
  if (ctlog.region !== undefined && !firstIndexOfRegion.has(ctlog.region)) {
    ctx.addIssue({ code: "custom", path: ["ctlog", "region"], message: `"${ctlog.region}" is not one of the configured regions (${[...firstIndexOfRegion.keys()].join(", ")})` });
  }
  if (ctlog.region !== undefined && ctlog.placement === "perRegion") {
    ctx.addIssue({ code: "custom", path: ["ctlog", "region"], message: 'placement "perRegion" runs a CT log in every region: remove region, or use placement "shared"' });
  }
  if (config.features.ctlog) {
    const other = hostnames.get(ctlog.subdomain);
    if (other) ctx.addIssue({ code: "custom", path: ["ctlog", "subdomain"], message: `subdomain "${ctlog.subdomain}" is already used by ${other}` });
    hostnames.set(ctlog.subdomain, "ctlog");
  }
  // Never one key in two logs: a key configured for two logs would make them one identity with two trees.
  const keyOwners = new Map<string, string>();
  const logKeys: [string, (string | number)[], string][] = [
    ...Object.entries(ctlog.publicKeys).map(([r, pem]): [string, (string | number)[], string] => [`ctlog.publicKeys.${r}`, ["ctlog", "publicKeys", r], pem]),
    ...(["rekor", "ctlog"] as const).flatMap((kind) =>
      Object.entries(config.tiles[kind].publicKeys).map(([r, pem]): [string, (string | number)[], string] => [`tiles.${kind}.publicKeys.${r}`, ["tiles", kind, "publicKeys", r], pem]),
    ),
  ];
  for (const [name, path, pem] of logKeys) {
    const region = path[path.length - 1] as string;
    if (!firstIndexOfRegion.has(region)) {
      ctx.addIssue({ code: "custom", path, message: `"${region}" is not one of the configured regions (${[...firstIndexOfRegion.keys()].join(", ")})` });
    }
    const der = spkiFingerprint(pem);
    if (der === undefined) continue;
    const first = keyOwners.get(der);
    if (first) ctx.addIssue({ code: "custom", path, message: `is the same key as ${first}: every log needs its own key (one key in two trees makes two logs indistinguishable)` });
    else keyOwners.set(der, name);
  }
  validateTrust({ trust: config.trust, regions: [...firstIndexOfRegion.keys()], fulcioCa: config.regional.fulcio.ca }, ctx);
});

/** Base64 DER of a public key, to compare keys whatever their PEM layout; undefined when it does not parse. */
function spkiFingerprint(pem: string): string | undefined {
  try {
    return createPublicKey(pem).export({ type: "spki", format: "der" }).toString("base64");
  } catch {
    return undefined;
  }
}

type SigstoreConfigInputShape = z.input<typeof sigstoreConfigSchema>;
type SigstoreConfigShape = z.output<typeof sigstoreConfigSchema>;
// Interfaces rather than aliases of the zod types, so that signatures (editor
// hovers, the API reference in docs/api) name them instead of spelling out
// every field; the fields are exactly the schema's.
/** Configuration as written in a file: optional fields may be omitted. */
export interface SigstoreConfigInput extends SigstoreConfigInputShape {}
/** Configuration after validation, with every default filled in. */
export interface SigstoreConfig extends SigstoreConfigShape {}
export type RegionConfig = SigstoreConfig["regions"][number];
export type CloudArmorConfig = z.output<typeof cloudArmorSchema>;
export type CloudArmorRuleConfig = CloudArmorConfig["rules"][number];
export type BackendConfig = SigstoreConfig["backend"];
export type LoggingConfig = SigstoreConfig["logging"];
export type RegionalSettings = SigstoreConfig["regional"];
export type FeaturesConfig = SigstoreConfig["features"];
export type NetworkSettings = RegionalSettings["network"];
export type GkeSettings = RegionalSettings["gke"];
export type DatabaseSettings = RegionalSettings["database"];
export type ProjectConfig = SigstoreConfig["project"];
export type MonitoringConfig = SigstoreConfig["monitoring"];
export type DexJwksConfig = SigstoreConfig["dexJwks"];
export type TilesLogConfig = SigstoreConfig["tiles"]["rekor"];
export type FulcioIssuerConfig = RegionalSettings["fulcio"]["issuers"][number];
export type DexConnectorConfig = RegionalSettings["dex"]["connectors"][number];
export type CtLogConfig = SigstoreConfig["ctlog"];
export type { TrustConfig } from "./trust-schema";
