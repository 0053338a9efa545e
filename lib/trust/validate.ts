import { Token } from "cdktf";
import { z } from "zod";
import { KEY_DETAILS, keyDetailsFit, keyDetailsOf, logIdOf, parseCertificatePem, parsePublicKeyPem } from "./keys";
import type { TrustMaterial } from "./types";

// Validation of the trust material before it becomes a trusted root. The
// material is machine-made (Terraform outputs of the global stack), so every
// message names the field and says what the stacks must emit instead.

/** One problem in the trust material: the field (`ctLogs[1].publicKeyPem`) and what is wrong. */
export interface TrustProblem {
  readonly path: string;
  readonly message: string;
}

/** Trust material that cannot become a trusted root. Its message lists every problem. */
export class TrustMaterialError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly TrustProblem[],
  ) {
    super(
      `Invalid trust material in ${source}:\n` + problems.map((p) => `  - ${p.path || "(document)"}: ${p.message}`).join("\n"),
    );
    this.name = "TrustMaterialError";
  }
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Whether a string is an RFC 3339 date-time with an offset. */
export function isRfc3339(value: string): boolean {
  return RFC3339.test(value) && !Number.isNaN(Date.parse(value));
}

const time = z.string().refine(isRfc3339, {
  error: (issue) => `${JSON.stringify(issue.input)} is not an RFC 3339 time; use e.g. "2026-01-01T00:00:00Z"`,
});

// Terraform renders an absent optional attribute as null; treat null as absent.
const optional = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v) => v ?? undefined);

const validity = z
  .strictObject({ start: time, end: optional(time) })
  .refine((v) => v.end === undefined || Date.parse(v.end) > Date.parse(v.start), {
    error: "end must be after start",
    path: ["end"],
  });

const url = z.string().refine(
  (value) => {
    try {
      const parsed = new URL(value);
      return parsed.protocol === "https:" && parsed.hostname !== "" && !parsed.search && !parsed.hash;
    } catch {
      return false;
    }
  },
  { error: (issue) => `${JSON.stringify(issue.input)} is not an https URL without query or fragment (e.g. "https://fulcio.example.com")` },
);

const region = z.string().min(1, { error: "must name the region (e.g. \"us-east1\")" });

function pemCertificate(value: string, ctx: z.RefinementCtx): void {
  try {
    parseCertificatePem(value);
  } catch (e) {
    ctx.addIssue({ code: "custom", message: (e as Error).message });
  }
}

function authority(kind: "ca" | "tsa") {
  return z
    .strictObject({
      uri: url,
      region,
      certChainPem: z
        .array(z.string().superRefine(pemCertificate))
        .min(1, { error: "must list at least the issuing certificate and the root (PEM, issuing certificate first)" }),
      validFor: validity,
      organization: optional(z.string().min(1)),
      commonName: optional(z.string().min(1)),
    })
    .superRefine((entry, ctx) => {
      let chain;
      try {
        chain = entry.certChainPem.map(parseCertificatePem);
      } catch {
        return; // reported on the certificate itself
      }
      const first = chain[0];
      if (kind === "ca" && !first.ca) {
        ctx.addIssue({
          code: "custom",
          path: ["certChainPem", 0],
          message: `is not a CA certificate (${first.subject.replace(/\n/g, ", ")}): list the region's intermediate, which issues Fulcio's certificates, first`,
        });
      }
      // Extended key usage id-kp-timeStamping (RFC 3161 section 2.3).
      if (kind === "tsa" && !(first.keyUsage ?? []).includes("1.3.6.1.5.5.7.3.8")) {
        ctx.addIssue({
          code: "custom",
          path: ["certChainPem", 0],
          message: "is not a timestamping certificate (extended key usage timeStamping): list the region's TSA signing certificate first",
        });
      }
      for (let i = 0; i + 1 < chain.length; i++) {
        if (!chain[i].checkIssued(chain[i + 1]) || !chain[i].verify(chain[i + 1].publicKey)) {
          ctx.addIssue({
            code: "custom",
            path: ["certChainPem", i],
            message: `is not issued by certChainPem[${i + 1}]: order the chain issuing certificate first and root last, with no gaps`,
          });
        }
      }
    });
}

const log = z
  .strictObject({
    baseUrl: url,
    region,
    publicKeyPem: z.string().superRefine((value, ctx) => {
      try {
        keyDetailsOf(parsePublicKeyPem(value));
      } catch (e) {
        ctx.addIssue({ code: "custom", message: (e as Error).message });
      }
    }),
    validFor: validity,
    keyDetails: optional(z.enum(KEY_DETAILS, { error: `must be one of ${KEY_DETAILS.join(", ")}` })),
  })
  .superRefine((entry, ctx) => {
    if (entry.keyDetails === undefined) return;
    try {
      if (!keyDetailsFit(parsePublicKeyPem(entry.publicKeyPem), entry.keyDetails)) {
        ctx.addIssue({
          code: "custom",
          path: ["keyDetails"],
          message: `${entry.keyDetails} does not fit the key, which is ${keyDetailsOf(parsePublicKeyPem(entry.publicKeyPem))}`,
        });
      }
    } catch {
      // reported on publicKeyPem
    }
  });

const nonEmpty = (what: string) => ({ error: `is empty: the trusted root must list at least one ${what}` });

export const trustMaterialSchema = z.strictObject({
  certificateAuthorities: z.array(authority("ca")).min(1, nonEmpty("certificate authority (every region's Fulcio CA)")),
  timestampAuthorities: z.array(authority("tsa")).min(1, nonEmpty("timestamp authority (every region's TSA)")),
  transparencyLogs: z.array(log).min(1, nonEmpty("Rekor log")),
  ctLogs: z.array(log).min(1, nonEmpty("certificate transparency log")),
});

function formatPath(segments: readonly PropertyKey[]): string {
  return segments.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? String(s) : `.${String(s)}`)).join("");
}

/** Whether two validity periods share an instant (a rotation ends one where the next starts). */
function overlap(a: { start: string; end?: string }, b: { start: string; end?: string }): boolean {
  const end = (v: { end?: string }) => (v.end === undefined ? Infinity : Date.parse(v.end));
  return Date.parse(a.start) < end(b) && Date.parse(b.start) < end(a);
}

/**
 * Checks across entries: a log appears once, no key signs two logs, no region
 * has two authorities at one URL at the same time, no certificate is listed twice.
 * Entries for one URL with consecutive validity (a rotated key) are allowed.
 */
function crossChecks(material: TrustMaterial): TrustProblem[] {
  const problems: TrustProblem[] = [];
  const logs = [
    ...material.transparencyLogs.map((l, i) => ({ l, path: `transparencyLogs[${i}]` })),
    ...material.ctLogs.map((l, i) => ({ l, path: `ctLogs[${i}]` })),
  ];
  const byKey = new Map<string, string>();
  logs.forEach(({ l, path }, i) => {
    const earlier = logs
      .slice(0, i)
      .find((o) => o.l.baseUrl.replace(/\/+$/, "") === l.baseUrl.replace(/\/+$/, "") && overlap(o.l.validFor, l.validFor));
    if (earlier) {
      problems.push({
        path: `${path}.baseUrl`,
        message:
          `${l.baseUrl} is also the URL of ${earlier.path}, valid at the same time: every log appears exactly once ` +
          "(list a shared log once, not once per region; a rotated key needs validFor.end on the old entry)",
      });
    }
    const keyId = logIdOf(parsePublicKeyPem(l.publicKeyPem)).toString("hex");
    const sameKey = byKey.get(keyId);
    if (sameKey) {
      problems.push({
        path: `${path}.publicKeyPem`,
        message: `is the same key as ${sameKey}.publicKeyPem: every log needs its own signing key (one key in two logs makes their entries indistinguishable)`,
      });
    } else {
      byKey.set(keyId, path);
    }
  });
  for (const list of ["certificateAuthorities", "timestampAuthorities"] as const) {
    const byIssuer = new Map<string, number>();
    material[list].forEach((a, i) => {
      const same = material[list]
        .slice(0, i)
        .findIndex((o) => o.region === a.region && o.uri.replace(/\/+$/, "") === a.uri.replace(/\/+$/, "") && overlap(o.validFor, a.validFor));
      if (same >= 0) {
        problems.push({
          path: `${list}[${i}].uri`,
          message:
            `${list}[${same}] is already ${a.region}'s authority at ${a.uri} for the same time: list each region's authority once ` +
            "(a rotated certificate needs validFor.end on the old entry)",
        });
      }
      const fingerprint = parseCertificatePem(a.certChainPem[0]).fingerprint256;
      const sameIssuer = byIssuer.get(fingerprint);
      if (sameIssuer !== undefined) {
        problems.push({
          path: `${list}[${i}].certChainPem[0]`,
          message: `is the same certificate as ${list}[${sameIssuer}].certChainPem[0]: each region signs with its own certificate`,
        });
      } else {
        byIssuer.set(fingerprint, i);
      }
    });
  }
  return problems;
}

/** Paths of unresolved Terraform tokens in a value. */
function tokenPaths(value: unknown, at: PropertyKey[]): string[] {
  if (typeof value === "string") return Token.isUnresolved(value) ? [formatPath(at)] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => tokenPaths(v, [...at, i]));
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => tokenPaths(v, [...at, k]));
  }
  return [];
}

/**
 * Validates trust material (plain data, as the global stack's `trust_material` output holds it).
 * @param source where the material came from, for error messages
 * @throws TrustMaterialError listing every problem found
 */
export function validateTrustMaterial(input: unknown, source = "trust material"): TrustMaterial {
  const tokens = tokenPaths(input, []);
  if (tokens.length > 0) {
    throw new TrustMaterialError(
      source,
      tokens.map((path) => ({
        path,
        message:
          "is a Terraform token: the trusted root is assembled from plain values after apply (a log id is a hash Terraform cannot compute); " +
          "output the material and run `sigstore-cdktf trust` on the outputs",
      })),
    );
  }
  const result = trustMaterialSchema.safeParse(input);
  if (!result.success) {
    throw new TrustMaterialError(
      source,
      result.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })),
    );
  }
  const material = result.data as TrustMaterial;
  const problems = crossChecks(material);
  if (problems.length > 0) throw new TrustMaterialError(source, problems);
  return material;
}
