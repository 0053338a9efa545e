import { createHash, createPublicKey } from "crypto";
import { Token } from "cdktf";
import { CTLOG_KEY_LOADER_SERVICE_ACCOUNT, CTLOG_KUBERNETES } from "../ctlog";
import { CHARTS } from "./charts";
import { GKE_SECRET_MANAGER_CSI_DRIVER } from "./dex";
import type { KubernetesObject } from "./release";
import { WORKLOAD_IDENTITY_ANNOTATION } from "./values";

/**
 * The Kubernetes Secrets the ctlog chart's createctconfig reads the log's key
 * from (`createctconfig.privateSecret`, key `private`: a PEM encrypted with a
 * password, as `x509.DecryptPEMBlock` takes it) and its password
 * (`createctconfig.privateKeyPasswordSecretName`, key `password`). See
 * sigstore/scaffolding tools/ctlog/cmd/ctlog/createctconfig/main.go.
 */
export const CTLOG_KEY_SECRETS = {
  privateKey: { name: "ctlog-private-key", key: "private" },
  password: { name: "ctlog-private-key-password", key: "password" },
} as const;

/** The Secret createctconfig writes the log's public key to (`createctconfig.pubkeysecret`, key `public`). */
export const CTLOG_PUBLIC_KEY_SECRET = { name: "ctlog-public-key", key: "public" } as const;

const SECRET_PROVIDER_CLASS = "ctlog-signing-key";
const KEY_DIR = "/var/run/secrets/ctlog-key";
const WORK_DIR = "/work";
const SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";
/** Seconds before a job that cannot mount the key (no version yet) fails; below the release's 300 s timeout. */
export const CTLOG_KEY_LOADER_DEADLINE_SECONDS = 240;

/**
 * The loader's script (curl image: busybox sh, base64, tr). It refuses a key
 * createctconfig could not decrypt, then server-side applies each Secret
 * through the API server with its own token; the key goes through a file on
 * a memory volume, never a command line.
 */
export const CTLOG_KEY_LOADER_SCRIPT = [
  "set -eu",
  `key=${KEY_DIR}/private`,
  `pw=${KEY_DIR}/password`,
  `grep -q '^DEK-Info: ' "$key" || { echo "the CT log's private key in Secret Manager is not a password-encrypted PEM (no DEK-Info header): add one made with 'openssl ec -aes256' (docs/trust-root.md)" >&2; exit 1; }`,
  `[ -s "$pw" ] || { echo "the CT log's private key password in Secret Manager is empty" >&2; exit 1; }`,
  `token=$(cat ${SA_DIR}/token)`,
  "apply() {",
  `  printf '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"%s","labels":{"app.kubernetes.io/managed-by":"${CTLOG_KEY_LOADER_SERVICE_ACCOUNT}"}},"type":"Opaque","data":{"%s":"%s"}}' "$1" "$2" "$3" > ${WORK_DIR}/body.json`,
  `  curl --fail-with-body --silent --show-error --max-time 30 --cacert ${SA_DIR}/ca.crt -H "Authorization: Bearer $token" -H "Content-Type: application/apply-patch+yaml" -X PATCH --data-binary @${WORK_DIR}/body.json "https://kubernetes.default.svc/api/v1/namespaces/$NAMESPACE/secrets/$1?fieldManager=${CTLOG_KEY_LOADER_SERVICE_ACCOUNT}&force=true" > /dev/null`,
  `  rm -f ${WORK_DIR}/body.json`,
  "}",
  `apply ${CTLOG_KEY_SECRETS.privateKey.name} ${CTLOG_KEY_SECRETS.privateKey.key} "$(base64 < "$key" | tr -d '\\n')"`,
  // Without its trailing newline: createctconfig takes the password byte for byte.
  `apply ${CTLOG_KEY_SECRETS.password.name} ${CTLOG_KEY_SECRETS.password.key} "$(printf '%s' "$(cat "$pw")" | base64 | tr -d '\\n')"`,
  `echo "copied the CT log's key from Secret Manager into ${CTLOG_KEY_SECRETS.privateKey.name} and ${CTLOG_KEY_SECRETS.password.name}"`,
].join("\n");

export interface CtLogKeyLoaderObjectsProps {
  /** Secret (`projects/<p>/secrets/<id>`) with the passphrase-encrypted PEM private key. */
  readonly privateKeySecretId: string;
  /** Secret (`projects/<p>/secrets/<id>`) with its passphrase (createctconfig's key password). */
  readonly passphraseSecretId: string;
  /** The CT log's Google service account, the only reader of both secrets. */
  readonly googleServiceAccountEmail: string;
}

/**
 * The objects that copy the CT log's key from Secret Manager into the
 * Kubernetes Secrets createctconfig reads: GKE's Secret Manager add-on mounts
 * both secret versions into a one-shot Job (as the CT log's Google account,
 * through workload identity), and the Job writes them with RBAC limited to
 * those two Secrets. The ct_server Deployment of the chart mounts only the
 * Secret createctconfig writes, so the key reaches it this way or not at all.
 */
export function ctLogKeyLoaderObjects(props: CtLogKeyLoaderObjectsProps): KubernetesObject[] {
  const namespace = CTLOG_KUBERNETES.namespace;
  const name = CTLOG_KEY_LOADER_SERVICE_ACCOUNT;
  const labels = { "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "ctlog" };
  const secretNames = [CTLOG_KEY_SECRETS.privateKey.name, CTLOG_KEY_SECRETS.password.name];
  const jobSpec = {
    backoffLimit: 2,
    activeDeadlineSeconds: CTLOG_KEY_LOADER_DEADLINE_SECONDS,
    template: {
      metadata: { labels },
      spec: {
        serviceAccountName: name,
        automountServiceAccountToken: true,
        restartPolicy: "Never",
        securityContext: { runAsNonRoot: true, runAsUser: 65533, runAsGroup: 65533, seccompProfile: { type: "RuntimeDefault" } },
        containers: [
          {
            name: "load",
            image: CHARTS.ctlog.images.curl.ref,
            command: ["sh", "-c", CTLOG_KEY_LOADER_SCRIPT],
            env: [{ name: "NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } }],
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
            volumeMounts: [
              { name: "key", mountPath: KEY_DIR, readOnly: true },
              { name: "work", mountPath: WORK_DIR },
            ],
          },
        ],
        volumes: [
          { name: "key", csi: { driver: GKE_SECRET_MANAGER_CSI_DRIVER, readOnly: true, volumeAttributes: { secretProviderClass: SECRET_PROVIDER_CLASS } } },
          { name: "work", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
        ],
      },
    },
  };
  // A Job's pod template is immutable: a changed loader is a new Job (Helm deletes the old one).
  const specText = JSON.stringify(jobSpec);
  if (Token.isUnresolved(specText)) throw new Error("the CT log key loader's Job spec must not hold references: its name hashes it");
  const jobName = `${name}-${createHash("sha256").update(specText).digest("hex").slice(0, 8)}`;
  return [
    {
      apiVersion: "secrets-store.csi.x-k8s.io/v1",
      kind: "SecretProviderClass",
      metadata: { name: SECRET_PROVIDER_CLASS, namespace },
      spec: {
        provider: "gke",
        // A string of YAML (JSON is YAML) by the driver's contract: parameters are map[string]string.
        parameters: {
          secrets: JSON.stringify([
            { resourceName: `${props.privateKeySecretId}/versions/latest`, path: "private" },
            { resourceName: `${props.passphraseSecretId}/versions/latest`, path: "password" },
          ]),
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name, namespace, labels, annotations: { [WORKLOAD_IDENTITY_ANNOTATION]: props.googleServiceAccountEmail } },
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name, namespace, labels },
      rules: [
        // Create cannot be limited by name; get and patch (server-side apply) only reach the two Secrets.
        { apiGroups: [""], resources: ["secrets"], verbs: ["create"] },
        { apiGroups: [""], resources: ["secrets"], resourceNames: secretNames, verbs: ["get", "patch"] },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name, namespace, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
      subjects: [{ kind: "ServiceAccount", name, namespace }],
    },
    { apiVersion: "batch/v1", kind: "Job", metadata: { name: jobName, namespace, labels }, spec: jobSpec },
  ];
}

/**
 * The base64 body of a PEM public key's DER SubjectPublicKeyInfo: the form
 * createctconfig's `ctlog-public-key` Secret and `ctlog.publicKeys.<region>`
 * are compared in (whitespace and line lengths aside).
 */
export function publicKeyDerBase64(pem: string): string {
  return createPublicKey(pem).export({ type: "spki", format: "der" }).toString("base64");
}
