import { parseConfig } from "../../lib/config/load";
import type { GkeSettings, NetworkSettings, SigstoreConfig } from "../../lib/config/schema";
import { Bastion } from "../../lib/regional/bastion";
import type { RegionalContext } from "../../lib/regional/context";
import { GkeCluster, GkeClusterProps } from "../../lib/regional/gke";
import { RegionalNetwork } from "../../lib/regional/network";
import { entriesOf, synthConstruct, testContext } from "../helpers/construct";
import { withConfig } from "../helpers/synth";

/** Regional defaults of the configuration, with changes applied to `regional`. */
export function regionalConfig(change: (regional: any) => void = () => undefined): SigstoreConfig["regional"] {
  return parseConfig(withConfig((c) => {
    c.regional = c.regional ?? {};
    change(c.regional);
  })).regional;
}

export const defaults = regionalConfig();
export const networkDefaults: NetworkSettings = defaults.network;
export const gkeDefaults: GkeSettings = defaults.gke;

/** A cluster's props on its own: the configuration's defaults and stand-in network names, with `overrides` applied. */
export function standaloneGkeProps(overrides: Partial<GkeClusterProps> = {}): GkeClusterProps {
  return {
    context: testContext(),
    clusterName: "east",
    settings: gkeDefaults,
    masterCidr: networkDefaults.masterCidr,
    network: "projects/p/global/networks/n",
    subnet: "projects/p/regions/us-east1/subnetworks/s",
    podsRangeName: "pods",
    servicesRangeName: "services",
    nodeTag: "node-tag",
    ...overrides,
  };
}

export interface PlatformOptions {
  readonly context?: RegionalContext;
  readonly network?: Partial<NetworkSettings>;
  readonly gke?: Partial<GkeSettings>;
  readonly bastion?: false | { readonly accessMembers: readonly string[]; readonly machineType?: string };
  readonly servingPorts?: readonly string[];
  readonly providers?: boolean;
}

/** Network, cluster (with its providers) and optionally a bastion, wired as the regional stack wires them. */
export function synthPlatform(options: PlatformOptions = {}): any {
  const context = options.context ?? testContext();
  return synthConstruct((scope) => {
    const networkSettings = { ...networkDefaults, ...options.network };
    const network = new RegionalNetwork(scope, "network", {
      context,
      settings: networkSettings,
      bastion: !!options.bastion,
      servingPorts: options.servingPorts,
    });
    const gke = new GkeCluster(scope, "gke", {
      context,
      clusterName: "east",
      settings: { ...gkeDefaults, ...options.gke },
      masterCidr: networkSettings.masterCidr,
      network: network.networkId,
      subnet: network.subnetId,
      podsRangeName: network.podsRangeName,
      servicesRangeName: network.servicesRangeName,
      nodeTag: network.nodeTag,
    });
    if (options.providers !== false) gke.configureKubernetesProviders(scope);
    if (options.bastion) {
      new Bastion(scope, "bastion", {
        context,
        subnet: network.subnetId,
        tag: network.bastionTag,
        machineType: options.bastion.machineType,
        accessMembers: options.bastion.accessMembers,
      });
    }
  });
}

/** `type.logicalId` of the one resource of `type` that matches. */
export function addressOf(json: any, type: string, match: (body: any) => boolean = () => true): string {
  const found = entriesOf(json, type).filter(([, body]) => match(body));
  if (found.length !== 1) throw new Error(`expected one ${type} to match, found ${found.length}`);
  return `${type}.${found[0][0]}`;
}

/** Terraform reference to an attribute of the one matching resource. */
export function refTo(json: any, type: string, attribute: string, match?: (body: any) => boolean): string {
  return `\${${addressOf(json, type, match)}.${attribute}}`;
}
