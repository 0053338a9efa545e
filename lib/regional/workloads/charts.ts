/**
 * The one place chart versions and images are pinned. Versions and digests
 * are those of the upstream charts at sigstore/helm-charts 196f212 and
 * dexidp/helm-charts c82afcc (their Chart.yaml `artifacthub.io/images`
 * annotations); a chart upgrade is a change here, reviewed in one diff.
 */

/** An image as the Sigstore charts take it: `registry/repository@version` when version starts with sha256:. */
export interface SigstoreImageValues {
  readonly registry: string;
  readonly repository: string;
  /** Always a digest (`sha256:...`), so the chart renders `<registry>/<repository>@<digest>`. */
  readonly version: string;
}

export interface PinnedImage {
  /** Full reference, `<registry>/<repository>@sha256:<digest>` (tag dropped: the digest decides). */
  readonly ref: string;
  /** The tag the digest was published under, for readers. */
  readonly tag: string;
}

export interface ChartSpec {
  readonly repository: string;
  readonly chart: string;
  readonly version: string;
  /** Images the library sets, by the chart's name for them. */
  readonly images: { readonly [name: string]: PinnedImage };
}

const SIGSTORE = "https://sigstore.github.io/helm-charts";

function image(ref: string, tag: string): PinnedImage {
  if (!/^[a-z0-9.-]+(:[0-9]+)?\/[a-z0-9._/:-]+@sha256:[0-9a-f]{64}$/.test(ref)) throw new Error(`image ${ref} is not pinned by digest`);
  return { ref, tag };
}

const CLOUD_SQL_PROXY_TRILLIAN = image(
  "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.23.0-alpine@sha256:7cf46b7a0251486351cf7ed18dab04d96f05e26deb19d426e237f390e3baef14",
  "2.23.0-alpine",
);
const CLOUD_SQL_PROXY_REKOR = image(
  "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.25.3-alpine@sha256:1692bd895bbffbce8034fa20f4af0a50dbcd7372c952264aa1bf94fa38e7b656",
  "2.25.3-alpine",
);
const CREATETREE = image("ghcr.io/sigstore/scaffolding/createtree@sha256:e5232e8c9122fcf87260b48f4b05bcb95c35c8aaa57581b42f0fde7460bd3e91", "v0.7.31");
const CURL_8_17 = image("docker.io/curlimages/curl@sha256:935d9100e9ba842cdb060de42472c7ca90cfe9a7c96e4dacb55e79e560b3ff40", "8.17.0");

export const CHARTS = {
  trillian: {
    repository: SIGSTORE,
    chart: "trillian",
    version: "0.3.16",
    images: {
      logServer: image("ghcr.io/sigstore/scaffolding/trillian_log_server@sha256:5a878e4e4f03790d2dda4b07a551ff9832128b307447d4156255c73690aa2da3", "v1.7.3"),
      logSigner: image("ghcr.io/sigstore/scaffolding/trillian_log_signer@sha256:28c5ff40963f83ffdf4e2d9ea1e4e2c877c33cfb0ff068f3daad1c1080aad0ac", "v1.7.3"),
      cloudSqlProxy: CLOUD_SQL_PROXY_TRILLIAN,
      curl: image("docker.io/curlimages/curl@sha256:7c12af72ceb38b7432ab85e1a265cff6ae58e06f95539d539b654f2cfa64bb13", "8.21.0"),
      netcat: image("docker.io/subfuzion/netcat@sha256:7e808e84a631d9c2cd5a04f6a084f925ea388e3127553461536c1248c3333c8a", "2024-09-03"),
      // The chart's createdb job image (scaffolding cmd/trillian/createdb), run by TrillianSchema, not by the chart.
      createdb: image("ghcr.io/sigstore/scaffolding/createdb@sha256:3cee6c78973b82af6c3c3632bf8d44dafbab1632b3999a7292b170237c5dd5cc", "v0.7.31"),
      // The chart's in-cluster MySQL image; TrillianSchema runs only its `mysql` client, for the GRANTs.
      mysqlClient: image("gcr.io/trillian-opensource-ci/db_server@sha256:2a685a38dd0129cceb646c232d285383f614c7e6fa51ff8f512aef78e4298461", "v1.5.3"),
    },
  },
  rekor: {
    repository: SIGSTORE,
    chart: "rekor",
    version: "1.8.4",
    images: {
      server: image("ghcr.io/sigstore/rekor/rekor-server@sha256:100d793d68d0e1ba9fea7df8503304cef1ca736c891bd074fcae3d450dd64169", "v1.5.4"),
      createtree: CREATETREE,
      redis: image("docker.io/redis@sha256:148bb5411c184abd288d9aaed139c98123eeb8824c5d3fce03cf721db58066d8", "6.2.17-alpine3.21"),
      cloudSqlProxy: CLOUD_SQL_PROXY_REKOR,
      curl: CURL_8_17,
    },
  },
  ctlog: {
    repository: SIGSTORE,
    chart: "ctlog",
    version: "0.2.67",
    images: {
      server: image("ghcr.io/sigstore/scaffolding/ct_server@sha256:66664ba563e7c2564ba32fb5d0e8fdeb42d7f0d5ce45f0df5d80074daea5126c", "v0.7.31"),
      createtree: CREATETREE,
      createctconfig: image("ghcr.io/sigstore/scaffolding/createctconfig@sha256:3a061734c5be610d69830ea1e223bd6a8b86bc262b67ff7409147d7db698df51", "v0.7.31"),
      curl: CURL_8_17,
    },
  },
  fulcio: {
    repository: SIGSTORE,
    chart: "fulcio",
    version: "2.11.0",
    images: {
      server: image("ghcr.io/sigstore/fulcio@sha256:ef72cf56c64b7455ceda5268d1cc801b92992e7ce36b744b40b7761684d60753", "v1.8.8"),
      curl: CURL_8_17,
    },
  },
  tsa: {
    repository: SIGSTORE,
    chart: "tsa",
    version: "2.1.1",
    images: {
      server: image("ghcr.io/sigstore/timestamp-server@sha256:8637f0482ed1ecb229b44ebd0afc760f6f57114a4d53c6953cf65c00218896b2", "v2.1.0"),
    },
  },
  "rekor-tiles": {
    repository: SIGSTORE,
    chart: "rekor-tiles",
    version: "1.2.1",
    images: {
      gcp: image("ghcr.io/sigstore/rekor-tiles/gcp@sha256:e401cfe033c99ec4ac647f61f51dd1c28d686c227d6c6e250a50a110da3a1559", "v2.3.0"),
    },
  },
  "ctlog-tiles": {
    repository: SIGSTORE,
    chart: "ctlog-tiles",
    version: "0.1.6",
    images: {
      gcp: image("ghcr.io/transparency-dev/tesseract/gcp@sha256:37f1e3fb7f511f8c4bacec43e22fb52fb631f77fadb10de8bbf1560594c96fbe", "v0.1.2"),
    },
  },
  dex: {
    repository: "https://charts.dexidp.io",
    chart: "dex",
    version: "0.24.0",
    images: {
      // The chart pins only the tag (v2.44.0); this digest is the one published for it.
      dex: image("ghcr.io/dexidp/dex@sha256:5d0656fce7d453c0e3b2706abf40c0d0ce5b371fb0b73b3cf714d05f35fa5f86", "v2.44.0"),
    },
  },
} as const satisfies { readonly [name: string]: ChartSpec };

export type ChartName = keyof typeof CHARTS;

/** Splits a pinned reference into the Sigstore charts' `{registry, repository, version}`. */
export function sigstoreImage(pinned: PinnedImage): SigstoreImageValues {
  const [name, digest] = pinned.ref.split("@");
  const slash = name.indexOf("/");
  return { registry: name.slice(0, slash), repository: name.slice(slash + 1), version: digest };
}
