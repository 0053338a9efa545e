import { spawnSync } from "child_process";

/**
 * `terraform version`'s first line, or undefined when terraform is not on
 * PATH: asked once per run by jest's global setup (SIGSTORE_TEST_TERRAFORM_VERSION),
 * here when a file runs without it.
 */
export const TERRAFORM_VERSION: string | undefined = (() => {
  const known = process.env.SIGSTORE_TEST_TERRAFORM_VERSION;
  if (known !== undefined) return known || undefined;
  const run = spawnSync("terraform", ["version"], { encoding: "utf8" });
  return run.status === 0 ? run.stdout.split("\n")[0] : undefined;
})();

/**
 * `describe` for the Terraform replays. Without terraform they are skipped
 * locally, but fail where they must run (.ci/run sets SIGSTORE_REQUIRE_TERRAFORM).
 */
export function describeWithTerraform(name: string, body: () => void): void {
  if (TERRAFORM_VERSION) return describe(`${name} (${TERRAFORM_VERSION})`, body);
  if (process.env.SIGSTORE_REQUIRE_TERRAFORM) {
    return describe(name, () => {
      it("has terraform on PATH", () => {
        throw new Error("terraform is not on PATH, and SIGSTORE_REQUIRE_TERRAFORM says these replays must run");
      });
    });
  }
  return describe.skip(`${name} (terraform not on PATH)`, body);
}
