import { NODE_ROLES } from "../../lib/regional/gke";
import { PROJECT_ONLY_ROLES } from "../../lib/shared/iam";
import { GKE_NODE_ROLES, REVIEWED_PROJECT_ROLES } from "../helpers/roles";

describe("project-level roles", () => {
  it("the library allows exactly the reviewed list, each with its reason", () => {
    expect(Object.keys(PROJECT_ONLY_ROLES).sort()).toEqual([...REVIEWED_PROJECT_ROLES].sort());
    for (const reason of Object.values(PROJECT_ONLY_ROLES)) expect(reason.length).toBeGreaterThan(10);
  });

  it("GKE nodes get exactly the reviewed minimum", () => {
    expect([...NODE_ROLES].sort()).toEqual(GKE_NODE_ROLES);
  });
});
