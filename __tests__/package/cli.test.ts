import * as path from "path";
import { spawnSync } from "child_process";
import { REPO_ROOT } from "../helpers/synth";

const BIN = path.join(REPO_ROOT, "bin/sigstore-cdktf");
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, encoding: "utf8" });

describe("the sigstore-cdktf command", () => {
  it("lists its commands, the trust command among them", () => {
    const help = run("--help");
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^ {2}trust {4}/m);
  });

  it("exits 2 with the usage for no or an unknown command", () => {
    const none = run();
    expect(none.status).toBe(2);
    expect(none.stderr).toContain("usage: sigstore-cdktf <command>");
    const unknown = run("sign");
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown command "sign"');
  });

  it("prints the package version", () => {
    expect(run("--version").stdout.trim()).toBe(require(path.join(REPO_ROOT, "package.json")).version);
  });
});
