import { parseConfig } from "../../lib/config/load";
import { baseConfig, resources, StackJson, Synthesized, synthDeployment, withConfig } from "../helpers/synth";

const SERVICES = ["fulcio", "tsa", "dex"] as const;
const FQDN = { fulcio: "fulcio.sigstore.test.example.", tsa: "timestamp.sigstore.test.example.", dex: "oauth2.sigstore.test.example." };
const ZONE = "test-zone";

type Phase = { owner: "regional" | "global"; globalWeight?: number; adoptExisting?: boolean };

function synthWith(phases: Partial<Record<(typeof SERVICES)[number], Phase>>, primaryRegion?: string): Synthesized {
  return synthDeployment(
    withConfig((c) => {
      c.services = Object.fromEntries(Object.entries(phases).map(([s, dns]) => [s, { dns }]));
      // The first region is the primary by default; left implicit, the deployments of the
      // phases below are the same configurations as those of the cross product (synthesized once).
      if (primaryRegion && primaryRegion !== c.regions[0].region) c.primaryRegion = primaryRegion;
    }),
  );
}

/** Stacks that declare an A record for the name, with the record. */
function aRecordOwners(stacks: Record<string, StackJson>, fqdn: string): [string, string, any][] {
  return Object.entries(stacks).flatMap(([stackId, stack]) =>
    Object.entries(resources(stack, "google_dns_record_set"))
      .filter(([, r]) => r.name === fqdn && r.type === "A")
      .map(([id, r]) => [stackId, id, r] as [string, string, any]),
  );
}

function removedFrom(stack: StackJson): string[] {
  return (stack.removed ?? []).map((r) => {
    expect(r.lifecycle).toEqual({ destroy: false });
    return r.from;
  });
}

function importsOf(stack: StackJson): { id: string; to: string }[] {
  return stack.import ?? [];
}

const PHASES: [string, Phase][] = [
  ["regional", { owner: "regional" }],
  ["global", { owner: "global" }],
  ["global, weighted", { owner: "global", globalWeight: 0.2 }],
  ["global, new deployment", { owner: "global", adoptExisting: false }],
  ["regional, going back", { owner: "regional", adoptExisting: true }],
];

describe.each(["us-east1", "europe-west1"])("with primary region %s", (primary) => {
  describe.each(PHASES)("in phase %s", (_name, phase) => {
    // Each service in the same phase; the other services' phases vary in the
    // cross-product test below.
    const { stacks } = synthWith({ fulcio: phase, tsa: phase, dex: phase }, primary);
    const expectedOwner = phase.owner === "global" ? "global" : `regional-${primary}`;

    it.each(SERVICES)("exactly one stack declares the A record of %s, the expected owner", (service) => {
      const owners = aRecordOwners(stacks, FQDN[service]);
      expect(owners.map(([stackId]) => stackId)).toEqual([expectedOwner]);
      expect(owners[0][1]).toBe(`${service}_a_record`);
    });

    it.each(SERVICES)("every other stack releases the record of %s without destroying it", (service) => {
      for (const [stackId, stack] of Object.entries(stacks)) {
        const released = removedFrom(stack).includes(`google_dns_record_set.${service}_a_record`);
        expect([stackId, released]).toEqual([stackId, stackId !== expectedOwner]);
      }
    });

    it.each(SERVICES)("the owner of %s imports the record exactly when adopting", (service) => {
      const adopt = phase.adoptExisting ?? phase.owner === "global";
      const id = `projects/sigstore-test/managedZones/${ZONE}/rrsets/${FQDN[service]}/A`;
      for (const [stackId, stack] of Object.entries(stacks)) {
        const imports = importsOf(stack).filter((i) => i.to === `google_dns_record_set.${service}_a_record`);
        expect([stackId, imports]).toEqual([stackId, stackId === expectedOwner && adopt ? [{ id, to: `google_dns_record_set.${service}_a_record` }] : []]);
      }
    });
  });
});

describe("ownership across mixed phases", () => {
  // Every combination of phases for the three services: 3^3 deployments (the
  // three where all services share a phase are the phases' deployments above).
  const choices: Phase[] = [PHASES[0][1], PHASES[1][1], PHASES[2][1]];
  const combos = choices.flatMap((a) => choices.flatMap((b) => choices.map((c) => [a, b, c] as const)));

  it.each(combos.map((c, i) => [i, c]))("combination %i has one owner per host name", (_i, [fulcio, tsa, dex]) => {
    const { stacks } = synthWith({ fulcio, tsa, dex });
    for (const [service, phase] of [["fulcio", fulcio], ["tsa", tsa], ["dex", dex]] as const) {
      const owners = aRecordOwners(stacks, FQDN[service]).map(([s]) => s);
      expect(owners).toEqual([phase.owner === "global" ? "global" : "regional-us-east1"]);
    }
  });
});

describe("the hand-off never recreates the record", () => {
  const regional = synthWith({ fulcio: { owner: "regional" } }).stacks["regional-us-east1"];
  const global = synthWith({ fulcio: { owner: "global" } }).stacks.global;
  const weighted = synthWith({ fulcio: { owner: "global", globalWeight: 0.1 } }).stacks.global;

  it("uses the same address and identity (name, type, zone) in every phase", () => {
    const records = [regional, global, weighted].map((s) => resources(s, "google_dns_record_set").fulcio_a_record);
    for (const r of records) {
      expect(r).toMatchObject({ name: FQDN.fulcio, type: "A", managed_zone: ZONE, project: "sigstore-test" });
    }
  });

  it("points at the region's front end while regional, and at the global address once global, read from their :443 rules", () => {
    expect(resources(regional, "google_dns_record_set").fulcio_a_record.rrdatas).toEqual([
      "${google_compute_global_forwarding_rule.fulcio_frontend_https_forwarding_rule.ip_address}",
    ]);
    expect(resources(global, "google_dns_record_set").fulcio_a_record.rrdatas).toEqual([
      "${google_compute_global_forwarding_rule.fulcio_https_forwarding_rule.ip_address}",
    ]);
    // Each rule listens on the address reserved for it.
    expect(resources(regional, "google_compute_global_forwarding_rule").fulcio_frontend_https_forwarding_rule.ip_address).toBe(
      "${google_compute_global_address.fulcio_ingress_address.address}",
    );
    expect(resources(global, "google_compute_global_forwarding_rule").fulcio_https_forwarding_rule.ip_address).toBe(
      "${google_compute_global_address.fulcio_address.address}",
    );
  });

  it("splits answers by weight between the global address and the primary region's ingress", () => {
    const record = resources(weighted, "google_dns_record_set").fulcio_a_record;
    expect(record.rrdatas).toBeUndefined();
    expect(record.routing_policy).toEqual({
      wrr: [
        { weight: 0.1, rrdatas: ["${google_compute_global_forwarding_rule.fulcio_https_forwarding_rule.ip_address}"] },
        {
          weight: 0.9,
          rrdatas: [
            "${data.terraform_remote_state.cross_stack_reference_input_regional_us_east1.outputs.cross_stack_output_google_compute_global_forwarding_rule_fulcio_frontend_https_forwarding_rule_ip_address}",
          ],
        },
      ],
    });
  });

  it("exports the primary region's front-end address, from its :443 rule, for the weighted record", () => {
    const stacks = synthWith({ fulcio: { owner: "global", globalWeight: 0.1 } }).stacks;
    expect(stacks["regional-us-east1"].output?.cross_stack_output_google_compute_global_forwarding_rule_fulcio_frontend_https_forwarding_rule_ip_address).toEqual({
      value: "${google_compute_global_forwarding_rule.fulcio_frontend_https_forwarding_rule.ip_address}",
      sensitive: false,
    });
  });
});

describe("moving the primary region", () => {
  it("releases the record in the old primary and adopts it in the new one when asked", () => {
    const { stacks } = synthWith({ dex: { owner: "regional", adoptExisting: true } }, "europe-west1");
    expect(removedFrom(stacks["regional-us-east1"])).toContain("google_dns_record_set.dex_a_record");
    expect(importsOf(stacks["regional-europe-west1"]).map((i) => i.to)).toEqual(["google_dns_record_set.dex_a_record"]);
  });
});

describe("the configuration decides ownership", () => {
  it("defaults to regional ownership by the first region", () => {
    const { stacks } = synthDeployment(parseConfig(baseConfig()));
    for (const service of SERVICES) {
      expect(aRecordOwners(stacks, FQDN[service]).map(([s]) => s)).toEqual(["regional-us-east1"]);
    }
  });
});
