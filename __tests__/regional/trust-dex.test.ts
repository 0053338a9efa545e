import { TerraformOutput } from "cdktf";
import { Dex, DexProps } from "../../lib/regional/dex";
import { ResourceNames } from "../../lib/shared/names";
import { bodiesOf, synthConstruct, testContext, testPlacement, placementOf } from "../helpers/construct";
import { accountOf, resourceAt } from "./trust-helpers";

const POOL = "sigstore-test.svc.id.goog";
const CONNECTORS = ["github-client-secret", "google-client-secret"];

function synthDex(props: Partial<DexProps> = {}, extra?: (dex: Dex, scope: any) => void): any {
  return synthConstruct((scope) => {
    const dex = new Dex(scope, "dex", { ...testPlacement(), workloadPool: POOL, connectorSecrets: CONNECTORS, ...props });
    extra?.(dex, scope);
  });
}

describe("Dex", () => {
  const json = synthDex();

  it("binds dex-system/dex through the given workload pool, with no key", () => {
    expect(bodiesOf(json, "google_service_account").map((a) => a.account_id)).toEqual(["sigstore-dex-use1"]);
    const [binding] = bodiesOf(json, "google_service_account_iam_member");
    expect(binding).toMatchObject({ role: "roles/iam.workloadIdentityUser", member: `serviceAccount:${POOL}[dex-system/dex]` });
    expect(resourceAt(json, binding.service_account_id, "google_service_account", "name").account_id).toBe("sigstore-dex-use1");
    expect(json.resource.google_service_account_key).toBeUndefined();
  });

  it("creates one secret per connector, replicated only in the region, with no version", () => {
    const secrets = bodiesOf(json, "google_secret_manager_secret");
    expect(secrets.map((s) => s.secret_id).sort()).toEqual([
      "sigstore-dex-us-east1-github-client-secret",
      "sigstore-dex-us-east1-google-client-secret",
    ]);
    for (const secret of secrets) {
      expect(secret.project).toBe("sigstore-test");
      expect(secret.replication).toEqual({ user_managed: { replicas: [{ location: "us-east1" }] } });
      // Destroying a version only disables it for a week first.
      expect(secret.version_destroy_ttl).toBe("604800s");
    }
    expect(json.resource.google_secret_manager_secret_version).toBeUndefined();
  });

  it("lets only the Dex account access each secret, on the secret", () => {
    const grants = bodiesOf(json, "google_secret_manager_secret_iam_member").map((g) => [
      resourceAt(json, g.secret_id, "google_secret_manager_secret", "id").secret_id,
      g.role,
      accountOf(json, g.member),
    ]);
    expect(grants.sort()).toEqual([
      ["sigstore-dex-us-east1-github-client-secret", "roles/secretmanager.secretAccessor", "sigstore-dex-use1"],
      ["sigstore-dex-us-east1-google-client-secret", "roles/secretmanager.secretAccessor", "sigstore-dex-use1"],
    ]);
    expect(json.resource.google_secret_manager_secret_iam_binding).toBeUndefined();
    expect(json.resource.google_project_iam_member).toBeUndefined();
  });

  it("creates only the account when there are no connector secrets", () => {
    const none = synthDex({ connectorSecrets: [] });
    expect(none.resource.google_secret_manager_secret).toBeUndefined();
    expect(none.resource.google_secret_manager_secret_iam_member).toBeUndefined();
    expect(bodiesOf(none, "google_service_account")).toHaveLength(1);
  });

  it("offers the secret ids by connector name", () => {
    const out = synthDex({}, (dex, scope) => {
      expect(Object.keys(dex.secretIds).sort()).toEqual(CONNECTORS);
      new TerraformOutput(scope, "github", { value: dex.secretIds["github-client-secret"] });
    });
    expect(resourceAt(out, out.output.github.value, "google_secret_manager_secret", "id").secret_id).toBe("sigstore-dex-us-east1-github-client-secret");
  });

  it("carries the region in its names, so two regions never collide", () => {
    const two = synthConstruct((scope) => {
      for (const region of ["us-east1", "europe-west1"]) {
        new Dex(scope, `dex-${region}`, { ...testPlacement({ region }), workloadPool: POOL, connectorSecrets: CONNECTORS });
      }
    });
    const names = [...bodiesOf(two, "google_secret_manager_secret").map((s) => s.secret_id), ...bodiesOf(two, "google_service_account").map((a) => a.account_id)];
    expect(new Set(names).size).toBe(6);
    for (const secret of bodiesOf(two, "google_secret_manager_secret")) {
      const region = /^sigstore-dex-(us-east1|europe-west1)-/.exec(secret.secret_id)![1];
      expect(secret.replication.user_managed.replicas).toEqual([{ location: region }]);
    }
  });

  it("keeps the longest allowed names valid", () => {
    const longest = synthConstruct((scope) => {
      const context = testContext({ region: "northamerica-northeast1", names: new ResourceNames("abcdefghijkl", "sigstore-test") });
      new Dex(scope, "dex", { ...placementOf(context), workloadPool: POOL, connectorSecrets: ["a".repeat(41)] });
    });
    const [secret] = bodiesOf(longest, "google_secret_manager_secret");
    expect(secret.secret_id).toBe(`abcdefghijkl-dex-northamerica-northeast1-${"a".repeat(41)}`);
  });

  it("rejects bad or repeated connector secret names and a missing workload pool", () => {
    expect(() => synthDex({ connectorSecrets: ["GitHub_Secret"] })).toThrow(/connector secret "GitHub_Secret" must be 1 to 41 lowercase letters/);
    expect(() => synthDex({ connectorSecrets: ["a", "a"] })).toThrow(/connector secret "a" is listed twice/);
    expect(() => synthDex({ workloadPool: "" })).toThrow(/needs the cluster's workloadPool/);
  });
});
