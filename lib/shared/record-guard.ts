import { Construct } from "constructs";
import { Fn } from "cdktf";
import { ApplyTimeCommand } from "./apply-time-command";
import type { WeightedAddress } from "./service-a-record";

export interface RecordGuardProps {
  readonly project: string;
  readonly managedZone: string;
  /** Fully qualified name with the trailing dot. */
  readonly fqdn: string;
  /** What the record will hold; an existing record that already holds exactly this is ours. */
  readonly targets: readonly WeightedAddress[];
  /** Where the operator says "take it over", for the error message. */
  readonly adoptHint: string;
}

// No "${" anywhere: Terraform would read it as an interpolation.
// Reads stdin (gcloud's JSON list of A record sets of the name) and exits 0
// when there is none, or the one there holds exactly WANT ([[address, weight]…]).
const CHECK = [
  'let s="";',
  'process.stdin.on("data",(d)=>(s+=d)).on("end",()=>{',
  'const sets=JSON.parse(s||"[]");',
  "if(sets.length===0)process.exit(0);",
  "const r=sets[0];",
  "const items=r.routingPolicy&&r.routingPolicy.wrr?r.routingPolicy.wrr.items.map((i)=>[(i.rrdatas||[]).join(\",\"),Number(i.weight)]):[[(r.rrdatas||[]).join(\",\"),1]];",
  "const want=JSON.parse(process.env.WANT).map(([a,w])=>[a,Number(w)]);",
  "const key=(l)=>JSON.stringify([...l].sort());",
  "if(key(items)===key(want))process.exit(0);",
  'console.error(process.env.NAME+" already has an A record "+JSON.stringify(items)+" that this stack did not create; creating it would overwrite that record. "+process.env.ADOPT_HINT);',
  "process.exit(1);",
  "});",
].join("");

const SCRIPT = [
  "set -eu",
  'command -v gcloud >/dev/null 2>&1 || { echo "Checking that no A record $NAME exists needs gcloud (authenticated to the project) on PATH" >&2; exit 1; }',
  'found=$(gcloud dns record-sets list --project="$PROJECT" --zone="$ZONE" --name="$NAME" --type=A --format=json)',
  'printf "%s" "$found" | node -e "$CHECK"',
].join("\n");

/**
 * Stops a stack that creates an A record (without adopting) from overwriting
 * a record of the same name that it does not manage.
 *
 * google_dns_record_set's create lists the zone's record sets of that name
 * and type and deletes them in the same change that adds its own (provider
 * 6.50, `resourceDnsRecordSetCreate`): the plan says "create", the apply
 * replaces whatever was there. The `google_dns_record_set` data source cannot
 * test for absence (it fails when there is no record), so the guard asks
 * Cloud DNS at apply time, just before the record is created: a
 * `terraform_data` whose creation runs `gcloud dns record-sets list` and fails
 * unless there is no record or it already holds exactly the planned targets
 * (the stack's own record, e.g. after an upgrade). It runs once per owner and
 * name; the record depends on it.
 */
export class RecordGuard extends ApplyTimeCommand {
  constructor(scope: Construct, id: string, props: RecordGuardProps) {
    super(scope, id, {
      script: SCRIPT,
      environment: {
        PROJECT: props.project,
        ZONE: props.managedZone,
        NAME: props.fqdn,
        WANT: Fn.jsonencode(props.targets.map((t) => [t.address, t.weight])),
        ADOPT_HINT: props.adoptHint,
        CHECK,
      },
      triggers: { project: props.project, zone: props.managedZone, name: props.fqdn },
    });
  }
}
