import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { DataKubernetesSecretV1 } from "@cdktf/provider-kubernetes/lib/data-kubernetes-secret-v1";
import { CTLOG_KUBERNETES, CtLog } from "../ctlog";
import { FULCIO_KUBERNETES } from "../fulcio";
import { trillianKubernetes } from "../trillian-database";
import { CHARTS, sigstoreImage } from "./charts";
import { CTLOG_KEY_SECRETS, CTLOG_PUBLIC_KEY_SECRET, ctLogKeyLoaderObjects, publicKeyDerBase64 } from "./ctlog-key";
import { ChartRelease, ManifestsRelease } from "./release";
import { TRILLIAN_RPC_PORT } from "./trillian";
import { CtLogValues, NEG_ANNOTATION, standaloneNegAnnotation, workloadIdentityAccount } from "./values";

/** Where the createtree job publishes the CT log's tree id. */
export const CTLOG_TREE_CONFIG_MAP = { namespace: CTLOG_KUBERNETES.namespace, name: "ctlog-config", key: "treeID" } as const;

/** Service port of the CT log chart (80 -> 6962); 6963 (metrics) is never exposed. */
export const CTLOG_HTTP_PORT = 80;

/**
 * In-cluster URL of the CT log with the given prefix (`ctLogPrefix`), where
 * Fulcio in the same region submits precertificates.
 */
export function ctLogInClusterUrl(prefix: string): string {
  return `http://${CTLOG_KUBERNETES.serviceAccount}.${CTLOG_KUBERNETES.namespace}.svc/${prefix}`;
}

/** In-cluster URL of Fulcio, where createctconfig reads the roots the log accepts. */
export const FULCIO_IN_CLUSTER_URL = `http://${FULCIO_KUBERNETES.serviceAccount}.${FULCIO_KUBERNETES.namespace}.svc`;

export interface CtLogReleaseProps {
  /** The log's resources: its account, its prefix and its standalone NEG name (`CtLog.negName`, which CtLogFrontend backends). */
  readonly ctlog: CtLog;
  /**
   * Service name of the Trillian log server holding the log's trees (in
   * Trillian's namespace): the shard release's when the log's tree instance
   * is a CT log shard (`TrillianRelease.logServerName`).
   * @default the primary release's log server
   */
  readonly trillianLogServer?: string;
  /**
   * The log's public key as pinned in the trust root (`ctlog.publicKeys.<region>`):
   * the apply fails unless the key in Secret Manager is its private half.
   */
  readonly publicKeyPem: string;
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * The CT log front end (ct_server) on the region's Trillian. Its jobs are the
 * scaffolding's gates: createtree makes the Trillian tree and writes the id to
 * `ctlog-config`; createctconfig waits for it, reads Fulcio's roots and writes
 * the log's configuration. The release waits for both jobs.
 *
 * The log signs with the key in Secret Manager (`CtLog`), never a generated
 * one: a key loader release copies it first into the Secrets named by
 * `createctconfig.privateSecret` and `privateKeyPasswordSecretName`, so
 * createctconfig builds ct_server's configuration around that key (and fails
 * without it, rather than generating one). After the release, the public key
 * createctconfig derived must be the one pinned in the trust root, or the
 * apply fails before the region publishes the log's NEG.
 */
export class CtLogRelease extends Construct {
  readonly chart: ChartRelease<CtLogValues>;
  /** The SecretProviderClass, account, RBAC and Job that copy the key from Secret Manager. */
  readonly keyLoader: ManifestsRelease;
  /** createctconfig's public key Secret, read after the release; its postcondition compares it with `publicKeyPem`. */
  readonly publicKeyCheck: DataKubernetesSecretV1;

  constructor(scope: Construct, id: string, props: CtLogReleaseProps) {
    super(scope, id);
    let pinned: string;
    try {
      pinned = publicKeyDerBase64(props.publicKeyPem);
    } catch (e) {
      throw new Error(`${this.node.path}: publicKeyPem is not a PEM public key (${(e as Error).message}); set ctlog.publicKeys.<region> to the output of 'openssl ec -pubout'`);
    }
    this.keyLoader = new ManifestsRelease(this, "key-loader", {
      name: "ctlog-key-loader",
      namespace: CTLOG_KUBERNETES.namespace,
      createNamespace: true,
      waitForJobs: true,
      objects: ctLogKeyLoaderObjects({
        privateKeySecretId: props.ctlog.privateKeySecretId,
        passphraseSecretId: props.ctlog.privateKeyPassphraseSecretId,
        googleServiceAccountEmail: props.ctlog.serviceAccount.email,
      }),
      dependsOn: props.dependsOn,
    });
    const images = CHARTS.ctlog.images;
    const trillian = trillianKubernetes();
    const values: CtLogValues = {
      namespace: { create: false, name: CTLOG_KUBERNETES.namespace },
      fullnameOverride: CTLOG_KUBERNETES.serviceAccount,
      server: {
        image: sigstoreImage(images.server),
        serviceAccount: workloadIdentityAccount(CTLOG_KUBERNETES.serviceAccount, props.ctlog.serviceAccount.email),
        ingress: { enabled: false },
        ingresses: [],
        // The chart annotates only for a GCE ingress; the standalone NEG is the caller's.
        service: { annotations: { [NEG_ANNOTATION]: standaloneNegAnnotation({ [CTLOG_HTTP_PORT]: props.ctlog.negName }) } },
      },
      createtree: { enabled: true, displayName: "ctlog-tree", image: sigstoreImage(images.createtree) },
      createctconfig: {
        enabled: true,
        image: sigstoreImage(images.createctconfig),
        initContainerImage: { curl: sigstoreImage(images.curl) },
        fulcioURL: FULCIO_IN_CLUSTER_URL,
        // The prefix h8ca's placement names the log by (`https://ctfe.<domain>/<prefix>`).
        logPrefix: props.ctlog.prefix,
        // The key loader's Secrets: with privateSecret set, createctconfig uses that key and generates none.
        privateSecret: CTLOG_KEY_SECRETS.privateKey.name,
        privateKeyPasswordSecretName: CTLOG_KEY_SECRETS.password.name,
        pubkeysecret: CTLOG_PUBLIC_KEY_SECRET.name,
      },
      trillian: { namespace: trillian.namespace, logServer: { name: props.trillianLogServer ?? trillian.logServer, portRPC: TRILLIAN_RPC_PORT } },
    };
    this.chart = new ChartRelease(this, "chart", {
      chart: "ctlog",
      name: "ctlog",
      namespace: CTLOG_KUBERNETES.namespace,
      values,
      dependsOn: [...(props.dependsOn ?? []), this.keyLoader.release],
    });
    // Public data only: the Secret holds the public key createctconfig derived from the private one.
    const secret = new DataKubernetesSecretV1(this, "public-key", {
      metadata: { name: CTLOG_PUBLIC_KEY_SECRET.name, namespace: CTLOG_KUBERNETES.namespace },
      dependsOn: [this.chart.release],
    });
    // A postcondition reads its own data source as `self`; whitespace and PEM armour aside, the DER must
    // match. A missing Secret (null data) or key reads as "", which never matches.
    const served = `replace(replace(try(self.data["${CTLOG_PUBLIC_KEY_SECRET.key}"], ""), "/-----(BEGIN|END) PUBLIC KEY-----/", ""), "/\\\\s/", "")`;
    secret.lifecycle = {
      postcondition: [
        {
          condition: `\${${served} == "${pinned}"}`,
          errorMessage: `The CT log ${props.ctlog.prefix} serves a public key other than ctlog.publicKeys.${props.ctlog.prefix} (${CTLOG_KUBERNETES.namespace}/${CTLOG_PUBLIC_KEY_SECRET.name}): the private key in Secret Manager is not the pinned key's. Add the matching versions, then reinstall the CT log as docs/trust-root.md says (helm uninstall ctlog ctlog-key-loader, delete their Secrets) and deploy again.`,
        },
      ],
    };
    this.publicKeyCheck = secret;
  }
}
